package store

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestQueryPlans pins the plans that make history pages fast at any size
// (README, Performance): each filtered page walks an index already in (started_at, id)
// order and stops after LIMIT rows. "USE TEMP B-TREE" would mean SQLite
// sorts every matching row first: fine at a thousand rows, not at a million.
// Timing is for the benchmarks; this checks the reason they are fast.
func TestQueryPlans(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cursor := encodeCursor(time.Now().UnixMilli(), "someid")
	tests := []struct {
		name  string
		f     Filter
		index string
	}{
		{"first page", Filter{}, "attempts_started"},
		{"next page", Filter{Cursor: cursor}, "attempts_started"},
		{"host", Filter{Host: "smtp.gmail.com"}, "attempts_host"},
		{"host next page", Filter{Host: "smtp.gmail.com", Cursor: cursor}, "attempts_host"},
		{"host and port", Filter{Host: "smtp.gmail.com", Port: 587}, "attempts_host_port"},
		{"code", Filter{Code: "auth.blocked_by_policy"}, "attempts_code"},
		{"code next page", Filter{Code: "auth.blocked_by_policy", Cursor: cursor}, "attempts_code"},
		{"outcome", Filter{Outcome: "failure"}, "attempts_outcome"},
		{"since", Filter{Since: time.Now().Add(-time.Hour)}, "attempts_started"},
		{"free text, common term", Filter{Q: "5.7.8"}, "attempts_started"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, args, _, err := tt.f.listQuery(dialectSQLite, false)
			if err != nil {
				t.Fatal(err)
			}
			plan := explain(t, s, q, args...)
			if strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("plan sorts:\n%s", plan)
			}
			if !regexp.MustCompile(`INDEX ` + tt.index + `\b`).MatchString(plan) {
				t.Errorf("plan does not use %s:\n%s", tt.index, plan)
			}
		})
	}

	// A rare term goes through the trigram index: its candidates (fewer
	// than rareSearch) are fetched by rowid and sorted.
	q, args, _, err := Filter{Q: "5.7.8"}.listQuery(dialectSQLite, true)
	if err != nil {
		t.Fatal(err)
	}
	if plan := explain(t, s, q, args...); !strings.Contains(plan, "attempts_search") {
		t.Errorf("a rare free-text term does not use the trigram index:\n%s", plan)
	}

	plan := explain(t, s, `SELECT status, doc FROM attempts
		WHERE host = ? AND port = ? AND outcome IN ('success', 'warning') AND started_at < ?
		ORDER BY started_at DESC, id DESC LIMIT 1`, "h", 587, 0)
	if !strings.Contains(plan, "attempts_worked") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("LastSuccessBefore does not walk attempts_worked:\n%s", plan)
	}
	plan = explain(t, s, `SELECT started_at FROM attempts
		WHERE host = ? AND port = ? AND outcome IN ('success', 'warning') AND kind IN `+testedKinds+`
		ORDER BY started_at DESC, id DESC LIMIT 1`, "h", 587)
	if !strings.Contains(plan, "attempts_worked") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("Servers' last success does not use attempts_worked:\n%s", plan)
	}
	plan = explain(t, s, `UPDATE attempts SET status = 'interrupted' WHERE status IN ('queued', 'running')`)
	if !strings.Contains(plan, "attempts_unfinished") {
		t.Errorf("MarkInterrupted scans the table:\n%s", plan)
	}
}

func explain(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	rows, err := s.read.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "\n")
}
