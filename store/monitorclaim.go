package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ClaimMonitorRun claims the run of monitor id that is due by now, for
// this replica, by moving the monitor's stored next run from a time at or
// before now to next, in one statement: of several replicas that find the
// monitor due, exactly one moves it, and only that one runs it. The others
// get claimed false and the stored next run (the one the winner set), to
// schedule themselves by. ErrNotFound if the monitor is gone.
func (s *Store) ClaimMonitorRun(ctx context.Context, id string, now, next time.Time) (claimed bool, stored time.Time, err error) {
	var ms int64
	err = s.write.QueryRowContext(ctx, `UPDATE monitors SET next_run_at = ?
		WHERE id = ? AND next_run_at <= ? RETURNING next_run_at`, next.UnixMilli(), id, now.UnixMilli()).Scan(&ms)
	if err == nil {
		return true, time.UnixMilli(ms).UTC(), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, time.Time{}, fmt.Errorf("store: claim the run of monitor %s: %w", id, err)
	}
	err = s.read.QueryRowContext(ctx, `SELECT next_run_at FROM monitors WHERE id = ?`, id).Scan(&ms)
	if errors.Is(err, sql.ErrNoRows) {
		return false, time.Time{}, fmt.Errorf("store: claim the run of monitor %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return false, time.Time{}, fmt.Errorf("store: claim the run of monitor %s: %w", id, err)
	}
	return false, time.UnixMilli(ms).UTC(), nil
}
