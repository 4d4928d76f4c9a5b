package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

// groupWriter commits the one-row writes of concurrent callers (Create and
// Update, two per probe) in shared transactions: whatever arrives while a
// commit is under way goes into the next one. Each commit writes (and on
// PostgreSQL flushes) the write-ahead log, and SQLite commits one
// transaction at a time, so under load most of a write's cost was its own
// commit; with 32 probes at once most commits now carry several writes. Each caller still returns only
// once its write is committed, so nothing a caller was told is stored can
// be lost, and its own error (a duplicate id, ErrNotFound) stays its own.
type groupWriter struct {
	db             pool
	changes        *hub
	reqs           chan *writeReq
	quit           chan struct{}
	done           chan struct{}
	stopOnce       sync.Once
	insert         *sql.Stmt
	update         *sql.Stmt
	save           *sql.Stmt
	createIfAbsent *sql.Stmt
}

type writeReq struct {
	id    string // the attempt written, announced once committed
	apply func(ctx context.Context, tx txn) error
	err   chan error
}

// maxGroup bounds one transaction, so a burst cannot hold the write lock
// for long while readers wait for a fresh snapshot.
const maxGroup = 64

// writeTimeout bounds one group's statements and commit; a caller's own
// context may be cancelled once its write is under way (see apply), so
// the group needs a deadline of its own.
const writeTimeout = 30 * time.Second

var errClosed = errors.New("store: closed")

func newGroupWriter(ctx context.Context, db pool, changes *hub) (*groupWriter, error) {
	g := &groupWriter{db: db, changes: changes, reqs: make(chan *writeReq), quit: make(chan struct{}), done: make(chan struct{})}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{{&g.insert, insertAttempt}, {&g.update, updateAttempt}, {&g.save, saveAttempt}, {&g.createIfAbsent, createIfAbsent}} {
		st, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			g.closeStmts()
			return nil, fmt.Errorf("prepare %q: %w", p.sql, err)
		}
		*p.stmt = st
	}
	go g.loop()
	return g, nil
}

func (g *groupWriter) closeStmts() error {
	var errs []error
	for _, st := range []*sql.Stmt{g.insert, g.update, g.save, g.createIfAbsent} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// do runs apply in the next group and returns once that group committed.
func (g *groupWriter) do(ctx context.Context, apply func(ctx context.Context, tx txn) error) error {
	return g.doAttempt(ctx, "", apply)
}

// doAttempt is do for a write of attempt id, which its watchers hear of
// once committed (on every replica, with PostgreSQL).
func (g *groupWriter) doAttempt(ctx context.Context, id string, apply func(ctx context.Context, tx txn) error) error {
	req := &writeReq{id: id, apply: apply, err: make(chan error, 1)}
	select {
	case g.reqs <- req:
	case <-g.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-req.err
}

func (g *groupWriter) loop() {
	defer close(g.done)
	for {
		var first *writeReq
		select {
		case first = <-g.reqs:
		case <-g.quit:
			return
		}
		group := []*writeReq{first}
	more:
		for len(group) < maxGroup {
			select {
			case r := <-g.reqs:
				group = append(group, r)
			default:
				break more
			}
		}
		g.commit(group)
	}
}

func (g *groupWriter) commit(group []*writeReq) {
	// Not the callers' contexts: cancelling one statement makes SQLite
	// roll back the whole transaction, the other callers' writes with it.
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	errs, written, redo, err := g.run(ctx, group)
	if redo || isRetryable(err) {
		// On PostgreSQL a failed statement aborts its whole transaction
		// (SQLite's does not): one caller's duplicate id would fail the
		// others' writes. Rare, so each write is then done alone.
		for i, r := range group {
			var w []string
			errs[i], w, err = g.runAlone(ctx, r)
			written = append(written, w...)
		}
		err = nil
	}
	if err == nil {
		g.changes.signal(written...)
	}
	for i, r := range group {
		if errs[i] == nil {
			errs[i] = err
		}
		r.err <- errs[i]
	}
}

// runAlone does one write in a transaction of its own: its error, and
// its id if it was written. A PostgreSQL deadlock or serialization failure
// (with the attempt writers' lock, writelock.go, only a write that takes
// rows outside it can meet one) is retried.
func (g *groupWriter) runAlone(ctx context.Context, r *writeReq) (error, []string, error) {
	for try := 1; ; try++ {
		errs, written, _, err := g.run(ctx, []*writeReq{r})
		if err == nil {
			err = errs[0]
		}
		if try < 5 && isRetryable(err) {
			continue
		}
		return err, written, nil
	}
}

// run applies the group's writes in one transaction and commits it; errs
// are the writes' own errors, err the transaction's. redo reports a
// PostgreSQL transaction rolled back because one of several writes failed
// in a way that aborts it: nothing was written, and each write should be
// done alone.
func (g *groupWriter) run(ctx context.Context, group []*writeReq) (errs []error, written []string, redo bool, err error) {
	errs = make([]error, len(group))
	tx, err := g.db.BeginTx(ctx, nil)
	if err != nil {
		return errs, nil, false, err
	}
	if err := lockAttemptWrites(ctx, tx); err != nil {
		tx.Rollback()
		return errs, nil, false, err
	}
	for i, r := range group {
		errs[i] = r.apply(ctx, tx)
		if errs[i] == nil && r.id != "" {
			written = append(written, r.id)
		}
	}
	if g.db.d == dialectPostgres && !onlyRefusals(errs) && (len(group) > 1 || isRetryable(errs[0])) {
		tx.Rollback()
		return errs, nil, true, nil
	}
	if g.db.d == dialectPostgres && len(written) > 0 {
		// Delivered to every listening replica when, and only if, the
		// transaction commits.
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify('`+attemptsChannel+`', id) FROM unnest(?::text[]) AS id`, written); err != nil {
			tx.Rollback()
			return errs, nil, false, err
		}
	}
	if err := tx.Commit(); err != nil {
		return errs, nil, false, err
	}
	return errs, written, false, nil
}

// isRetryable reports a PostgreSQL deadlock or serialization failure: the
// transaction was rolled back through no fault of its own, and may be
// tried again.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// onlyRefusals reports whether every failed write failed by finding no
// row, or a monitor status written since it was read: refusals decided
// by a query, not failed statements, which leave a PostgreSQL transaction
// usable.
func onlyRefusals(errs []error) bool {
	for _, err := range errs {
		if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, watch.ErrStaleStatus) {
			return false
		}
	}
	return true
}

// close stops taking writes once the group under way has committed.
func (g *groupWriter) close() error {
	g.stopOnce.Do(func() { close(g.quit) })
	<-g.done
	return g.closeStmts()
}
