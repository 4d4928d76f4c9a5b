package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

// Monitors live in four tables (migrations/0007_monitors.sql): the monitor
// with its state, its sealed secrets, a compact row per run with hourly
// and daily uptime buckets, and the alert delivery log. Secrets arrive here
// sealed (probe/secretbox); this package never sees a password.

// monitorColumns are read by scanMonitor, in order.
const monitorColumns = `id, name, settings, interval_ms, fail_after, cert_days, alerts, status, status_version, next_run_at, created_at, updated_at,
	EXISTS (SELECT 1 FROM monitor_secrets WHERE monitor_id = monitors.id AND slot = 'login')`

// CreateMonitor stores a new monitor and its sealed secrets. m.ID is set by
// the caller.
func (s *Store) CreateMonitor(ctx context.Context, m watch.Monitor, secrets []watch.SealedSecret) error {
	m = m.WithDefaults()
	settings, alerts, status, err := monitorJSON(m)
	if err != nil {
		return fmt.Errorf("store: create monitor %s: %w", m.ID, err)
	}
	// seq is the next number after the largest; two replicas creating
	// monitors at once on PostgreSQL can pick the same one, and the unique
	// index refuses the second: take the next number and try again.
	for try := 0; ; try++ {
		err = s.insertMonitor(ctx, m, settings, alerts, status, secrets)
		if err == nil || try == 4 || !isSeqCollision(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("store: create monitor %s: %w", m.ID, err)
	}
	return nil
}

// isSeqCollision reports whether err is the unique index on monitors.seq
// refusing a number another writer took first.
func isSeqCollision(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "monitors_seq_key") || strings.Contains(msg, "monitors.seq")
}

func (s *Store) insertMonitor(ctx context.Context, m watch.Monitor, settings, alerts, status string, secrets []watch.SealedSecret) error {
	return s.writer.do(ctx, func(ctx context.Context, tx txn) error {
		return atomically(ctx, tx, func() error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO monitors (id, seq, name, settings, interval_ms, fail_after,
				cert_days, alerts, state, since, status, next_run_at, created_at, updated_at)
				VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM monitors), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				m.ID, m.Name, settings, m.Interval.Milliseconds(), m.FailAfter, m.CertDays, alerts,
				string(m.Status.State), ms(m.Status.Since), status, ms(m.NextRunAt), ms(m.CreatedAt), ms(m.UpdatedAt)); err != nil {
				return err
			}
			return putSecrets(ctx, tx, m.ID, secrets)
		})
	})
}

