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
// or returns ErrNoLease when all are held.
//
// A place belongs to this replica (leases.holder) until Release. Each
// heartbeat renews it to ttl from then, so a live replica keeps it however
// long its probe takes. When the replica is gone, another replica frees it
// as soon as it declares the replica gone (MarkInterrupted, with the
// attempts it leaves unfinished), about half a minute after a kill
// (DefaultStale). The ttl is the last resort, for when no replica is left
// to notice: it should be more than a few heartbeats.
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
		s.held.add(key, slot, ttl)
		return &Lease{s: s, key: key, slot: slot}, nil
	}
	return nil, ErrNoLease
}

// Release gives the place back. Releasing twice is harmless. If the
// database cannot be told, the place is no longer renewed, and frees
// itself when its ttl runs out.
func (l *Lease) Release(ctx context.Context) error {
	l.s.held.forget(l.key, l.slot)
	if _, err := l.s.write.ExecContext(ctx, `DELETE FROM leases WHERE key = ? AND slot = ? AND holder = ?`,
		l.key, l.slot, l.s.owner); err != nil {
		return fmt.Errorf("store: release lease %s: %w", l.key, err)
	}
	return nil
}

// AddHits counts n requests under key in the window that starts at
// windowStart, across every replica.
func (s *Store) AddHits(ctx context.Context, key string, windowStart time.Time, n int) error {
	if _, err := s.write.ExecContext(ctx, `INSERT INTO rate_counts (key, window_start, n) VALUES (?, ?, ?)
		ON CONFLICT (key, window_start) DO UPDATE SET n = rate_counts.n + excluded.n`,
		key, windowStart.UnixMilli(), n); err != nil {
		return fmt.Errorf("store: count requests: %w", err)
	}
	return nil
}

// Hits returns the requests counted under key in two windows (the current
// one and the one before, for a sliding estimate as httprate makes).
func (s *Store) Hits(ctx context.Context, key string, current, previous time.Time) (cur, prev int64, err error) {
	rows, err := s.read.QueryContext(ctx, `SELECT window_start, n FROM rate_counts
		WHERE key = ? AND window_start IN (?, ?)`, key, current.UnixMilli(), previous.UnixMilli())
	if err != nil {
		return 0, 0, fmt.Errorf("store: read request counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var start, n int64
		if err := rows.Scan(&start, &n); err != nil {
			return 0, 0, fmt.Errorf("store: read request counts: %w", err)
		}
		switch start {
		case current.UnixMilli():
			cur = n
		case previous.UnixMilli():
			prev = n
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("store: read request counts: %w", err)
	}
	return cur, prev, nil
}

// forgetRateCountsAfter bounds how long a window's count is kept.
const forgetRateCountsAfter = time.Hour

// Claim records that this replica does the work named key (a monitor's run
// at one due time: "monitor:ID:DUE"), and reports whether it was first:
// false means another replica (or this one, earlier) claimed it, and it
// must not be done again. The claim is kept for keepFor, longer than the
// work could be due twice under the same key.
func (s *Store) Claim(ctx context.Context, key string, keepFor time.Duration) (bool, error) {
	res, err := s.write.ExecContext(ctx, `INSERT INTO claims (key, holder, expires_at)
		VALUES (?, ?, `+s.d.nowMS()+` + ?) ON CONFLICT (key) DO NOTHING`, key, s.owner, keepFor.Milliseconds())
	if err != nil {
		return false, fmt.Errorf("store: claim %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: claim %s: %w", key, err)
	}
	return n == 1, nil
}

// HoldPlace is AcquireLease in the shape the attempt lifecycle takes: ok
// is false when every place is taken, and release gives the place back.
func (s *Store) HoldPlace(ctx context.Context, key string, limit int, ttl time.Duration) (release func(context.Context) error, ok bool, err error) {
	l, err := s.AcquireLease(ctx, key, limit, ttl)
	if errors.Is(err, ErrNoLease) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return l.Release, true, nil
}
