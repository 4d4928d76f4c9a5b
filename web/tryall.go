package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
)

// "Try all ports" probes one host on every common port and security mode
// at once and shows a matrix of what each answered; the lifecycle
// (attempt.Lifecycle.TryAllGroup) admits, runs and stores it as one job.
// GET /try only fills in the form; POST /try, from that form or from the
// main form's "Try all ports" button, starts it and redirects to its page,
// which fills in as each row ends.

type tryView struct {
	Host  string
	Rows  []tryRow
	Best  int
	Error string
	Note  string
	// Group is set on a try-all's own page (/try/{id}).
	Group *discover.Group
	URL   string // the absolute permalink of the group
	// Live is set while the group runs: the page follows it.
	Live bool
	// StepLimit is how long a step may wait, shown beside a live wait.
	StepLimit time.Duration
}

type tryRow struct {
	discover.Row
	ID string // permalink of the stored attempt
}

// live reports whether the row's probe is still queued or running: it then
// has no result yet, only its attempt's progress.
func (r tryRow) live() bool { return isLive(r.Result) }

// rowState names a row's state for the page (and its tests): waiting for
// a slot, running, or done.
func (r tryRow) state() string {
	switch {
	case r.Result.Status == probe.StatusQueued:
		return "waiting"
	case r.live():
		return "running"
	}
	return "done"
}

// tryForm is GET /try[?host=…]: the form, filled in from the link; it
// starts nothing (a GET must not make the dashboard connect anywhere).
func (s *Server) tryForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	tryPage(tryView{Host: r.URL.Query().Get("host"), Best: -1}).Render(r.Context(), w)
}

// tryAll is POST /try: validate the host, run the try-all, render the
// matrix. Only the host is used; a password typed in the main form is not.
func (s *Server) tryAll(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		tryPage(tryView{Error: "Not started: the form could not be read."}).Render(r.Context(), w)
		return
	}
	hostIn := r.PostForm.Get("host")
	usedPassword := r.PostForm.Get("password") != "" || r.PostForm.Get("user") != ""
	if strings.Contains(hostIn, "@") {
		s.startFromAddress(w, r, hostIn, usedPassword)
		return
	}
	host, _, err := probe.ParseHost(hostIn)
	if err != nil || host == "" {
		w.WriteHeader(http.StatusBadRequest)
		msg := "enter a host name"
		if err != nil {
			msg = "host " + err.Error()
		}
		tryPage(tryView{Host: hostIn, Error: "Not started: " + msg + "."}).Render(r.Context(), w)
		return
	}
	v := tryView{Host: host, Best: -1}
	if usedPassword {
		v.Note = passwordUnused
	}
	g, err := s.attempts.TryAllGroup(r.Context(), attempt.TryAllRequest{Input: hostIn, Host: host, Combos: s.sandboxCombos(host)})
	if err == nil {
		http.Redirect(w, r, groupURL(g.ID, usedPassword), http.StatusSeeOther)
		return
	}
	if !errors.Is(err, attempt.ErrNoGroupStore) {
		s.tryRefused(w, r, v, err)
		return
	}
	// A store that keeps no groups: the matrix is the answer itself.
	res, err := s.attempts.TryAll(r.Context(), host)
	if err != nil {
		s.tryRefused(w, r, v, err)
		return
	}
	v.Best = res.Best
	for i, row := range res.Rows {
		v.Rows = append(v.Rows, tryRow{Row: row, ID: res.IDs[i]})
	}
	tryPage(v).Render(r.Context(), w)
}

func comboLabel(port int, sec probe.Security) string {
	return strconv.Itoa(port) + " " + securityLabel(sec)
}
