package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// groupWriter commits the one-row writes of concurrent callers (Create and
// Update, two per probe) in shared transactions: whatever arrives while a
// commit is under way goes into the next one. SQLite commits one
// transaction at a time, and each commit writes and syncs the WAL, so under
// load most of a write's cost was its own commit; with 32 probes at once
// most commits now carry several writes. Each caller still returns only
// once its write is committed, so nothing a caller was told is stored can
// be lost, and its own error (a duplicate id, ErrNotFound) stays its own.
type groupWriter struct {
	db             *sql.DB
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
	apply func(ctx context.Context, tx *sql.Tx) error
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

func newGroupWriter(ctx context.Context, db *sql.DB) (*groupWriter, error) {
	g := &groupWriter{db: db, reqs: make(chan *writeReq), quit: make(chan struct{}), done: make(chan struct{})}
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
func (g *groupWriter) do(ctx context.Context, apply func(ctx context.Context, tx *sql.Tx) error) error {
	req := &writeReq{apply: apply, err: make(chan error, 1)}
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
	errs := make([]error, len(group))
	tx, err := g.db.BeginTx(ctx, nil)
	if err == nil {
		for i, r := range group {
			errs[i] = r.apply(ctx, tx)
		}
		err = tx.Commit()
	}
	for i, r := range group {
		if errs[i] == nil {
			errs[i] = err
		}
		r.err <- errs[i]
	}
}

// close stops taking writes once the group under way has committed.
func (g *groupWriter) close() error {
	g.stopOnce.Do(func() { close(g.quit) })
	<-g.done
	return g.closeStmts()
}
