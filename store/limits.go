package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Limits that hold across replicas. In one process a mutex and a map do
// this; replicas sharing a database keep the count in it, so that "at most
// two probes of smtp.example.com at once" means two in all, not two per
// replica.

// Shared reports whether other processes may share this store's database
// (PostgreSQL), so that limits must be kept in it rather than in memory.
func (s *Store) Shared() bool { return s.d == dialectPostgres }

// ErrNoLease is returned by AcquireLease when all of a key's places are
// taken.
var ErrNoLease = errors.New("store: every place is taken")

// Lease is one place under a limit, held until Release.
type Lease struct {
	s    *Store
	key  string
	slot int
}

// AcquireLease takes one of limit places under key (slot 0 to limit-1),
// or returns ErrNoLease when all are held. A place held past ttl is free
// again: that bounds what a replica that died holding it keeps from the
// others, so ttl should be a little more than the longest a holder can
// need (a probe's total timeout).
func (s *Store) AcquireLease(ctx context.Context, key string, limit int, ttl time.Duration) (*Lease, error) {
	for slot := range limit {
		var got int
		// An empty place is inserted; an expired one is taken over;
		// a held one is left alone and returns no row.
		err := s.write.QueryRowContext(ctx, `INSERT INTO leases (key, slot, holder, expires_at)
			VALUES (?, ?, ?, `+s.d.nowMS()+` + ?)
			ON CONFLICT (key, slot) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE leases.expires_at < `+s.d.nowMS()+`
			RETURNING slot`, key, slot, s.owner, ttl.Milliseconds()).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store: lease %s: %w", key, err)
		}
		return &Lease{s: s, key: key, slot: slot}, nil
	}
	return nil, ErrNoLease
}

// Release gives the place back. Releasing twice is harmless.
func (l *Lease) Release(ctx context.Context) error {
	if _, err := l.s.write.ExecContext(ctx, `DELETE FROM leases WHERE key = ? AND slot = ? AND holder = ?`,
		l.key, l.slot, l.s.owner); err != nil {
		return fmt.Errorf("store: release lease %s: %w", l.key, err)
	}
	return nil
}

// CountHit counts one request under key in the fixed window of the given
// length that holds now, and returns the count in this window and in the
// one before it (for a sliding estimate, as httprate does), across every
// replica.
func (s *Store) CountHit(ctx context.Context, key string, now time.Time, window time.Duration) (current, previous int64, err error) {
	w := window.Milliseconds()
	if w <= 0 {
		return 0, 0, fmt.Errorf("store: count hit: window %v is not positive", window)
	}
	start := now.UnixMilli() / w * w
	t, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("store: count hit: %w", err)
	}
	defer t.Rollback()
	if err := t.QueryRowContext(ctx, `INSERT INTO rate_counts (key, window_start, n) VALUES (?, ?, 1)
		ON CONFLICT (key, window_start) DO UPDATE SET n = rate_counts.n + 1
		RETURNING n`, key, start).Scan(&current); err != nil {
		return 0, 0, fmt.Errorf("store: count hit: %w", err)
	}
	if err := t.QueryRowContext(ctx, `SELECT n FROM rate_counts WHERE key = ? AND window_start = ?`,
		key, start-w).Scan(&previous); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("store: count hit: %w", err)
	}
	if err := t.Commit(); err != nil {
		return 0, 0, fmt.Errorf("store: count hit: %w", err)
	}
	return current, previous, nil
}

// forgetRateCountsAfter bounds how long a window's count is kept.
const forgetRateCountsAfter = time.Hour
