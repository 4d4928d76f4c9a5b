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

// testedKinds are the kinds of attempt that tested a server: probes and
// monitors' runs. The servers view and the breakdown count only these;
// pasted text explained (kind explain) may name a host:port, but nothing
// connected to it.
const testedKinds = `('probe', 'monitor')`

// Servers returns one row per host:port tried (probed, by hand or by a
// monitor) since the given time, the most recently tried first.
func (s *Store) Servers(ctx context.Context, since time.Time) ([]ServerSummary, error) {
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: servers: %w", err)
	}
	defer tx.Rollback()

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
	const scan = `SELECT host, port, COUNT(*) FROM attempts
		WHERE started_at >= ? AND started_at < ? AND kind IN ` + testedKinds + ` GROUP BY host, port`
	if w, ok := splitWindow(since, time.Time{}); ok {
		if err := sum(`SELECT host, port, SUM(n) FROM daily_servers
			WHERE day >= ? AND kind IN `+testedKinds+` GROUP BY host, port`, w.fromDay); err != nil {
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

	out, err := serverTimelines(ctx, tx, since, func(host string, port int) int64 {
		// An attempt that named no server is no row.
		if host == "" {
			return 0
		}
		return counts[hostPort{host, port}]
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b ServerSummary) int {
		return cmp.Or(b.LastAt.Compare(a.LastAt), strings.Compare(a.Host, b.Host), cmp.Compare(a.Port, b.Port))
	})
	return out, nil
}

// serverTimelines reads the timelines and last successes of every server
// from the per-server summary (migrations/0012_server_summary.sql): the
// newest TimelineLength tested attempts of each server at any time, and
// when each last worked, kept by triggers on attempts. The newest
// TimelineLength since a time are those of them that started since then,
// so two reads of small tables answer any window. Reading attempts
// instead (an index walk of twenty rows and a seek per server) took
// 44-60 ms at a million attempts and 160 servers, nearly all of it in
// rows scattered across the file. count says how many attempts a server
// had since then; servers with none are left out.
func serverTimelines(ctx context.Context, q querier, since time.Time, count func(string, int) int64) ([]ServerSummary, error) {
	worked := map[hostPort]int64{}
	rows, err := q.QueryContext(ctx, `SELECT host, port, started_at FROM server_worked`)
	if err != nil {
		return nil, fmt.Errorf("store: servers: last successes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k hostPort
		var ms int64
		if err := rows.Scan(&k.host, &k.port, &ms); err != nil {
			return nil, fmt.Errorf("store: servers: last successes: %w", err)
		}
		worked[k] = ms
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: servers: last successes: %w", err)
	}
	rows.Close()

	// No ORDER BY: each server's points are put in order here.
	rows, err = q.QueryContext(ctx, `SELECT host, port, started_at, id, status, outcome, code, title
		FROM server_timeline WHERE started_at >= ?`, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("store: servers: timelines: %w", err)
	}
	defer rows.Close()
	type point struct {
		TimelinePoint
		title string
	}
	byServer := map[hostPort][]point{}
	for rows.Next() {
		var k hostPort
		var p point
		var ms int64
		if err := rows.Scan(&k.host, &k.port, &ms, &p.ID, &p.Status, &p.Outcome, &p.Code, &p.title); err != nil {
			return nil, fmt.Errorf("store: servers: timelines: %w", err)
		}
		p.At = time.UnixMilli(ms).UTC()
		byServer[k] = append(byServer[k], p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: servers: timelines: %w", err)
	}
	var out []ServerSummary
	for k, pts := range byServer {
		n := count(k.host, k.port)
		if n <= 0 {
			continue
		}
		// Oldest first, left to right on the chart; ties by id, as the
		// history orders them. Writers racing on PostgreSQL may leave a
		// point or two more than TimelineLength for a moment: the newest
		// count.
		slices.SortFunc(pts, func(a, b point) int { return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID)) })
		pts = pts[max(0, len(pts)-TimelineLength):]
		last := pts[len(pts)-1]
		sum := ServerSummary{Host: k.host, Port: k.port, Attempts: n, LastID: last.ID, LastAt: last.At,
			LastStatus: last.Status, LastOutcome: last.Outcome, LastCode: last.Code, LastTitle: last.title}
		if ms, ok := worked[k]; ok {
			sum.LastSuccess = time.UnixMilli(ms).UTC()
		}
		sum.Timeline = make([]TimelinePoint, len(pts))
		for i, p := range pts {
			sum.Timeline[i] = p.TimelinePoint
		}
		out = append(out, sum)
	}
	return out, nil
}

// hostPort is one server as the views key it.
type hostPort struct {
	host string
	port int
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
// Attempts without a code (not finished) are left out, and so are
// explanations: only attempts of testedKinds say what servers did.
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
		WHERE started_at >= ? AND started_at < ? AND code <> '' AND kind IN ` + testedKinds + ` GROUP BY 1, 2`
	if w, ok := splitWindow(since, time.Time{}); ok && size%dayMS == 0 {
		// Whole days fall into whole buckets: read the daily counts.
		if err := sum(`SELECT ((day * ?) / ?) * ?, code, SUM(n) FROM daily_codes
			WHERE day >= ? AND code <> '' AND kind IN `+testedKinds+` GROUP BY 1, 2`, dayMS, size, size, w.fromDay); err != nil {
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
