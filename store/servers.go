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
//
// It reads the per-server summary (migrations/0012_server_summary.sql):
// for each server, its newest TimelineLength tested attempts at any time
// packed in one text, and when it last worked, kept by triggers on
// attempts. The newest TimelineLength since a time are those of them that
// started since then, so one read of a small table answers any window.
// Reading attempts instead (an index walk of twenty rows and a seek per
// server) took 44-60 ms at a million attempts and 160 servers, nearly all
// of it in rows scattered across the file. On PostgreSQL the summary of
// servers written since the last read is brought up to date first
// (refreshServerSummaries).
func (s *Store) Servers(ctx context.Context, since time.Time) ([]ServerSummary, error) {
	if s.d == dialectPostgres {
		if err := s.refreshServerSummaries(ctx); err != nil {
			return nil, err
		}
	}
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: servers: %w", err)
	}
	defer tx.Rollback()

	// The counts: whole days from daily_servers (in serverRows, per
	// server), the partial day at the edge counted from attempts.
	edges := map[hostPort]int64{}
	fromDay := int64(math.MaxInt64) // no whole days: count every attempt since
	ranges := [][2]int64{{since.UnixMilli(), math.MaxInt64}}
	if w, ok := splitWindow(since, time.Time{}); ok {
		fromDay, ranges = w.fromDay, w.edges
	}
	for _, e := range ranges {
		if err := sumServers(ctx, tx, edges, serversEdgeQuery, e[0], e[1]); err != nil {
			return nil, err
		}
	}

	out, err := serverRows(ctx, tx, since, fromDay, edges)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b ServerSummary) int {
		return cmp.Or(b.LastAt.Compare(a.LastAt), strings.Compare(a.Host, b.Host), cmp.Compare(a.Port, b.Port))
	})
	return out, nil
}

// refreshServerSummaries rebuilds, on PostgreSQL, the summary of every
// server whose attempts changed since it was last rebuilt (server_dirty,
// noted by the triggers of migrations/postgres/0012_server_summary.sql),
// and forgets that they changed. Through the group writer, so under the
// attempt writers' lock (writelock.go): no attempt is written between the
// list being taken and the rebuild, and none is missed. Nothing changed
// costs one delete of no rows.
func (s *Store) refreshServerSummaries(ctx context.Context) error {
	err := s.writer.do(ctx, func(ctx context.Context, tx txn) error {
		_, err := tx.ExecContext(ctx, `WITH changed AS (DELETE FROM server_dirty RETURNING host, port)
			SELECT server_summary_rebuild(array_agg(host), array_agg(port)) FROM changed HAVING COUNT(*) > 0`)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: servers: bring the summary up to date: %w", err)
	}
	return nil
}

// serversEdgeQuery counts each server's tested attempts in [?, ?): the
// partial days at a window's edges, or a window the day counts cannot
// help with. attempts_kind holds host and port, so it reads no table row.
const serversEdgeQuery = `SELECT host, port, COUNT(*) FROM attempts
	WHERE started_at >= ? AND started_at < ? AND kind IN ` + testedKinds + ` GROUP BY host, port`

// serverRowsQuery is serverRows' read: the servers with a point since ?
// (the second argument), with their attempts on whole days from ? (the
// first).
const serverRowsQuery = `SELECT p.host, p.port, p.points, p.title, w.started_at,
		COALESCE((SELECT SUM(d.n) FROM daily_servers d
			WHERE d.host = p.host AND d.port = p.port AND d.kind IN ` + testedKinds + ` AND d.day >= ?), 0)
	FROM server_points p LEFT JOIN server_worked w ON w.host = p.host AND w.port = p.port
	WHERE p.newest >= ?`

// sumServers adds the (host, port, count) rows of query to counts.
func sumServers(ctx context.Context, q querier, counts map[hostPort]int64, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: servers: counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k hostPort
		var n int64
		if err := rows.Scan(&k.host, &k.port, &n); err != nil {
			return fmt.Errorf("store: servers: counts: %w", err)
		}
		counts[k] += n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: servers: counts: %w", err)
	}
	return nil
}

// serverRows reads one row per server with a timeline point since the
// given time: its packed timeline and its newest attempt's title
// (server_points), when it last worked (server_worked), and its attempts
// on whole days from fromDay (daily_servers_server: thirty index entries a
// server for a month, where grouping the month's counts by server sorted
// thousands of rows); edges holds the rest of each server's count.
func serverRows(ctx context.Context, q querier, since time.Time, fromDay int64, edges map[hostPort]int64) ([]ServerSummary, error) {
	rows, err := q.QueryContext(ctx, serverRowsQuery, fromDay, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("store: servers: %w", err)
	}
	defer rows.Close()
	var out []ServerSummary
	for rows.Next() {
		var sv ServerSummary
		var points string
		var worked *int64
		if err := rows.Scan(&sv.Host, &sv.Port, &points, &sv.LastTitle, &worked, &sv.Attempts); err != nil {
			return nil, fmt.Errorf("store: servers: %w", err)
		}
		sv.Attempts += edges[hostPort{sv.Host, sv.Port}]
		if sv.Timeline, err = unpackPoints(points, since); err != nil {
			return nil, fmt.Errorf("store: servers: timeline of %s:%d: %w", sv.Host, sv.Port, err)
		}
		// An attempt that named no server is no row (the summary keeps
		// none; the counts may).
		if sv.Host == "" || sv.Attempts <= 0 || len(sv.Timeline) == 0 {
			continue
		}
		last := sv.Timeline[len(sv.Timeline)-1]
		sv.LastID, sv.LastAt, sv.LastStatus, sv.LastOutcome, sv.LastCode = last.ID, last.At, last.Status, last.Outcome, last.Code
		if worked != nil {
			sv.LastSuccess = time.UnixMilli(*worked).UTC()
		}
		out = append(out, sv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: servers: %w", err)
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
