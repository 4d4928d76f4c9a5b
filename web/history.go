package web

import (
	"cmp"
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// historyView is what the history page shows.
type historyView struct {
	Q        historyQuery
	Page     store.Page
	Counts   store.Counts
	Codes    []codeCount // Counts.ByCode, most frequent first
	OlderURL string
	CSVURL   string
	Deleted  bool
	// Bad is the filter field that could not be read, shown beside it
	// instead of a whole-page error; no tests are listed until it is fixed.
	Bad *filterError
	// ShowUser is false when no listed test has a username: an empty
	// column only pushes the others off a phone's screen.
	ShowUser bool
	// NoneTicked: Compare was pressed with nothing ticked.
	NoneTicked bool
	// Sandbox are the demo servers' addresses when the sandbox runs; their
	// tests are left out unless ShowSandbox.
	Sandbox     []store.Target
	ShowSandbox bool
}

// filterError is a filter field that could not be read.
type filterError struct {
	Field string // the query parameter: host, outcome, since, ...
	Msg   string
}

func (e *filterError) Error() string { return e.Field + ": " + e.Msg }

// badField makes a filterError for a field.
func badField(field, msg string) error { return &filterError{Field: field, Msg: msg} }

type codeCount struct {
	Code string
	N    int64
}

// historyQuery is the filter as typed, kept as text to refill the form.
type historyQuery struct {
	Host, Outcome, Code, Q, Since, Until, Kind string
}

// parseHistoryFilter reads the filters shared by /history, /history.csv
// and GET /api/v1/probes. since/until take a date (2006-01-02), a
// datetime-local value (2006-01-02T15:04) or RFC 3339.
func parseHistoryFilter(v url.Values) (store.Filter, historyQuery, error) {
	hq := historyQuery{
		Host: strings.TrimSpace(v.Get("host")), Outcome: v.Get("outcome"), Code: strings.TrimSpace(v.Get("code")),
		Q: strings.TrimSpace(v.Get("q")), Since: v.Get("since"), Until: v.Get("until"),
	}
	f := store.Filter{Code: hq.Code, Q: hq.Q, Cursor: cmp.Or(v.Get("cursor"), v.Get("before"))}
	hq.Kind = v.Get("kind")
	switch k := probe.Kind(hq.Kind); k {
	case "", probe.KindProbe, probe.KindExplain, probe.KindMonitor:
		f.Kind = k
	default:
		return f, hq, badField("kind", "choose probe, explain or monitor")
	}
	for _, fs := range [][2]string{{"host", hq.Host}, {"code", hq.Code}, {"q", hq.Q}} {
		if len(fs[1]) > 300 || probe.HasControl(fs[1]) {
			return f, hq, badField(fs[0], "filters must be short and hold no control characters")
		}
	}
	if hq.Host != "" {
		host, port, err := probe.ParseHost(hq.Host)
		if err != nil {
			return f, hq, badField("host", "host "+err.Error())
		}
		f.Host = host
		if port != "" {
			f.Port, _ = strconv.Atoi(port)
		}
	}
	if p := v.Get("port"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return f, hq, badField("port", "want a number from 1 to 65535")
		}
		f.Port = n
	}
	switch probe.Outcome(hq.Outcome) {
	case "", probe.OutcomeSuccess, probe.OutcomeWarning, probe.OutcomeFailure:
		f.Outcome = probe.Outcome(hq.Outcome)
	default:
		return f, hq, badField("outcome", "choose success, warning or failure")
	}
	var err error
	if f.Since, err = parseWhen(hq.Since, false); err != nil {
		return f, hq, badField("since", err.Error())
	}
	if f.Until, err = parseWhen(hq.Until, true); err != nil {
		return f, hq, badField("until", err.Error())
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return f, hq, badField("limit", "want a positive number")
		}
		f.Limit = min(n, store.MaxLimit)
	}
	return f, hq, nil
}

// parseWhen reads a time filter; a bare date as "until" means the end of
// that day.
func parseWhen(s string, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02T15:04", s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if endOfDay {
			t = t.Add(24 * time.Hour)
		}
		return t, nil
	}
	return time.Time{}, errors.New("want a date such as 2026-01-31")
}

func (s *Server) listError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrBadCursor) {
		s.clientError(w, r, http.StatusBadRequest, "Bad page link", "That page link is not valid; start from the first page.")
		return
	}
	s.serverError(w, r, "listing past tests", err)
}

// history is GET /history: newest first, filtered, with counts.
func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	f, hq, err := parseHistoryFilter(r.URL.Query())
	if fe := (*filterError)(nil); errors.As(err, &fe) {
		// The form comes back with the message beside the field, so the
		// person fixes it where they typed it.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusBadRequest)
		historyPage(historyView{Q: hq, Bad: fe, CSVURL: "/history.csv"}).Render(r.Context(), w)
		return
	} else if err != nil {
		s.clientError(w, r, http.StatusBadRequest, "Bad filter", err.Error())
		return
	}
	showSandbox := r.URL.Query().Get("sandbox") == "1"
	if !showSandbox {
		f.Exclude = s.sandboxTargets()
	}
	page, err := s.store.List(r.Context(), f)
	if err != nil {
		s.listError(w, r, err)
		return
	}
	counts, err := s.store.Count(r.Context(), f)
	if err != nil {
		s.serverError(w, r, "counting past tests", err)
		return
	}
	v := historyView{Q: hq, Page: page, Counts: counts, Deleted: r.URL.Query().Get("deleted") != "",
		NoneTicked: r.URL.Query().Get("compare") == "none", Sandbox: s.sandboxTargets(), ShowSandbox: showSandbox}
	for _, a := range page.Attempts {
		v.ShowUser = v.ShowUser || a.User != ""
	}
	for c, n := range counts.ByCode {
		v.Codes = append(v.Codes, codeCount{c, n})
	}
	slices.SortFunc(v.Codes, func(a, b codeCount) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Code, b.Code)) })
	q := r.URL.Query()
	q.Del("deleted")
	q.Del("compare")
	q.Del("cursor")
	v.CSVURL = "/history.csv?" + q.Encode()
	if page.Next != "" {
		q.Set("cursor", page.Next)
		v.OlderURL = "/history?" + q.Encode()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	historyPage(v).Render(r.Context(), w)
}

