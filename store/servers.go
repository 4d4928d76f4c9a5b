package store

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// TimelineLength is how many recent attempts ServerSummary.Timeline holds.
const TimelineLength = 20

// ServerSummary is one host:port as the servers view shows it.
type ServerSummary struct {
	Host        string        `json:"host"`
	Port        int           `json:"port"`
	Attempts    int64         `json:"attempts"` // since the time asked for
	LastID      string        `json:"last_id"`
	LastAt      time.Time     `json:"last_at"`
	LastStatus  probe.Status  `json:"last_status"`
	LastOutcome probe.Outcome `json:"last_outcome,omitempty"`
	LastCode    string        `json:"last_code,omitempty"`
	LastTitle   string        `json:"last_title,omitempty"`
	// LastSuccess is when an attempt last worked (outcome success or
	// warning), at any time, not only since; zero if never.
	LastSuccess time.Time `json:"last_success"`
	// Timeline is the last TimelineLength attempts since the time asked
	// for, oldest first (left to right on a chart).
	Timeline []TimelinePoint `json:"timeline"`
}

// TimelinePoint is one attempt on a server's timeline.
type TimelinePoint struct {
	ID      string        `json:"id"`
	At      time.Time     `json:"at"`
	Status  probe.Status  `json:"status"`
	Outcome probe.Outcome `json:"outcome,omitempty"`
	Code    string        `json:"code,omitempty"`
}

// Servers returns one row per host:port tried since the given time, the most
// recently tried first.
func (s *Store) Servers(ctx context.Context, since time.Time) ([]ServerSummary, error) {
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: servers: %w", err)
	}
	defer tx.Rollback()

	type hostPort struct {
		host string
		port int
	}
	counts := map[hostPort]int64{}
	sum := func(q string, args ...any) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("store: servers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k hostPort
			var n int64
			if err := rows.Scan(&k.host, &k.port, &n); err != nil {
				return fmt.Errorf("store: servers: %w", err)
			}
			counts[k] += n
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: servers: %w", err)
		}
		return nil
	}
	const scan = `SELECT host, port, COUNT(*) FROM attempts WHERE started_at >= ? AND started_at < ? GROUP BY host, port`
	if w, ok := splitWindow(since, time.Time{}); ok {
		if err := sum(`SELECT host, port, SUM(n) FROM daily_servers WHERE day >= ? GROUP BY host, port`, w.fromDay); err != nil {
			return nil, err
		}
		for _, e := range w.edges {
			if err := sum(scan, e[0], e[1]); err != nil {
				return nil, err
			}
		}
	} else if err := sum(scan, since.UnixMilli(), int64(math.MaxInt64)); err != nil {
		return nil, err
	}

	var out []ServerSummary
	for k, n := range counts {
		// Pasted text that named no server (a server log) is no row.
		if n <= 0 || k.host == "" {
			continue
		}
		sv := ServerSummary{Host: k.host, Port: k.port, Attempts: n}
		if err := timeline(ctx, tx, &sv, since); err != nil {
			return nil, err
		}
		var ms *int64
		// The literal IN list matches the partial index attempts_worked.
		if err := tx.QueryRowContext(ctx, `SELECT MAX(started_at) FROM attempts
			WHERE host = ? AND port = ? AND outcome IN ('success', 'warning')`, sv.Host, sv.Port).Scan(&ms); err != nil {
			return nil, fmt.Errorf("store: servers: last success of %s:%d: %w", sv.Host, sv.Port, err)
		}
		if ms != nil {
			sv.LastSuccess = time.UnixMilli(*ms).UTC()
		}
		out = append(out, sv)
	}
	slices.SortFunc(out, func(a, b ServerSummary) int {
		return cmp.Or(b.LastAt.Compare(a.LastAt), strings.Compare(a.Host, b.Host), cmp.Compare(a.Port, b.Port))
	})
	return out, nil
}

