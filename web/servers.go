package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// serversView is one row per host:port tried in the last Days days.
type serversView struct {
	Days    int
	Servers []store.ServerSummary
}

// parseDays reads ?days= (def when absent), 1 to 366.
func parseDays(r *http.Request, def int) (int, bool) {
	d := r.URL.Query().Get("days")
	if d == "" {
		return def, true
	}
	n, err := strconv.Atoi(d)
	if err != nil || n < 1 || n > 366 {
		return 0, false
	}
	return n, true
}

// servers is GET /servers?days=N (default 30): each server's last outcome,
// when it last worked, and a timeline of its recent attempts.
func (s *Server) servers(w http.ResponseWriter, r *http.Request) {
	days, ok := parseDays(r, 30)
	if !ok {
		s.clientError(w, r, http.StatusBadRequest, "Bad filter", "days: want a number from 1 to 366")
		return
	}
	list, err := s.store.Servers(r.Context(), time.Now().Add(-time.Duration(days)*24*time.Hour))
	if err != nil {
		s.serverError(w, r, "listing servers", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	serversPage(serversView{Days: days, Servers: list}).Render(r.Context(), w)
}

// Timeline geometry, in SVG user units: one mark per attempt, oldest on
// the left; the height says the outcome as well as the colour does, so it
// reads without colour (success tall, warning middle, failure short).
const (
	markW   = 12
	markGap = 4
	markH   = 28
)

func timelineWidth(n int) string { return strconv.Itoa(max(n, 1)*(markW+markGap) - markGap) }

func markX(i int) string { return strconv.Itoa(i * (markW + markGap)) }

func markHeight(p store.TimelinePoint) int {
	switch p.Outcome {
	case probe.OutcomeSuccess:
		return markH
	case probe.OutcomeWarning:
		return markH * 2 / 3
	case probe.OutcomeFailure:
		return markH / 3
	}
	return markH / 2
}

func markY(p store.TimelinePoint) string { return strconv.Itoa(markH - markHeight(p)) }

func markHStr(p store.TimelinePoint) string { return strconv.Itoa(markHeight(p)) }

func markClass(p store.TimelinePoint) string {
	if p.Outcome != "" {
		return "mark " + string(p.Outcome)
	}
	return "mark " + string(p.Status)
}

func markTitle(p store.TimelinePoint) string {
	what := string(p.Outcome)
	if what == "" {
		what = string(p.Status)
	}
	if p.Code != "" {
		what += " (" + p.Code + ")"
	}
	return fmtTime(p.At) + ": " + what
}

// timelineSummary says in words what the marks show.
func timelineSummary(pts []store.TimelinePoint) string {
	failed := 0
	for _, p := range pts {
		if p.Outcome == probe.OutcomeFailure {
			failed++
		}
	}
	return strconv.Itoa(failed) + " of the last " + strconv.Itoa(len(pts)) + " failed"
}

func hostQuery(sv store.ServerSummary) string {
	return "/history?host=" + queryEscape(sv.Host) + "&port=" + strconv.Itoa(sv.Port)
}

// countTests says how many tests, with the noun in the right number.
func countTests(n int64) string {
	if n == 1 {
		return "1 test"
	}
	return strconv.FormatInt(n, 10) + " tests"
}