// csvMaxRows bounds one export.
const csvMaxRows = 50000

// historyCSV is GET /history.csv: the same filters, every page, as CSV.
func (s *Server) historyCSV(w http.ResponseWriter, r *http.Request) {
	f, _, err := parseHistoryFilter(r.URL.Query())
	if err != nil {
		s.clientError(w, r, http.StatusBadRequest, "Bad filter", err.Error())
		return
	}
	f.Limit = store.MaxLimit
	f.Cursor = ""
	if r.URL.Query().Get("sandbox") != "1" {
		f.Exclude = s.sandboxTargets()
	}
	first, err := s.store.List(r.Context(), f)
	if err != nil {
		s.listError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="smtpdoctor-history.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "started_at", "host", "port", "security", "user", "status", "outcome", "code", "title", "failed_step", "duration_ms", "reply", "url", "kind"})
	page, rows := first, 0
	for {
		for _, a := range page.Attempts {
			cw.Write([]string{a.ID, a.StartedAt.UTC().Format(time.RFC3339), csvCell(a.Host), strconv.Itoa(a.Port),
				string(a.Security), csvCell(a.User), string(a.Status), string(a.Outcome), a.Code, csvCell(a.Title),
				a.FailedStep, strconv.FormatInt(a.DurationMS, 10), csvCell(a.Reply), s.absURL(r, "/p/"+a.ID), string(a.Kind)})
			rows++
		}
		if page.Next == "" || rows >= csvMaxRows {
			break
		}
		f.Cursor = page.Next
		if page, err = s.store.List(r.Context(), f); err != nil {
			s.log.ErrorContext(r.Context(), "csv export", "request_id", reqID(r.Context()), "err", err)
			break
		}
	}
	cw.Flush()
}

// csvCell defuses spreadsheet formulas: server text and user names are
// untrusted, and a cell starting with = + - @ would be evaluated.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

type apiList struct {
	Probes []listedAttempt `json:"probes"`
	Next   string          `json:"next"`
}

// listedAttempt is one entry of the API's list, with its permalink as an
// absolute link.
type listedAttempt struct {
	store.Summary
	URL string `json:"url"`
}

// apiList is GET /api/v1/probes: newest first, {"probes":[…],"next":"…"}.
func (s *Server) apiList(w http.ResponseWriter, r *http.Request) {
	f, _, err := parseHistoryFilter(r.URL.Query())
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: err.Error()})
		return
	}
	page, err := s.store.List(r.Context(), f)
	if err != nil {
		s.listError(w, r, err)
		return
	}
	out := apiList{Probes: make([]listedAttempt, 0, len(page.Attempts)), Next: page.Next}
	for _, a := range page.Attempts {
		out.Probes = append(out.Probes, listedAttempt{Summary: a, URL: s.absURL(r, "/p/"+a.ID)})
	}
	writeJSON(w, http.StatusOK, out)
}

// replyLine is the one line of the server's reply a history row shows:
// a reply that starts with its code ("535 5.7.8 …", or "5.7.8 …" as
// attempts stored before codes were kept read). A Go error (a refused
// connection) is left to the permalink, beside the rest of the evidence.
func replyLine(a store.Summary) string {
	r := a.Reply
	if len(r) >= 4 && isDigit(r[0]) && isDigit(r[1]) && isDigit(r[2]) && r[3] == ' ' {
		return r
	}
	if len(r) >= 5 && isDigit(r[0]) && r[1] == '.' && isDigit(r[2]) && r[3] == '.' {
		return r
	}
	return ""
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// fieldError is the message for one filter field, "" when it is fine.
func (v historyView) fieldError(field string) string {
	if v.Bad != nil && v.Bad.Field == field {
		return v.Bad.Msg
	}
	return ""
}

// dateValue is a time filter as a date input can show it (YYYY-MM-DD), or
// "" for anything else (a typed RFC 3339 time still filters; the input
// just starts blank).
func dateValue(s string) string {
	if len(s) >= 10 {
		if _, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return s[:10]
		}
	}
	return ""
}

// fmtShortTime is a history row's time: date and minute, no seconds or
// zone (the column says UTC), so it fits on one line.
func fmtShortTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// invalid is an aria-invalid value: "true" when msg says what is wrong.
func invalid(msg string) string {
	if msg != "" {
		return "true"
	}
	return "false"
}

// roleAlert announces a field's message when there is one.
func roleAlert(msg string) string {
	if msg != "" {
		return "alert"
	}
	return "none"
}
