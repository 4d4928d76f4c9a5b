package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Several processes (replicas) may serve from one database. Each has a
// random id for its lifetime, written into attempts.owner when it stores an
// attempt, and a row in replicas whose seen_at it refreshes every
// Heartbeat. An unfinished attempt is cut off when its owner is gone, and
// only then is it marked interrupted; a live replica's running probes are
// left alone.
//
// "Gone" is decided in two ways. On one machine (SQLite), each replica
// also holds an exclusive lock on a small file beside the database,
// <db>-replica-<id>.lock, which the kernel releases the moment the process
// ends, kill -9 included: if another process can take that lock, the owner
// is gone, and if it cannot, the owner is alive however late its
// heartbeat (a full disk stops heartbeats, not probes). Without such a file
// (another machine, a database opened before this scheme, a directory the
// file could not be made in), the heartbeat decides: older than Stale is
// gone. Every replica checks at startup and with each heartbeat.

// Options tune a store; zero fields take the defaults.
type Options struct {
	// Heartbeat is how often this process tells the database it is alive
	// (DefaultHeartbeat).
	Heartbeat time.Duration
	// Stale is how old a replica's last heartbeat may be before the
	// replica counts as gone and its unfinished attempts as interrupted
	// (DefaultStale), when no lock file can say (PostgreSQL, another
	// machine). It should span several heartbeats, so that one slow
	// heartbeat does not declare a live replica dead.
	Stale time.Duration
}

// Liveness defaults: a replica gone without a trace (no lock file to ask)
// shows its probes as interrupted within about half a minute.
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

// forgetReplicasAfter is how long a gone replica's row is kept, for looking
// into what happened, before a heartbeat deletes it.
const forgetReplicasAfter = 24 * time.Hour

// replica is this process's presence in the database.
type replica struct {
	s         *Store
	heartbeat time.Duration
	stale     time.Duration
	lockDir   string   // where lock files live; "" when the store has no file
	lock      *os.File // our own lock file, held; nil if it could not be made

	mu      sync.Mutex
	lastErr error // the last heartbeat's error, for Ready

	cancel   context.CancelFunc
	done     chan struct{}
	stopOnce sync.Once
	stopErr  error
}

// newReplicaID is 128 random bits (base32): unique among the processes
// that will ever share a database.
func newReplicaID() string { return rand.Text() }

// startReplica registers this process and starts its heartbeat. dbPath is
// the SQLite file, for the lock file beside it.
func startReplica(ctx context.Context, s *Store, dbPath string, o Options) (*replica, error) {
	r := &replica{s: s, heartbeat: o.Heartbeat, stale: o.Stale, done: make(chan struct{})}
	if dbPath != "" && !strings.HasPrefix(dbPath, "file:") && dbPath != ":memory:" {
		r.lockDir = filepath.Dir(dbPath)
		r.lock = lockReplicaFile(r.lockPath(s.owner), dbPath)
	}
	// A database that cannot be written now (a full disk) still serves
	// what it holds: the failed beat is Ready's answer until one succeeds.
	r.beat(ctx)
	r.forgetLockFiles()
	hctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go r.loop(hctx)
	return r, nil
}

// forgetLockFiles removes the lock files that processes killed before
// anyone asked about them left behind (nobody holds their locks).
func (r *replica) forgetLockFiles() {
	if r.lockDir == "" {
		return
	}
	paths, _ := filepath.Glob(filepath.Join(r.lockDir, lockPrefix(r.s.path)+"*.lock"))
	for _, p := range paths {
		id := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), lockPrefix(r.s.path)), ".lock")
		if held, known := lockHeld(p); known && !held {
			r.forget(id, p)
		}
	}
}

// forget records that replica id is gone, as its released lock said, then
// removes the lock file: the heartbeat rule alone then counts it gone.
func (r *replica) forget(id, lockFile string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := r.s.write.ExecContext(ctx, `UPDATE replicas SET seen_at = 0 WHERE id = ?`, id); err == nil {
		os.Remove(lockFile)
	}
}

func (r *replica) lockPath(id string) string {
	return filepath.Join(r.lockDir, lockPrefix(r.s.path)+id+".lock")
}

// lockPrefix names the lock files of one database.
func lockPrefix(dbPath string) string { return filepath.Base(dbPath) + "-replica-" }

// loop beats until stopped, and with each beat looks for replicas that
// are gone, so that a replica killed while others live has its probes
// marked interrupted by them.
func (r *replica) loop(ctx context.Context) {
	defer close(r.done)
	t := time.NewTicker(r.heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		bctx, cancel := context.WithTimeout(ctx, r.heartbeat)
		if err := r.beat(bctx); err == nil {
			r.s.MarkInterrupted(bctx)
		}
		cancel()
	}
}

