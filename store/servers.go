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

	out, err := serverTimelines(ctx, tx, s.d, since, func(host string, port int) int64 {
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

// serverTimelines reads, in one query, the last TimelineLength attempts
// (of testedKinds) since the given time of every server tried since then
// and when each last worked; count says how many attempts a server had,
// and servers with none are left out. One query, not two per server: at a million attempts and
// 160 servers the per-server queries took 42 ms, nearly all of it in
// the round trips. Each server's timeline is still an index range walk of
// at most TimelineLength rows (attempts_host_port), and its last success
// one seek in attempts_worked; the server list comes from the daily counts.
func serverTimelines(ctx context.Context, q querier, d dialect, since time.Time, count func(string, int) int64) ([]ServerSummary, error) {
	fromDay := since.UnixMilli() / dayMS
	// SQLite joins on rowid (the table's own b-tree key); PostgreSQL has
	// none, and joins on the primary key.
	key := "rowid"
	if d == dialectPostgres {
		key = "id"
	}
	// The last success walks attempts_worked newest first and stops at
	// the first tested one (explanations are few); the timeline walks
	// attempts_host_port likewise.
	rows, err := q.QueryContext(ctx, `WITH servers AS MATERIALIZED (
			SELECT d.host, d.port,
				(SELECT w.started_at FROM attempts w
				 WHERE w.host = d.host AND w.port = d.port AND w.outcome IN ('success', 'warning')
				   AND w.kind IN `+testedKinds+`
				 ORDER BY w.started_at DESC, w.id DESC LIMIT 1) AS worked
			FROM (SELECT DISTINCT host, port FROM daily_servers WHERE day >= ? AND kind IN `+testedKinds+`) d)
		SELECT s.host, s.port, s.worked, a.id, a.started_at, a.status, a.outcome, a.code, a.title
		FROM servers s JOIN attempts a ON a.`+key+` IN (
			SELECT x.`+key+` FROM attempts x
			WHERE x.host = s.host AND x.port = s.port AND x.started_at >= ? AND x.kind IN `+testedKinds+`
			ORDER BY x.started_at DESC, x.id DESC LIMIT ?)
		`, fromDay, since.UnixMilli(), TimelineLength)
	if err != nil {
		return nil, fmt.Errorf("store: servers: timelines: %w", err)
	}
	defer rows.Close()
	// No ORDER BY: sorting every row in SQL cost a fifth of the query;
	// each server's twenty points are put in order here instead.
	type point struct {
		TimelinePoint
		title string
	}
	type server struct {
		worked *int64
		pts    []point
	}
	byServer := map[hostPort]*server{}
	var order []hostPort
	for rows.Next() {
		var k hostPort
		var worked *int64
		var p point
		var ms int64
		if err := rows.Scan(&k.host, &k.port, &worked, &p.ID, &ms, &p.Status, &p.Outcome, &p.Code, &p.title); err != nil {
			return nil, fmt.Errorf("store: servers: timelines: %w", err)
		}
		p.At = time.UnixMilli(ms).UTC()
		sv := byServer[k]
		if sv == nil {
			sv = &server{worked: worked}
			byServer[k] = sv
			order = append(order, k)
		}
		sv.pts = append(sv.pts, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: servers: timelines: %w", err)
	}
	var out []ServerSummary
	for _, k := range order {
		n := count(k.host, k.port)
		if n <= 0 {
			continue
		}
		sv := byServer[k]
		// Oldest first, left to right on the chart; ties by id, as the
		// history orders them.
		slices.SortFunc(sv.pts, func(a, b point) int { return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID)) })
		last := sv.pts[len(sv.pts)-1]
		sum := ServerSummary{Host: k.host, Port: k.port, Attempts: n, LastID: last.ID, LastAt: last.At,
			LastStatus: last.Status, LastOutcome: last.Outcome, LastCode: last.Code, LastTitle: last.title}
		if sv.worked != nil {
			sum.LastSuccess = time.UnixMilli(*sv.worked).UTC()
		}
		for _, p := range sv.pts {
			sum.Timeline = append(sum.Timeline, p.TimelinePoint)
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
