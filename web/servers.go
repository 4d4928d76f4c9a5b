package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// serversView is one row per host:port tried in the last Days days.
type serversView struct {
	Days   int
	Groups []serverGroup
}

// serverGroup is one host and the ports tried on it.
type serverGroup struct {
	Host    string
	Failing int // ports whose last test failed
	Ports   []store.ServerSummary
}

// groupServers puts the ports of one host together, the hosts with a
// failing port first (those need attention), then the most recently
// tested; within a host, failing ports first, then by port.
func groupServers(list []store.ServerSummary) []serverGroup {
	var groups []serverGroup
	at := map[string]int{}
	for _, sv := range list {
		i, ok := at[sv.Host]
		if !ok {
			i = len(groups)
			at[sv.Host] = i
			groups = append(groups, serverGroup{Host: sv.Host})
		}
		g := &groups[i]
		g.Ports = append(g.Ports, sv)
		if sv.LastOutcome == probe.OutcomeFailure {
			g.Failing++
		}
	}
	failing := func(sv store.ServerSummary) bool { return sv.LastOutcome == probe.OutcomeFailure }
	for i := range groups {
		slices.SortStableFunc(groups[i].Ports, func(a, b store.ServerSummary) int {
			return cmp.Or(-cmpBool(failing(a), failing(b)), cmp.Compare(a.Port, b.Port))
		})
	}
	// list is most recently tested first, and the sort is stable.
	slices.SortStableFunc(groups, func(a, b serverGroup) int { return -cmpBool(a.Failing > 0, b.Failing > 0) })
	return groups
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

// retestURL fills the form with the settings of a server's last test, so
// re-testing it is one click and the password (never stored) is typed again.
func retestURL(sv store.ServerSummary) string { return "/?from=" + sv.LastID }

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
	serversPage(serversView{Days: days, Groups: groupServers(list)}).Render(r.Context(), w)
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

func markHeight(p store.TimelinePoint) int { return outcomeMarkHeight(p.Outcome) }

// outcomeMarkHeight is how tall an outcome's mark stands in every timeline
// (servers and monitors alike), so the shape reads without colour.
func outcomeMarkHeight(o probe.Outcome) int {
	switch o {
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
