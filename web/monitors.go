package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/service"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// monitorsPerPage bounds the list: at ten thousand monitors a page of all
// of them would be megabytes; failing monitors come first anyway.
const monitorsPerPage = 100

// monitorTimelineLength is how many recent runs a row's timeline shows.
const monitorTimelineLength = 24

// monitorRow is one monitor on the list and on its page.
type monitorRow struct {
	M        watch.Monitor
	Uptime   watch.Uptime
	Timeline []store.RunPoint // oldest first
	// Failure is the diagnosis of the current failure (with remediation),
	// read from its kept attempt; nil unless failing.
	Failure *probe.Diagnosis
}

type monitorsView struct {
	Rows       []monitorRow
	Total      int
	Page       int
	Pages      int
	Counts     map[watch.State]int
	HasKey     bool
	Registered bool
}

// monitorsList is GET /monitors: every monitor's state, since when, uptime
// over 24 h / 7 d / 30 d, a timeline, the next run, and for a failing one
// the diagnosis and what fixes it.
func (s *Server) monitorsList(w http.ResponseWriter, r *http.Request) {
	if s.monitorsOff(w, r) {
		return
	}
	all := s.cfg.Monitors.List()
	v := monitorsView{Total: len(all), Page: 1, Counts: map[watch.State]int{}, HasKey: s.cfg.Monitors.HasKey()}
	for _, m := range all {
		v.Counts[m.Status.State]++
	}
	v.Pages = max(1, (len(all)+monitorsPerPage-1)/monitorsPerPage)
	if p, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && p >= 1 && p <= v.Pages {
		v.Page = p
	}
	lo := (v.Page - 1) * monitorsPerPage
	page := all[lo:min(lo+monitorsPerPage, len(all))]
	rows, err := s.monitorRows(r, page, monitorTimelineLength)
	if err != nil {
		s.serverError(w, r, "listing monitors", err)
		return
	}
	v.Rows = rows
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	monitorsPage(v).Render(r.Context(), w)
}

// monitorRows reads what the pages show beside each monitor: uptime (from
// hourly and daily buckets), recent runs, and the current failure's
// diagnosis.
func (s *Server) monitorRows(r *http.Request, ms []watch.Monitor, timeline int) ([]monitorRow, error) {
	ctx := r.Context()
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	var up map[string]watch.Uptime
	if len(ids) > 0 {
		var err error
		if up, err = s.store.Uptimes(ctx, time.Now(), ids...); err != nil {
			return nil, err
		}
	}
	recent, err := s.store.RecentRuns(ctx, time.Now(), timeline, ids...)
	if err != nil {
		return nil, err
	}
	rows := make([]monitorRow, len(ms))
	for i, m := range ms {
		u, ok := up[m.ID]
		if !ok {
			u = watch.Uptime{Day: -1, Week: -1, Month: -1}
		}
		runs := recent[m.ID]
		slices.Reverse(runs)
		rows[i] = monitorRow{M: m, Uptime: u, Timeline: runs}
		if m.Status.State != watch.StateFailing {
			continue
		}
		if len(m.Status.Remediation) > 0 {
			rows[i].Failure = &probe.Diagnosis{Code: m.Status.Code, Title: m.Status.Title, Remediation: m.Status.Remediation}
			continue
		}
		// Older statuses kept no remediation: read it from the attempt
		// that went failing, or past the retention from the latest run's.
		for _, id := range []string{m.Status.AttemptID, lastAttempt(m)} {
			if id == "" {
				continue
			}
			res, err := s.store.Get(ctx, id)
			if err == nil {
				rows[i].Failure = res.Diagnosis
				break
			}
			if !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
		}
	}
	return rows, nil
}

func lastAttempt(m watch.Monitor) string {
	if m.Status.Last == nil {
		return ""
	}
	return m.Status.Last.AttemptID
}

type monitorView struct {
	Row        monitorRow
	Deliveries []watch.Delivery
	Notice     string
	Error      string
	// HasKey says alert addresses are kept encrypted.
	HasKey bool
}

// hasWebhook says some alert has an address (a token, for most services).
func hasWebhook(as []watch.Alert) bool {
	for _, a := range as {
		if a.Sealable() {
			return true
		}
	}
	return false
}

// monitorPage is GET /monitors/{id}: the monitor, its recent runs, the
// login hold if any, and the alert delivery log.
func (s *Server) monitorPage(w http.ResponseWriter, r *http.Request) {
	if s.monitorsOff(w, r) {
		return
	}
	s.renderMonitor(w, r, http.StatusOK, noticeFor(r.URL.Query().Get("done")), "")
}

func noticeFor(done string) string {
	switch done {
	case "created":
		return "The monitor is saved; its first run starts now. This page shows it once it ends."
	case "test":
		return "A test alert is on its way to every channel; the delivery log below shows how each went."
	case "resumed":
		return "The monitor logs in again from its next run, which starts now."
	case "edited":
		return "The monitor is saved; it runs with the new settings now (a login hold, if any, is lifted)."
	case "password":
		return "The new password is saved (encrypted); the monitor logs in with it from its next run, which starts now."
	}
	return ""
}