// timeline fills the last attempts of one server, and its Last* fields
// from the newest of them.
func timeline(ctx context.Context, q querier, sv *ServerSummary, since time.Time) error {
	rows, err := q.QueryContext(ctx, `SELECT id, started_at, status, outcome, code, title FROM attempts
		WHERE host = ? AND port = ? AND started_at >= ?
		ORDER BY started_at DESC, id DESC LIMIT ?`, sv.Host, sv.Port, since.UnixMilli(), TimelineLength)
	if err != nil {
		return fmt.Errorf("store: servers: timeline of %s:%d: %w", sv.Host, sv.Port, err)
	}
	defer rows.Close()
	var pts []TimelinePoint
	for rows.Next() {
		var p TimelinePoint
		var ms int64
		var title string
		if err := rows.Scan(&p.ID, &ms, &p.Status, &p.Outcome, &p.Code, &title); err != nil {
			return fmt.Errorf("store: servers: timeline of %s:%d: %w", sv.Host, sv.Port, err)
		}
		p.At = time.UnixMilli(ms).UTC()
		if len(pts) == 0 {
			sv.LastID, sv.LastAt, sv.LastStatus = p.ID, p.At, p.Status
			sv.LastOutcome, sv.LastCode, sv.LastTitle = p.Outcome, p.Code, title
		}
		pts = append(pts, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: servers: timeline of %s:%d: %w", sv.Host, sv.Port, err)
	}
	for i, j := 0, len(pts)-1; i < j; i, j = i+1, j-1 {
		pts[i], pts[j] = pts[j], pts[i]
	}
	sv.Timeline = pts
	return nil
}

// BreakdownRow is how many attempts got one diagnosis code in one bucket.
type BreakdownRow struct {
	Bucket time.Time `json:"bucket"` // start of the bucket, UTC
	Code   string    `json:"code"`
	Count  int64     `json:"count"`
}

// Breakdown counts diagnosis codes per time bucket since the given time, so
// that a spike (auth.blocked_by_policy on Monday) stands out. Buckets are
// aligned to multiples of bucket since the Unix epoch, so a 24h bucket is a
// UTC day. Rows come oldest bucket first, then most frequent code first.
// Attempts without a code (not finished) are left out.
func (s *Store) Breakdown(ctx context.Context, since time.Time, bucket time.Duration) ([]BreakdownRow, error) {
	size := bucket.Milliseconds()
	if size <= 0 {
		return nil, fmt.Errorf("store: breakdown: bucket %v is not positive", bucket)
	}
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: breakdown: %w", err)
	}
	defer tx.Rollback()

	type key struct {
		bucket int64
		code   string
	}
	counts := map[key]int64{}
	sum := func(q string, args ...any) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("store: breakdown: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k key
			var n int64
			if err := rows.Scan(&k.bucket, &k.code, &n); err != nil {
				return fmt.Errorf("store: breakdown: %w", err)
			}
			counts[k] += n
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: servers: %w", err)
		}
		return nil
	}
	// Integer division truncates toward zero; the bucket of a time before
	// 1970 would be off by one, and no probe ran then.
	const scan = `SELECT (started_at / ?) * ?, code, COUNT(*) FROM attempts
		WHERE started_at >= ? AND started_at < ? AND code <> '' GROUP BY 1, 2`
	if w, ok := splitWindow(since, time.Time{}); ok && size%dayMS == 0 {
		// Whole days fall into whole buckets: read the daily counts.
		if err := sum(`SELECT ((day * ?) / ?) * ?, code, SUM(n) FROM daily_codes
			WHERE day >= ? AND code <> '' GROUP BY 1, 2`, dayMS, size, size, w.fromDay); err != nil {
			return nil, err
		}
		for _, e := range w.edges {
			if err := sum(scan, size, size, e[0], e[1]); err != nil {
				return nil, err
			}
		}
	} else if err := sum(scan, size, size, since.UnixMilli(), int64(math.MaxInt64)); err != nil {
		return nil, err
	}

	var out []BreakdownRow
	for k, n := range counts {
		if n > 0 {
			out = append(out, BreakdownRow{Bucket: time.UnixMilli(k.bucket).UTC(), Code: k.code, Count: n})
		}
	}
	slices.SortFunc(out, func(a, b BreakdownRow) int {
		return cmp.Or(a.Bucket.Compare(b.Bucket), cmp.Compare(b.Count, a.Count), strings.Compare(a.Code, b.Code))
	})
	return out, nil
}
