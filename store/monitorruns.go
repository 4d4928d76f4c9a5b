package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

// RecordRun writes, in one transaction, the monitor's new status and next
// run, a run's compact row and its uptime buckets; and compacts the run
// before it: if that one repeated its predecessor, its full attempt is
// deleted (its compact row stays). So the database keeps a full attempt for
// every change and for the latest run, and a compact row for the rest.
//
// basedOn is the status version the run started from
// (watch.Monitor.StatusVersion). If another run, or an edit, wrote the
// status since, nothing is written and the answer is watch.ErrStaleStatus:
// the caller reads the monitor again and decides the run's status, and its
// alerts, from what is stored now.
func (s *Store) RecordRun(ctx context.Context, run watch.RunRecord, st watch.Status, next time.Time, basedOn int64) error {
	status, err := jsonString(st)
	if err != nil {
		return fmt.Errorf("store: record run of monitor %s: %w", run.MonitorID, err)
	}
	up := 0
	if run.Outcome == probe.OutcomeSuccess || run.Outcome == probe.OutcomeWarning {
		up = 1
	}
	at := run.At.UnixMilli()
	err = s.writer.do(ctx, func(ctx context.Context, tx txn) error {
		return atomically(ctx, tx, func() error {
			// The status first, and only over the version the run read. The
			// next run only moves forward here: another replica may have
			// claimed the following run already (moving it further ahead),
			// and writing an earlier time back would make that run due again
			// for everyone.
			var seq int64
			err := tx.QueryRowContext(ctx, `UPDATE monitors SET state = ?, since = ?, status = ?,
				status_version = status_version + 1,
				next_run_at = CASE WHEN next_run_at > ? THEN next_run_at ELSE ? END
				WHERE id = ? AND status_version = ? RETURNING seq`,
				string(st.State), ms(st.Since), status, ms(next), ms(next), run.MonitorID, basedOn).Scan(&seq)
			if errors.Is(err, sql.ErrNoRows) {
				err = tx.QueryRowContext(ctx, `SELECT seq FROM monitors WHERE id = ?`, run.MonitorID).Scan(&seq)
				if errors.Is(err, sql.ErrNoRows) {
					return ErrNotFound
				}
				if err == nil {
					return watch.ErrStaleStatus
				}
			}
			if err != nil {
				return err
			}
			var prevAt int64
			var prevAttempt string
			var prevKept int
			err = tx.QueryRowContext(ctx, `SELECT at, attempt_id, kept FROM monitor_runs WHERE monitor = ?
				ORDER BY at DESC LIMIT 1`, seq).Scan(&prevAt, &prevAttempt, &prevKept)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return err
			case prevKept == 0 && prevAttempt != "" && prevAttempt != run.AttemptID:
				if _, err := tx.ExecContext(ctx, `DELETE FROM attempts WHERE id = ?`, prevAttempt); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE monitor_runs SET attempt_id = '' WHERE monitor = ? AND at = ?`, seq, prevAt); err != nil {
					return err
				}
			}
			kept := 0
			if run.Keep {
				kept = 1
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO monitor_runs (monitor, at, duration_ms, outcome, code, steps_ms, attempt_id, kept)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (monitor, at) DO NOTHING`,
				seq, at, run.DurationMS, string(run.Outcome), string(run.Code), joinMS(run.StepsMS), run.AttemptID, kept); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO monitor_hours (monitor, hour, runs, up) VALUES (?, ?, 1, ?)
				ON CONFLICT (monitor, hour) DO UPDATE SET runs = monitor_hours.runs + 1, up = monitor_hours.up + excluded.up`,
				seq, at/3_600_000, up); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO monitor_days (monitor, day, runs, up) VALUES (?, ?, 1, ?)
				ON CONFLICT (monitor, day) DO UPDATE SET runs = monitor_days.runs + 1, up = monitor_days.up + excluded.up`,
				seq, at/86_400_000, up)
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("store: record run of monitor %s: %w", run.MonitorID, err)
	}
	return nil
}

func joinMS(v []int64) string {
	var b strings.Builder
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(x, 10))
	}
	return b.String()
}

// RunPoint is one run on a monitor's timeline.
type RunPoint struct {
	At         time.Time
	DurationMS int64
	Outcome    probe.Outcome
	Code       probe.Code
	StepsMS    []int64
	// AttemptID is set when the full attempt is kept.
	AttemptID string
}