func (s *Server) renderMonitor(w http.ResponseWriter, r *http.Request, status int, notice, errMsg string) {
	m, ok := s.cfg.Monitors.Get(chi.URLParam(r, "id"))
	if !ok {
		s.clientError(w, r, http.StatusNotFound, "No such monitor", "There is no monitor at this address. It may have been deleted.")
		return
	}
	rows, err := s.monitorRows(r, []watch.Monitor{m}, 60)
	if err != nil {
		s.serverError(w, r, "reading the monitor", err)
		return
	}
	ds, err := s.store.Deliveries(r.Context(), m.ID, 50)
	if err != nil {
		s.serverError(w, r, "reading the delivery log", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	monitorPageView(monitorView{Row: rows[0], Deliveries: ds, Notice: notice, Error: errMsg, HasKey: s.cfg.Monitors.HasKey()}).Render(r.Context(), w)
}

// monitorAction runs one of the buttons on a monitor's page and goes back
// to it (POST, then redirect: a reload does not repeat the action).
func (s *Server) monitorAction(do func(r *http.Request, id string) error, done string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.monitorsOff(w, r) {
			return
		}
		id := chi.URLParam(r, "id")
		err := do(r, id)
		var ie *service.InputError
		switch {
		case errors.Is(err, service.ErrNotFound):
			s.clientError(w, r, http.StatusNotFound, "No such monitor", "There is no monitor at this address. It may have been deleted.")
		case errors.As(err, &ie):
			s.renderMonitor(w, r, http.StatusBadRequest, "", ie.Error())
		case err != nil:
			s.serverError(w, r, "changing the monitor", err)
		case done == "deleted":
			http.Redirect(w, r, "/monitors", http.StatusSeeOther)
		default:
			http.Redirect(w, r, "/monitors/"+id+"?done="+done, http.StatusSeeOther)
		}
	}
}

func (s *Server) monitorTest(r *http.Request, id string) error {
	return s.cfg.Monitors.TestAlert(r.Context(), id)
}

func (s *Server) monitorResume(r *http.Request, id string) error {
	return s.cfg.Monitors.ResumeLogin(r.Context(), id)
}

func (s *Server) monitorDelete(r *http.Request, id string) error {
	return s.cfg.Monitors.Delete(r.Context(), id)
}

// monitorPassword changes the password a monitor logs in with: an edit,
// so a login hold is lifted.
func (s *Server) monitorPassword(r *http.Request, id string) error {
	m, ok := s.cfg.Monitors.Get(id)
	if !ok {
		return service.ErrNotFound
	}
	pw := r.PostFormValue("password")
	switch {
	case pw == "":
		return &service.InputError{Err: errors.New("type the new password (it is stored encrypted, and never shown)")}
	case len(pw) > probe.MaxPasswordLength || strings.ContainsRune(pw, 0):
		return &service.InputError{Err: fmt.Errorf("the password must be at most %d characters, without NUL", probe.MaxPasswordLength)}
	}
	_, err := s.cfg.Monitors.Update(r.Context(), m, service.Secrets{Login: &pw})
	return err
}

// Formatting for the monitor views.

func uptimeText(f float64) string {
	if f < 0 {
		return "—"
	}
	if f == 1 {
		return "100%"
	}
	return strconv.FormatFloat(f*100, 'f', 2, 64) + "%"
}

func stateClass(st watch.State) string {
	switch st {
	case watch.StateFailing:
		return "badge failure"
	case watch.StateWarning:
		return "badge warning"
	case watch.StateOK:
		return "badge ok"
	}
	return "badge queued"
}

func sinceText(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	d := time.Since(t).Round(time.Minute)
	if d < time.Minute {
		return "since " + fmtTime(t) + " (just now)"
	}
	return "since " + fmtTime(t) + " (" + shortDuration(d) + ")"
}

func shortDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return strconv.Itoa(int(d.Hours()/24)) + " days"
	case d >= time.Hour:
		return strconv.Itoa(int(d.Hours())) + " h"
	default:
		return strconv.Itoa(int(d.Minutes())) + " min"
	}
}

func nextRunText(m watch.Monitor) string {
	if m.NextRunAt.IsZero() {
		return "—"
	}
	d := time.Until(m.NextRunAt)
	if d <= 0 {
		return "now"
	}
	return "in " + d.Round(time.Second).String()
}

func runMarkHeight(p store.RunPoint) int { return outcomeMarkHeight(p.Outcome) }

func runMarkTitle(p store.RunPoint) string {
	s := fmtTime(p.At) + ": " + string(p.Outcome)
	if p.Code != "" {
		s += " (" + string(p.Code) + ")"
	}
	return s + fmt.Sprintf(", %d ms", p.DurationMS)
}

func runTimelineSummary(pts []store.RunPoint) string {
	failed := 0
	for _, p := range pts {
		if p.Outcome == probe.OutcomeFailure {
			failed++
		}
	}
	return strconv.Itoa(failed) + " of the last " + strconv.Itoa(len(pts)) + " runs failed"
}

func intervalText(d time.Duration) string { return "every " + watch.FormatInterval(d) }

func deliveryClass(d watch.Delivery) string {
	switch {
	case d.OK:
		return "badge ok"
	case d.Final:
		return "badge failure"
	}
	return "badge warning"
}

func deliveryState(d watch.Delivery) string {
	switch {
	case d.OK:
		return "delivered"
	case d.Final:
		return "failed"
	}
	return "will retry"
}
