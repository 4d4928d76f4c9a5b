package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
)

// breakdownView is a heat table: one row per diagnosis code, one column
// per UTC day, the count in each cell, shaded by how large it is against
// the largest cell, so a spike (auth.blocked_by_policy on Monday) stands
// out at a glance and still reads as a number without colour.
type breakdownView struct {
	Days  int
	Dates []time.Time // column starts, oldest first
	Rows  []breakdownRow
	Total []int64 // per column
	All   int64   // every test in the table
	Max   int64
}

type breakdownRow struct {
	Code   string
	Title  string  // the diagnosis's title, for people who do not read codes
	Counts []int64 // per column
	Sum    int64
}

// breakdown is GET /breakdown?days=N (default 14): diagnosis codes per day.
func (s *Server) breakdown(w http.ResponseWriter, r *http.Request) {
	days, ok := parseDays(r, 14)
	if !ok {
		s.clientError(w, r, http.StatusBadRequest, "Bad filter", "days: want a number from 1 to 366")
		return
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	since := today.AddDate(0, 0, -(days - 1))
	rows, err := s.store.Breakdown(r.Context(), since, 24*time.Hour)
	if err != nil {
		s.serverError(w, r, "counting diagnoses per day", err)
		return
	}
	v := breakdownView{Days: days, Total: make([]int64, days)}
	for i := range days {
		v.Dates = append(v.Dates, since.AddDate(0, 0, i))
	}
	byCode := map[string]*breakdownRow{}
	for _, br := range rows {
		col := int(br.Bucket.Sub(since) / (24 * time.Hour))
		if col < 0 || col >= days {
			continue
		}
		row := byCode[br.Code]
		if row == nil {
			row = &breakdownRow{Code: br.Code, Title: codeTitle(br.Code), Counts: make([]int64, days)}
			byCode[br.Code] = row
		}
		row.Counts[col] += br.Count
		row.Sum += br.Count
		v.Total[col] += br.Count
		v.All += br.Count
		v.Max = max(v.Max, row.Counts[col])
	}
	for _, row := range byCode {
		v.Rows = append(v.Rows, *row)
	}
	slices.SortFunc(v.Rows, func(a, b breakdownRow) int { return cmp.Or(cmp.Compare(b.Sum, a.Sum), cmp.Compare(a.Code, b.Code)) })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	breakdownPage(v).Render(r.Context(), w)
}

// heatClass shades a cell in five steps of its share of the largest cell;
// "ok" is shaded green, every other code red.
func heatClass(code string, n, maxN int64) string {
	if n == 0 || maxN == 0 {
		return "heat h0"
	}
	level := (n*5 + maxN - 1) / maxN // 1..5, rounding up so 1 is never blank
	c := "heat h" + strconv.FormatInt(level, 10)
	if code == "ok" {
		c += " good"
	}
	return c
}

// dayHistoryURL is the history filtered to one code on one UTC day.
func dayHistoryURL(code string, day time.Time) string {
	d := day.Format(time.DateOnly)
	return "/history?code=" + queryEscape(code) + "&since=" + d + "&until=" + d
}

func dayLabel(t time.Time) string { return t.Format("Mon 2 Jan") }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// codeTitles maps each diagnosis code to its rule's title.
var codeTitles = sync.OnceValue(func() map[probe.Code]string {
	m := map[probe.Code]string{}
	for _, r := range diagnosis.Rules() {
		if _, ok := m[r.Code]; !ok {
			m[r.Code] = r.Title
		}
	}
	return m
})

// codeTitle is the title of a diagnosis code, "" for a code no rule has
// (one recorded by an older or newer version).
func codeTitle(code string) string { return codeTitles()[probe.Code(code)] }

// heatLevels are the legend's steps, lightest first.
var heatLevels = []string{"heat h1", "heat h2", "heat h3", "heat h4", "heat h5"}