// UpdateMonitor replaces what people edit (name, settings, interval,
// thresholds, alerts), the status (edited: see watch.Status.Edited), the
// next run, and the secrets: the slots given are replaced, keep lists slots
// to leave as they are, and every other slot is deleted. The status
// version moves on, so a run under way (on any replica) decides again
// from the edited status (RecordRun).
func (s *Store) UpdateMonitor(ctx context.Context, m watch.Monitor, secrets []watch.SealedSecret, keep []string) error {
	m = m.WithDefaults()
	settings, alerts, status, err := monitorJSON(m)
	if err != nil {
		return fmt.Errorf("store: update monitor %s: %w", m.ID, err)
	}
	err = s.writer.do(ctx, func(ctx context.Context, tx txn) error {
		return atomically(ctx, tx, func() error {
			res, err := tx.ExecContext(ctx, `UPDATE monitors SET name = ?, settings = ?, interval_ms = ?, fail_after = ?,
				cert_days = ?, alerts = ?, state = ?, since = ?, status = ?, status_version = status_version + 1,
				next_run_at = ?, updated_at = ? WHERE id = ?`,
				m.Name, settings, m.Interval.Milliseconds(), m.FailAfter, m.CertDays, alerts,
				string(m.Status.State), ms(m.Status.Since), status, ms(m.NextRunAt), ms(m.UpdatedAt), m.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return ErrNotFound
			}
			rows, err := tx.QueryContext(ctx, `SELECT slot FROM monitor_secrets WHERE monitor_id = ?`, m.ID)
			if err != nil {
				return err
			}
			var drop []string
			for rows.Next() {
				var slot string
				if err := rows.Scan(&slot); err != nil {
					rows.Close()
					return err
				}
				if !containsSlot(keep, slot) {
					drop = append(drop, slot)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, slot := range drop {
				if _, err := tx.ExecContext(ctx, `DELETE FROM monitor_secrets WHERE monitor_id = ? AND slot = ?`, m.ID, slot); err != nil {
					return err
				}
			}
			return putSecrets(ctx, tx, m.ID, secrets)
		})
	})
	if err != nil {
		return fmt.Errorf("store: update monitor %s: %w", m.ID, err)
	}
	return nil
}

func containsSlot(slots []string, s string) bool {
	for _, x := range slots {
		if x == s {
			return true
		}
	}
	return false
}

func putSecrets(ctx context.Context, tx txn, id string, secrets []watch.SealedSecret) error {
	for _, sec := range secrets {
		if _, err := tx.ExecContext(ctx, `INSERT INTO monitor_secrets (monitor_id, slot, key_id, box) VALUES (?, ?, ?, ?)
			ON CONFLICT (monitor_id, slot) DO UPDATE SET key_id = excluded.key_id, box = excluded.box`,
			id, sec.Slot, sec.KeyID, sec.Box); err != nil {
			return fmt.Errorf("secret %s: %w", sec.Slot, err)
		}
	}
	return nil
}

// GetMonitor reads one monitor. ErrNotFound if there is none.
func (s *Store) GetMonitor(ctx context.Context, id string) (watch.Monitor, error) {
	m, err := scanMonitor(s.read.QueryRowContext(ctx, `SELECT `+monitorColumns+` FROM monitors WHERE id = ?`, id))
	if err != nil {
		return m, fmt.Errorf("store: get monitor %s: %w", id, err)
	}
	return m, nil
}

// Monitors reads every monitor: failing first, then warning, pending, ok;
// by name within each.
func (s *Store) Monitors(ctx context.Context) ([]watch.Monitor, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+monitorColumns+` FROM monitors
		ORDER BY CASE state WHEN 'failing' THEN 0 WHEN 'warning' THEN 1 WHEN 'pending' THEN 2 ELSE 3 END, name, id`)
	if err != nil {
		return nil, fmt.Errorf("store: list monitors: %w", err)
	}
	defer rows.Close()
	var out []watch.Monitor
	for rows.Next() {
		m, err := scanMonitor(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list monitors: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list monitors: %w", err)
	}
	return out, nil
}

// DeleteMonitor removes a monitor, its secrets, runs, uptime buckets and
// delivery log. Its kept attempts stay in the history, like any other.
func (s *Store) DeleteMonitor(ctx context.Context, id string) error {
	err := s.writer.do(ctx, func(ctx context.Context, tx txn) error {
		return atomically(ctx, tx, func() error {
			var seq int64
			if err := tx.QueryRowContext(ctx, `SELECT seq FROM monitors WHERE id = ?`, id).Scan(&seq); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return ErrNotFound
				}
				return err
			}
			for _, q := range []string{
				`DELETE FROM monitor_runs WHERE monitor = ?`,
				`DELETE FROM monitor_hours WHERE monitor = ?`,
				`DELETE FROM monitor_days WHERE monitor = ?`,
			} {
				if _, err := tx.ExecContext(ctx, q, seq); err != nil {
					return err
				}
			}
			for _, q := range []string{
				`DELETE FROM alert_deliveries WHERE monitor_id = ?`,
				`DELETE FROM monitor_secrets WHERE monitor_id = ?`,
				`DELETE FROM monitors WHERE id = ?`,
			} {
				if _, err := tx.ExecContext(ctx, q, id); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("store: delete monitor %s: %w", id, err)
	}
	return nil
}

// MonitorSecret reads one sealed secret. ErrNotFound if the slot is empty.
func (s *Store) MonitorSecret(ctx context.Context, id, slot string) (watch.SealedSecret, error) {
	sec := watch.SealedSecret{MonitorID: id, Slot: slot}
	err := s.read.QueryRowContext(ctx, `SELECT key_id, box FROM monitor_secrets WHERE monitor_id = ? AND slot = ?`, id, slot).
		Scan(&sec.KeyID, &sec.Box)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return sec, fmt.Errorf("store: read secret %s of monitor %s: %w", slot, id, err)
	}
	return sec, nil
}

// Secrets reads every sealed secret: for the key check at start and for
// key rotation.
func (s *Store) Secrets(ctx context.Context) ([]watch.SealedSecret, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT monitor_id, slot, key_id, box FROM monitor_secrets ORDER BY monitor_id, slot`)
	if err != nil {
		return nil, fmt.Errorf("store: read secrets: %w", err)
	}
	defer rows.Close()
	var out []watch.SealedSecret
	for rows.Next() {
		var sec watch.SealedSecret
		if err := rows.Scan(&sec.MonitorID, &sec.Slot, &sec.KeyID, &sec.Box); err != nil {
			return nil, fmt.Errorf("store: read secrets: %w", err)
		}
		out = append(out, sec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read secrets: %w", err)
	}
	return out, nil
}

// ReplaceSecrets re-writes the given sealed secrets in one transaction (key
// rotation: every box re-sealed under the new key, or none).
func (s *Store) ReplaceSecrets(ctx context.Context, secrets []watch.SealedSecret) error {
	err := s.writer.do(ctx, func(ctx context.Context, tx txn) error {
		return atomically(ctx, tx, func() error {
			for _, sec := range secrets {
				res, err := tx.ExecContext(ctx, `UPDATE monitor_secrets SET key_id = ?, box = ? WHERE monitor_id = ? AND slot = ?`,
					sec.KeyID, sec.Box, sec.MonitorID, sec.Slot)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n != 1 {
					return fmt.Errorf("secret %s of monitor %s: %w", sec.Slot, sec.MonitorID, ErrNotFound)
				}
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("store: replace secrets: %w", err)
	}
	return nil
}

// SetNextRun records when a monitor runs next, so that a restart resumes
// the schedule.
func (s *Store) SetNextRun(ctx context.Context, id string, next time.Time) error {
	err := s.writer.do(ctx, func(ctx context.Context, tx txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE monitors SET next_run_at = ? WHERE id = ?`, ms(next), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set next run of monitor %s: %w", id, err)
	}
	return nil
}

type scanner interface{ Scan(...any) error }

func scanMonitor(sc scanner) (watch.Monitor, error) {
	var m watch.Monitor
	var settings, alerts, status string
	var interval, next, created, updated int64
	if err := sc.Scan(&m.ID, &m.Name, &settings, &interval, &m.FailAfter, &m.CertDays, &alerts, &status, &m.StatusVersion,
		&next, &created, &updated, &m.HasSecret); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return m, ErrNotFound
		}
		return m, err
	}
	m.Interval = time.Duration(interval) * time.Millisecond
	m.NextRunAt, m.CreatedAt, m.UpdatedAt = fromMS(next), fromMS(created), fromMS(updated)
	if err := json.Unmarshal([]byte(settings), &m.Settings); err != nil {
		return m, fmt.Errorf("monitor %s settings: %w", m.ID, err)
	}
	if err := json.Unmarshal([]byte(alerts), &m.Alerts); err != nil {
		return m, fmt.Errorf("monitor %s alerts: %w", m.ID, err)
	}
	if err := json.Unmarshal([]byte(status), &m.Status); err != nil {
		return m, fmt.Errorf("monitor %s status: %w", m.ID, err)
	}
	return m, nil
}

func monitorJSON(m watch.Monitor) (settings, alerts, status string, err error) {
	if m.Alerts == nil {
		m.Alerts = []watch.Alert{}
	}
	b1, err := json.Marshal(m.Settings)
	if err != nil {
		return "", "", "", err
	}
	b2, err := json.Marshal(m.Alerts)
	if err != nil {
		return "", "", "", err
	}
	b3, err := json.Marshal(m.Status)
	if err != nil {
		return "", "", "", err
	}
	return string(b1), string(b2), string(b3), nil
}

// atomically runs fn inside a savepoint of tx: the group writer shares one
// transaction among callers, and a write of several statements must land
// whole or not at all without undoing the others' writes. (SAVEPOINT is
// spelt the same in PostgreSQL.)
func atomically(ctx context.Context, tx txn, fn func() error) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT monitor_write`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT monitor_write`); rerr != nil {
			return errors.Join(err, rerr)
		}
		_, _ = tx.ExecContext(ctx, `RELEASE SAVEPOINT monitor_write`)
		return err
	}
	_, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT monitor_write`)
	return err
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
