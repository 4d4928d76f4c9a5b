package web

import (
	"net/http"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// compareView is the side-by-side page of two attempts, or, with only one
// chosen, the list of others to compare it with.
type compareView struct {
	A, B     probe.Result
	Rows     []compareRow
	Differ   int
	OnlyDiff bool
	// Picking: only A is chosen; Others are attempts to pick B from.
	Picking bool
	Others  []store.Summary
}

// compare is GET /compare?a={id}&b={id} (or ?id=…&id=… from the history's
// checkboxes). With only a, it lists other attempts of the same server to
// pick from. ?diff=1 shows only what differs.
func (s *Server) compare(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ids := q["id"]
	if a := q.Get("a"); a != "" {
		ids = append([]string{a}, ids...)
	}
	if b := q.Get("b"); b != "" {
		ids = append(ids, b)
	}
	if len(ids) == 0 {
		// Compare pressed with nothing ticked: back to the history, which
		// says what to do, rather than a page with nowhere to go.
		http.Redirect(w, r, "/history?compare=none", http.StatusSeeOther)
		return
	}
	if len(ids) > 2 {
		s.clientError(w, r, http.StatusBadRequest, "Choose two tests",
			"Comparing takes two tests: tick two in the history and press Compare, or use “Compare with…” on a test's page.")
		return
	}
	var res [2]probe.Result
	for i, raw := range ids {
		id, ok := attempt.ParseID(strings.TrimSpace(raw))
		if !ok {
			s.clientError(w, r, http.StatusNotFound, "No such test", "One of the links does not name a test. Check that it was copied whole.")
			return
		}
		got, err := s.getAttempt(r, id)
		if err != nil {
			s.notFoundOr(w, r, "loading a test to compare", err)
			return
		}
		res[i] = got
	}
	v := compareView{A: res[0], OnlyDiff: q.Get("diff") != ""}
	if len(ids) == 1 {
		v.Picking = true
		page, err := s.store.List(r.Context(), store.Filter{Host: v.A.Settings.Host, Limit: 30})
		if err != nil {
			s.listError(w, r, err)
			return
		}
		for _, a := range page.Attempts {
			if a.ID != v.A.ID {
				v.Others = append(v.Others, a)
			}
		}
	} else {
		v.B = res[1]
		// Older on the left: the table then reads "was → is".
		if v.B.StartedAt.Before(v.A.StartedAt) {
			v.A, v.B = v.B, v.A
		}
		v.Rows = compareResults(v.A, v.B)
		for _, row := range v.Rows {
			if row.Differs {
				v.Differ++
			}
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	comparePage(v).Render(r.Context(), w)
}

// getAttempt reads an attempt: the live snapshot when it runs here, else
// the store.
func (s *Server) getAttempt(r *http.Request, id string) (probe.Result, error) {
	return s.attempts.Get(r.Context(), id)
}

// previousAttempt is the newest attempt of the same host:port before r,
// for the permalink's "compare with the previous test"; "" if none.
func (s *Server) previousAttempt(r *http.Request, res probe.Result) string {
	page, err := s.store.List(r.Context(), store.Filter{Host: res.Settings.Host, Port: res.Settings.Port,
		Until: res.StartedAt, Limit: 1})
	if err != nil {
		s.log.WarnContext(r.Context(), "find the previous attempt", "request_id", reqID(r.Context()), "err", err)
		return ""
	}
	if len(page.Attempts) == 0 || page.Attempts[0].ID == res.ID {
		return ""
	}
	return page.Attempts[0].ID
}

// compareGroup is the rows of one group (Settings, Server, TLS...).
type compareGroup struct {
	Name string
	Rows []compareRow
}

// groupRows splits rows by group, keeping order; onlyDiff drops the rows
// that match, and groups left empty.
func groupRows(rows []compareRow, onlyDiff bool) []compareGroup {
	var out []compareGroup
	for _, row := range rows {
		if onlyDiff && !row.Differs {
			continue
		}
		if len(out) == 0 || out[len(out)-1].Name != row.Group {
			out = append(out, compareGroup{Name: row.Group})
		}
		out[len(out)-1].Rows = append(out[len(out)-1].Rows, row)
	}
	return out
}