// MonitorRuns returns a monitor's latest runs, newest first, at most limit.
func (s *Store) MonitorRuns(ctx context.Context, id string, limit int) ([]RunPoint, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT at, duration_ms, outcome, code, steps_ms, attempt_id FROM monitor_runs
		WHERE monitor = (SELECT seq FROM monitors WHERE id = ?) ORDER BY at DESC LIMIT ?`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("store: runs of monitor %s: %w", id, err)
	}
	defer rows.Close()
	var out []RunPoint
	for rows.Next() {
		var p RunPoint
		var at int64
		var outcome, code, steps string
		if err := rows.Scan(&at, &p.DurationMS, &outcome, &code, &steps, &p.AttemptID); err != nil {
			return nil, fmt.Errorf("store: runs of monitor %s: %w", id, err)
		}
		p.At, p.Outcome, p.Code, p.StepsMS = fromMS(at), probe.Outcome(outcome), probe.Code(code), splitMS(steps)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: runs of monitor %s: %w", id, err)
	}
	return out, nil
}

// RecentRuns returns the latest runs (at most limit each, newest first) of
// the monitors named, in one query: each monitor's runs since limit+1 of
// its intervals ago, which its primary key (monitor, at) finds directly.
// A page of a hundred monitors makes one query instead of a hundred.
func (s *Store) RecentRuns(ctx context.Context, now time.Time, limit int, ids ...string) (map[string][]RunPoint, error) {
	out := map[string][]RunPoint{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{now.UnixMilli(), limit + 1}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT m.id, r.at, r.duration_ms, r.outcome, r.code, r.steps_ms, r.attempt_id
		FROM monitors m JOIN monitor_runs r ON r.monitor = m.seq AND r.at >= ? - ? * m.interval_ms
		WHERE m.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY m.id, r.at DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: recent runs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var p RunPoint
		var at int64
		var outcome, code, steps string
		if err := rows.Scan(&id, &at, &p.DurationMS, &outcome, &code, &steps, &p.AttemptID); err != nil {
			return nil, fmt.Errorf("store: recent runs: %w", err)
		}
		if len(out[id]) >= limit {
			continue
		}
		p.At, p.Outcome, p.Code, p.StepsMS = fromMS(at), probe.Outcome(outcome), probe.Code(code), splitMS(steps)
		out[id] = append(out[id], p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: recent runs: %w", err)
	}
	return out, nil
}

func splitMS(steps string) []int64 {
	var out []int64
	for f := range strings.SplitSeq(steps, ",") {
		if n, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// Uptimes returns the uptime of the monitors named (all when ids is empty)
// that ran in the last 30 days, by monitor id: a few dozen bucket rows per
// monitor, not its runs.
func (s *Store) Uptimes(ctx context.Context, now time.Time, ids ...string) (map[string]watch.Uptime, error) {
	only, args := "", []any{}
	if len(ids) > 0 {
		only = " AND m.id IN (?" + strings.Repeat(", ?", len(ids)-1) + ")"
		for _, id := range ids {
			args = append(args, id)
		}
	}
	type sums struct{ dayRuns, dayUp, weekRuns, weekUp, monthRuns, monthUp int64 }
	acc := map[string]*sums{}
	get := func(id string) *sums {
		if acc[id] == nil {
			acc[id] = &sums{}
		}
		return acc[id]
	}
	nowMS := now.UnixMilli()
	rows, err := s.read.QueryContext(ctx, `SELECT m.id, SUM(h.runs), SUM(h.up) FROM monitor_hours h
		JOIN monitors m ON m.seq = h.monitor WHERE h.hour > ?`+only+` GROUP BY m.id`, append([]any{nowMS/3_600_000 - 24}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: uptimes: %w", err)
	}
	for rows.Next() {
		var id string
		var runs, up int64
		if err := rows.Scan(&id, &runs, &up); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: uptimes: %w", err)
		}
		s := get(id)
		s.dayRuns, s.dayUp = runs, up
	}
	rows.Close()
	today := nowMS / 86_400_000
	rows, err = s.read.QueryContext(ctx, `SELECT m.id,
		SUM(CASE WHEN d.day > ? THEN d.runs ELSE 0 END), SUM(CASE WHEN d.day > ? THEN d.up ELSE 0 END),
		SUM(d.runs), SUM(d.up)
		FROM monitor_days d JOIN monitors m ON m.seq = d.monitor WHERE d.day > ?`+only+` GROUP BY m.id`,
		append([]any{today - 7, today - 7, today - 30}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: uptimes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var wr, wu, mr, mu int64
		if err := rows.Scan(&id, &wr, &wu, &mr, &mu); err != nil {
			return nil, fmt.Errorf("store: uptimes: %w", err)
		}
		s := get(id)
		s.weekRuns, s.weekUp, s.monthRuns, s.monthUp = wr, wu, mr, mu
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: uptimes: %w", err)
	}
	share := func(up, runs int64) float64 {
		if runs == 0 {
			return -1
		}
		return float64(up) / float64(runs)
	}
	out := make(map[string]watch.Uptime, len(acc))
	for id, s := range acc {
		out[id] = watch.Uptime{Day: share(s.dayUp, s.dayRuns), Week: share(s.weekUp, s.weekRuns), Month: share(s.monthUp, s.monthRuns)}
	}
	return out, nil
}

// PruneMonitors applies the monitors' retention: runs, delivery log
// entries and monitor attempts older than olderThan are deleted, except an
// attempt a newer run still points at (the latest run's, always); uptime
// buckets go once older than the 30 days the pages show. It says how many
// attempts went.
func (s *Store) PruneMonitors(ctx context.Context, olderThan, now time.Time) (int64, error) {
	cut := olderThan.UnixMilli()
	var n int64
	err := s.writer.do(ctx, func(ctx context.Context, tx txn) error {
		return atomically(ctx, tx, func() error {
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`DELETE FROM monitor_runs WHERE at < ?`, []any{cut}},
				{`DELETE FROM alert_deliveries WHERE at < ?`, []any{cut}},
				{`DELETE FROM monitor_hours WHERE hour < ?`, []any{now.UnixMilli()/3_600_000 - 48}},
				{`DELETE FROM monitor_days WHERE day < ?`, []any{now.UnixMilli()/86_400_000 - 31}},
			} {
				if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
					return err
				}
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM attempts WHERE monitor_id <> '' AND started_at < ?
				AND id NOT IN (SELECT attempt_id FROM monitor_runs WHERE attempt_id <> '')`, cut)
			if err != nil {
				return err
			}
			n, _ = res.RowsAffected()
			return nil
		})
	})
	if err != nil {
		return n, fmt.Errorf("store: prune monitors: %w", err)
	}
	return n, nil
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
