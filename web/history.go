package web

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
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
}

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
		return f, hq, errors.New("kind: choose probe, explain or monitor")
	}
	for _, s := range []string{hq.Host, hq.Code, hq.Q} {
		if len(s) > 300 || probe.HasControl(s) {
			return f, hq, errors.New("filters must be short and hold no control characters")
		}
	}
	if hq.Host != "" {
		host, port, err := probe.ParseHost(hq.Host)
		if err != nil {
			return f, hq, fmt.Errorf("host %w", err)
		}
		f.Host = host
		if port != "" {
			f.Port, _ = strconv.Atoi(port)
		}
	}
	if p := v.Get("port"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return f, hq, errors.New("port: want a number from 1 to 65535")
		}
		f.Port = n
	}
	switch probe.Outcome(hq.Outcome) {
	case "", probe.OutcomeSuccess, probe.OutcomeWarning, probe.OutcomeFailure:
		f.Outcome = probe.Outcome(hq.Outcome)
	default:
		return f, hq, errors.New("outcome: choose success, warning or failure")
	}
	var err error
	if f.Since, err = parseWhen(hq.Since, false); err != nil {
		return f, hq, fmt.Errorf("since: %w", err)
	}
	if f.Until, err = parseWhen(hq.Until, true); err != nil {
		return f, hq, fmt.Errorf("until: %w", err)
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return f, hq, errors.New("limit: want a positive number")
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
	if err != nil {
		s.clientError(w, r, http.StatusBadRequest, "Bad filter", err.Error())
		return
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
	v := historyView{Q: hq, Page: page, Counts: counts, Deleted: r.URL.Query().Get("deleted") != ""}
	for c, n := range counts.ByCode {
		v.Codes = append(v.Codes, codeCount{c, n})
	}
	slices.SortFunc(v.Codes, func(a, b codeCount) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Code, b.Code)) })
	q := r.URL.Query()
	q.Del("deleted")
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
