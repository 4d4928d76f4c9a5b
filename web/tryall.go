package web

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
)

// "Try all ports" (issue 3): probe one host on 465/tls, 587/starttls,
// 25/starttls and 2525/starttls at once and show a matrix of what each
// answered. Choices, and why:
//
//   - No login. The probes run without credentials, even when the form
//     holds a password: four logins at once, some on the wrong port, is
//     how accounts get locked. The matrix says which combination to use;
//     the user then runs a normal test there with the password.
//   - Synchronous, with a bounded deadline: the request waits for the four
//     probes (they run concurrently, so it takes as long as the slowest,
//     at most tryAllDeadline) and answers with the matrix page. No live
//     progress: the probes stop early, there is little to watch.
//   - One try-all counts as one probe against the limits: one place in the
//     pool and one of the target's PerTarget places (default 2, which would
//     refuse four separate probes of one host). Four connections without
//     AUTH are no burden to a server; the rate limit counts it as one start.
//   - Same target policy as any probe: every address is checked before it
//     is dialled, and a refused port shows as policy.blocked_target in its
//     row, not as an error page.
//   - Every combination is stored as a normal attempt with its own
//     permalink, so the matrix links to the evidence and the history and
//     servers view show it.

// tryAllDeadline bounds one try-all whatever the configured timeouts.
const tryAllDeadline = 30 * time.Second

type tryView struct {
	Host  string
	Rows  []tryRow
	Best  int
	Error string
	Note  string
}

type tryRow struct {
	discover.Row
	ID string // permalink of the stored attempt
}

// tryAllForm is POST /probes with mode=try-all (the form's "Try all
// ports" button): only the host is used.
func (s *Server) tryAllForm(w http.ResponseWriter, r *http.Request, in probeInput) {
	note := ""
	if in.Password != "" || in.User != "" {
		note = "The password was not used: trying all ports never signs in. Run a normal test on the best combination to check it."
	}
	s.runTryAll(w, r, in.Host, note)
}

// tryForm is GET /try[?host=…]: the form, filled in from the link; it
// starts nothing (see routes.go).
func (s *Server) tryForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	tryPage(tryView{Host: r.URL.Query().Get("host"), Best: -1}).Render(r.Context(), w)
}

// tryAllPost is POST /try: the form on the try-all page.
func (s *Server) tryAllPost(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		tryPage(tryView{Error: "Not started: the form could not be read."}).Render(r.Context(), w)
		return
	}
	s.runTryAll(w, r, r.PostForm.Get("host"), "")
}

func (s *Server) runTryAll(w http.ResponseWriter, r *http.Request, hostIn, note string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
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
	if err := s.runner.admit(host); err != nil {
		var ce *capacityError
		status := http.StatusServiceUnavailable
		if errors.As(err, &ce) {
			w.Header().Set("Retry-After", strconv.Itoa(int(ce.retryAfter.Seconds())))
		}
		w.WriteHeader(status)
		tryPage(tryView{Host: host, Error: "Not started: " + err.Error() + "."}).Render(r.Context(), w)
		return
	}
	defer s.runner.wg.Done()
	defer s.runner.unadmit(host)

	v := tryView{Host: host, Note: note, Best: -1}
	select {
	case s.runner.sem <- struct{}{}:
	case <-r.Context().Done():
		return
	case <-s.runner.ctx.Done():
		w.WriteHeader(http.StatusServiceUnavailable)
		v.Error = "Not started: " + errShuttingDown.Error() + "."
		tryPage(v).Render(r.Context(), w)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), tryAllDeadline)
	stop := context.AfterFunc(s.runner.ctx, cancel) // shutdown cancels it too
	started := time.Now().UTC()
	m := discover.TryAll(ctx, host, "", probe.Secret{}, discover.TryOptions{
		Probe: probe.Options{
			RootCAs:      s.tryRootCAs(host),
			StepTimeout:  s.cfg.StepTimeout,
			TotalTimeout: min(cmpOr(s.cfg.TotalTimeout, tryAllDeadline), tryAllDeadline),
			Policy:       s.policy.CheckAddr,
			Origin:       s.cfg.Origin,
		},
		Combos: s.cfg.TryCombos,
	})
	stop()
	cancel()
	<-s.runner.sem

	v.Best = m.Best
	for _, row := range m.Rows {
		res := row.Result
		res.ID = newID()
		res.Status = probe.StatusDone
		res.Settings = probe.Settings{Host: host, Port: row.Port, Security: row.Security, Mech: probe.MechAuto}
		res.Origin = cmpOr(res.Origin, s.cfg.Origin)
		if res.StartedAt.IsZero() {
			res.StartedAt = started
		}
		// The request may be gone; the attempts were made and are kept.
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := s.store.Create(sctx, res)
		scancel()
		tr := tryRow{Row: row}
		if err != nil {
			s.log.ErrorContext(r.Context(), "store a try-all attempt", "request_id", reqID(r.Context()), "err", err)
		} else {
			tr.ID = res.ID
		}
		v.Rows = append(v.Rows, tr)
	}
	s.log.InfoContext(r.Context(), "try-all finished", "host", host, "best", m.Best)
	tryPage(v).Render(r.Context(), w)
}

// tryRootCAs trusts the sandbox's CA when the host is this machine and the
// sandbox runs (its servers use that CA), the configured roots otherwise.
func (s *Server) tryRootCAs(host string) *x509.CertPool {
	if sb := s.cfg.Sandbox; sb != nil {
		if a, err := netip.ParseAddr(strings.Trim(host, "[]")); (err == nil && a.IsLoopback()) || strings.EqualFold(host, "localhost") {
			return sb.RootCAs()
		}
	}
	return s.cfg.RootCAs
}

func comboLabel(port int, sec probe.Security) string {
	return strconv.Itoa(port) + " " + securityLabel(sec)
}
