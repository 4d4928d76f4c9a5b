package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Options tune a store; zero fields take the defaults.
type Options struct {
	// Heartbeat is how often this process tells the database it is alive
	// (DefaultHeartbeat).
	Heartbeat time.Duration
	// Stale is how old a replica's last heartbeat may be before the
	// replica counts as gone and its unfinished attempts as interrupted
	// (DefaultStale). It should span several heartbeats, so that one slow
	// heartbeat does not declare a live replica dead.
	Stale time.Duration
}

// Liveness defaults: a killed replica's probes show as interrupted within
// about half a minute.
const (
	DefaultHeartbeat = 5 * time.Second
	DefaultStale     = 30 * time.Second
)

func (o Options) withDefaults() Options {
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	if o.Stale <= 0 {
		o.Stale = DefaultStale
	}
	return o
}

// forgetReplicasAfter is how long a gone replica's row is kept, for
// looking into what happened, before a heartbeat deletes it.
const forgetReplicasAfter = 24 * time.Hour

// replica keeps this process's row in replicas fresh. Every attempt this
// process stores carries its id (attempts.owner).
type replica struct {
	s      *Store
	o      Options
	cancel context.CancelFunc
	done   chan struct{}
}

// newReplicaID is 128 random bits (base32): unique among the processes
// that will ever share a database.
func newReplicaID() string { return rand.Text() }

func startReplica(ctx context.Context, s *Store, o Options) (*replica, error) {
	if _, err := s.write.ExecContext(ctx, `INSERT INTO replicas (id, started_at, seen_at)
		VALUES (?, `+s.d.nowMS()+`, `+s.d.nowMS()+`)`, s.owner); err != nil {
		return nil, fmt.Errorf("register replica: %w", err)
	}
	hctx, cancel := context.WithCancel(context.Background())
	r := &replica{s: s, o: o, cancel: cancel, done: make(chan struct{})}
	go r.loop(hctx)
	return r, nil
}

// loop beats until stopped. On PostgreSQL each beat also looks for
// replicas that stopped beating and marks their probes interrupted, so a
// killed replica's probes stop showing as running while the others live
// on. (A SQLite database has one process; it does that once, at startup.)
func (r *replica) loop(ctx context.Context) {
	defer close(r.done)
	t := time.NewTicker(r.o.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// Errors are left for the next beat: a database that is away
		// for a moment fails the requests of the moment, and a
		// replica away for longer than Stale is rightly counted gone.
		bctx, cancel := context.WithTimeout(ctx, r.o.Heartbeat)
		r.beat(bctx)
		if r.s.d == dialectPostgres {
			r.s.MarkInterrupted(bctx)
		}
		cancel()
	}
}

func (r *replica) beat(ctx context.Context) error {
	s := r.s
	res, err := s.write.ExecContext(ctx, `UPDATE replicas SET seen_at = `+s.d.nowMS()+` WHERE id = ?`, s.owner)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		// Forgotten after a long absence: count as alive again.
		if _, err := s.write.ExecContext(ctx, `INSERT INTO replicas (id, started_at, seen_at)
			VALUES (?, `+s.d.nowMS()+`, `+s.d.nowMS()+`)`, s.owner); err != nil {
			return err
		}
	}
	if _, err = s.write.ExecContext(ctx, `DELETE FROM replicas WHERE seen_at < `+s.d.nowMS()+` - ?`,
		forgetReplicasAfter.Milliseconds()); err != nil {
		return err
	}
	if _, err = s.write.ExecContext(ctx, `DELETE FROM rate_counts WHERE window_start < `+s.d.nowMS()+` - ?`,
		forgetRateCountsAfter.Milliseconds()); err != nil {
		return err
	}
	_, err = s.write.ExecContext(ctx, `DELETE FROM claims WHERE expires_at < `+s.d.nowMS())
	return err
}

// stop ends the heartbeat, marks whatever this process still has
// unfinished interrupted (nothing will finish it now), gives back its
// leases, and removes this replica's row.
func (r *replica) stop() error {
	if r == nil {
		return nil
	}
	r.cancel()
	<-r.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := r.s.interrupt(ctx, `owner = ?`, r.s.owner); err != nil {
		return fmt.Errorf("store: unregister replica: %w", err)
	}
	if _, err := r.s.write.ExecContext(ctx, `DELETE FROM leases WHERE holder = ?`, r.s.owner); err != nil {
		return fmt.Errorf("store: unregister replica: %w", err)
	}
	if _, err := r.s.write.ExecContext(ctx, `DELETE FROM replicas WHERE id = ?`, r.s.owner); err != nil {
		return fmt.Errorf("store: unregister replica: %w", err)
	}
	return nil
}

// Replica is this process's id among the replicas sharing the database.
func (s *Store) Replica() string { return s.owner }

// MarkInterrupted turns every queued or running attempt whose owner is
// gone into an interrupted one, and says how many there were.
//
// On SQLite, where one process has the database, it is called at startup,
// before the runner starts, so every unfinished attempt was cut off (by a
// crash or a restart). On PostgreSQL, where replicas
// share the database, an attempt is cut off when its replica's last
// heartbeat is older than Options.Stale (or the replica said goodbye);
// a live replica's running probes are left alone. Every replica calls it
// at startup and with each heartbeat.
func (s *Store) MarkInterrupted(ctx context.Context) (int64, error) {
	if s.d == dialectPostgres {
		return s.interrupt(ctx, `owner NOT IN (SELECT id FROM replicas WHERE seen_at >= `+s.d.nowMS()+` - ?)`,
			s.replica.o.Stale.Milliseconds())
	}
	return s.interrupt(ctx, `1 = 1`)
}

// interrupt marks the unfinished attempts matching cond interrupted, and
// tells their watchers, on every replica.
func (s *Store) interrupt(ctx context.Context, cond string, args ...any) (int64, error) {
	t, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: mark interrupted attempts: %w", err)
	}
	defer t.Rollback()
	ids, err := scanStrings(t.QueryContext(ctx, `UPDATE attempts SET status = 'interrupted'
		WHERE status IN ('queued', 'running') AND `+cond+` RETURNING id`, args...))
	if err != nil {
		return 0, fmt.Errorf("store: mark interrupted attempts: %w", err)
	}
	if s.d == dialectPostgres && len(ids) > 0 {
		if _, err := t.Tx.ExecContext(ctx, `SELECT pg_notify('`+attemptsChannel+`', id) FROM unnest($1::text[]) AS id`, ids); err != nil {
			return 0, fmt.Errorf("store: mark interrupted attempts: %w", err)
		}
	}
	if err := t.Commit(); err != nil {
		return 0, fmt.Errorf("store: mark interrupted attempts: %w", err)
	}
	s.changes.signal(ids...)
	return int64(len(ids)), nil
}

// scanStrings reads a one-column result.
func scanStrings(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}
