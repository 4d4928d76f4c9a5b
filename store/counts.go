package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Counts is how many attempts match a filter, in all and split two ways.
type Counts struct {
	Total     int64                   `json:"total"`
	ByOutcome map[probe.Outcome]int64 `json:"by_outcome"` // unfinished attempts have no outcome and are in Total only
	ByCode    map[string]int64        `json:"by_code"`    // undiagnosed attempts are in Total only
	// Capped is set when a free-text search matched more than
	// SearchCountCap attempts: the counts are then of the newest ones
	// only, and Total means "more than SearchCountCap".
	Capped bool `json:"capped,omitempty"`
}

// SearchCountCap bounds how many free-text matches Count counts one by one,
// so that a common term costs a bounded walk, not one over every attempt.
const SearchCountCap = 10000

func (c *Counts) add(outcome, code string, n int64) {
	if n == 0 {
		return // a daily count that went back to zero
	}
	c.Total += n
	if outcome != "" {
		c.ByOutcome[probe.Outcome(outcome)] += n
	}
	if code != "" {
		c.ByCode[code] += n
	}
}

// Count counts the attempts matching f (Limit and Cursor are ignored).
//
// Filters by time, host (and port), outcome, code and kind are answered
// from the per-day counts plus at most two partial days, so they cost milliseconds
// at any size. A Q filter (or a port without a host) counts the matching
// attempts one by one: the cost grows with the rows in the window.
func (s *Store) Count(ctx context.Context, f Filter) (Counts, error) {
	if f.Host == "" && len(f.Exclude) > 0 {
		return s.countExcluding(ctx, f)
	}
	f.Cursor, f.Limit = "", 0
	c := Counts{ByOutcome: map[probe.Outcome]int64{}, ByCode: map[string]int64{}}
	// One read transaction: every part sees the same snapshot.
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return c, fmt.Errorf("store: count attempts: %w", err)
	}
	defer tx.Rollback()

	if strings.TrimSpace(f.Q) != "" {
		return c, s.countSearch(ctx, tx, f, &c)
	}
	w, ok := splitWindow(f.Since, f.Until)
	if !ok || (f.Port != 0 && f.Host == "") {
		return c, countAttempts(ctx, tx, s.d, f, &c)
	}
	q := `SELECT outcome, code, SUM(n) FROM daily_codes WHERE day >= ? AND day < ?`
	args := []any{w.fromDay, w.toDay}
	if f.Host != "" {
		q = `SELECT outcome, code, SUM(n) FROM daily_host_codes WHERE host = ? AND day >= ? AND day < ?`
		args = []any{normHost(f.Host), w.fromDay, w.toDay}
		if f.Port != 0 {
			q += ` AND port = ?`
			args = append(args, f.Port)
		}
	}
	if f.Outcome != "" {
		q += ` AND outcome = ?`
		args = append(args, string(f.Outcome))
	}
	if f.Code != "" {
		q += ` AND code = ?`
		args = append(args, f.Code)
	}
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, string(f.Kind))
	}
	if err := sumRows(ctx, tx, q+` GROUP BY outcome, code`, args, &c); err != nil {
		return c, err
	}
	for _, e := range w.edges {
		if err := countAttempts(ctx, tx, s.d, edgeFilter(f, e), &c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// countAttempts adds the attempts matching f, counted one by one.
func countAttempts(ctx context.Context, q querier, d dialect, f Filter, c *Counts) error {
	where, args, err := f.where(d, false, false)
	if err != nil {
		return err
	}
	return sumRows(ctx, q, `SELECT outcome, code, COUNT(*) FROM attempts`+where+` GROUP BY outcome, code`, args, c)
}

// countSearch counts the newest matches of a free-text filter, at most
// SearchCountCap of them (one more tells that there are more).
func (s *Store) countSearch(ctx context.Context, tx querier, f Filter, c *Counts) error {
	viaIndex, err := s.searchIsRare(ctx, tx, f.Q)
	if err != nil {
		return fmt.Errorf("store: count attempts: %w", err)
	}
	where, args, err := f.where(s.d, false, viaIndex)
	if err != nil {
		return err
	}
	err = sumRows(ctx, tx, `SELECT outcome, code, COUNT(*) FROM (SELECT outcome, code FROM attempts`+where+`
		ORDER BY started_at DESC, id DESC LIMIT ?) AS newest GROUP BY outcome, code`, append(args, SearchCountCap+1), c)
	if c.Total > SearchCountCap {
		c.Capped = true
	}
	return err
}

// sumRows adds (outcome, code, n) rows to c.
func sumRows(ctx context.Context, q querier, query string, args []any, c *Counts) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: count attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var outcome, code string
		var n int64
		if err := rows.Scan(&outcome, &code, &n); err != nil {
			return fmt.Errorf("store: count attempts: %w", err)
		}
		c.add(outcome, code, n)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: count attempts: %w", err)
	}
	return nil
}