// beat refreshes this replica's row (creating it after a long absence) and
// forgets replicas gone for a day. It is a real write: Ready uses it to
// tell whether the database can be written.
func (r *replica) beat(ctx context.Context) error {
	now := time.Now().UnixMilli()
	err := func() error {
		res, err := r.s.write.ExecContext(ctx, `UPDATE replicas SET seen_at = ? WHERE id = ?`, now, r.s.owner)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if _, err := r.s.write.ExecContext(ctx, `INSERT INTO replicas (id, started_at, seen_at) VALUES (?, ?, ?)`,
				r.s.owner, now, now); err != nil {
				return err
			}
		}
		if _, err := r.s.write.ExecContext(ctx, `DELETE FROM replicas WHERE seen_at < ?`, now-forgetReplicasAfter.Milliseconds()); err != nil {
			return err
		}
		// Old request counts and expired claims (limits.go).
		if _, err := r.s.write.ExecContext(ctx, `DELETE FROM rate_counts WHERE window_start < ?`, now-forgetRateCountsAfter.Milliseconds()); err != nil {
			return err
		}
		if _, err = r.s.write.ExecContext(ctx, `DELETE FROM claims WHERE expires_at < ?`, now); err != nil {
			return err
		}
		// The places this replica holds stay its own while it lives,
		// however long its probes take.
		return r.s.held.renew(ctx, r.s)
	}()
	r.mu.Lock()
	r.lastErr = err
	r.mu.Unlock()
	return err
}

// gone reports whether the replica id no longer runs anything.
func (r *replica) gone(ctx context.Context, id string) (bool, error) {
	switch id {
	case "":
		return true, nil // stored before replicas were recorded
	case r.s.owner:
		return false, nil
	}
	if r.lockDir != "" {
		if held, known := lockHeld(r.lockPath(id)); known {
			if !held {
				r.forget(id, r.lockPath(id))
			}
			return !held, nil
		}
	}
	var seen int64
	err := r.s.read.QueryRowContext(ctx, `SELECT seen_at FROM replicas WHERE id = ?`, id).Scan(&seen)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return true, nil
	case err != nil:
		return false, err
	}
	return seen < time.Now().Add(-r.stale).UnixMilli(), nil
}

// stop ends the heartbeat and says goodbye: whatever this replica still
// has unfinished is cut off now, so it is marked interrupted, and its row
// and lock file go.
func (r *replica) stop() error {
	if r == nil {
		return nil
	}
	r.stopOnce.Do(func() { r.stopErr = r.goodbye() })
	return r.stopErr
}

func (r *replica) goodbye() error {
	r.cancel()
	<-r.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err1 := r.s.leaveBehind(ctx, r.s.owner)
	_, err2 := r.s.write.ExecContext(ctx, `DELETE FROM replicas WHERE id = ?`, r.s.owner)
	r.unlock()
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("store: unregister replica: %w", err)
	}
	return nil
}

func (r *replica) unlock() {
	if r.lock != nil {
		os.Remove(r.lock.Name())
		r.lock.Close()
		r.lock = nil
	}
}

// Replica is this process's id among the replicas sharing the database.
func (s *Store) Replica() string { return s.owner }

// Ready reports whether the database can be written now: it writes this
// replica's heartbeat. A full disk or a read-only file fails it; it
// succeeds again by itself once the write does.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.replica.beat(ctx); err != nil {
		return fmt.Errorf("store: write the heartbeat: %w", err)
	}
	return nil
}

// MarkInterrupted turns every queued or running attempt whose owner is gone
// (see above) into an interrupted one, and says how many there were. The
// places the gone replica held under shared limits (leases, limits.go) are
// freed at the same moment: a replica killed mid-probe no longer keeps its
// targets from everyone until the leases' ttl runs out. The attempts and
// places of this process and of other live replicas are left alone.
func (s *Store) MarkInterrupted(ctx context.Context) (int64, error) {
	// A replica may hold places and no unfinished attempt (it was killed
	// between storing a finished probe and giving its place back).
	owners, err := scanStrings(s.read.QueryContext(ctx,
		`SELECT owner FROM attempts WHERE status IN ('queued', 'running')
		UNION SELECT holder FROM leases`))
	if err != nil {
		return 0, fmt.Errorf("store: mark interrupted attempts: find their owners: %w", err)
	}
	var total int64
	for _, owner := range owners {
		gone, err := s.replica.gone(ctx, owner)
		if err != nil {
			return total, fmt.Errorf("store: mark interrupted attempts: is replica %q alive: %w", owner, err)
		}
		if !gone {
			continue
		}
		n, err := s.leaveBehind(ctx, owner)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// leaveBehind ends what replica owner was doing, in one transaction: its
// unfinished attempts are marked interrupted (and their watchers told, on
// every replica: NOTIFY on PostgreSQL) and the places it held are freed.
// It says how many attempts were interrupted.
func (s *Store) leaveBehind(ctx context.Context, owner string) (int64, error) {
	t, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: mark interrupted attempts: %w", err)
	}
	defer t.Rollback()
	if err := lockAttemptWrites(ctx, t); err != nil {
		return 0, err
	}
	ids, err := scanStrings(t.QueryContext(ctx, `UPDATE attempts SET status = 'interrupted'
		WHERE status IN ('queued', 'running') AND owner = ? RETURNING id`, owner))
	if err != nil {
		return 0, fmt.Errorf("store: mark interrupted attempts: %w", err)
	}
	if _, err := t.ExecContext(ctx, `DELETE FROM leases WHERE holder = ?`, owner); err != nil {
		return 0, fmt.Errorf("store: free the places of replica %q: %w", owner, err)
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
	return out, rows.Err()
}
