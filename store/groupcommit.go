package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

// groupWriter commits the one-row writes of concurrent callers (an
// attempt's Save, Update, a monitor's run) in shared transactions:
// whatever arrives while a commit is under way goes into the next one.
// Each commit writes (and on PostgreSQL flushes) the write-ahead log, and
// SQLite commits one transaction at a time, so under load most of a
// write's cost was its own commit; with 32 probes at once most commits now
// carry several writes. Each caller still returns only once its write is
// committed, so nothing a caller was told is stored can be lost, and its
// own error (a duplicate id, ErrNotFound) stays its own.
//
// On PostgreSQL a group's whole-row writes of attempts go further: those
// in a row that share a conflict rule are sent as one INSERT (insertUnnest),
// so the group costs one round trip for them, and the statement-level
// triggers that keep the counts run once for the group, not once a row.
type groupWriter struct {
	db       pool
	changes  *hub
	reqs     chan *writeReq
	quit     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	update   *sql.Stmt
	// rowStmts are SQLite's prepared whole-row writes, by conflict rule.
	rowStmts map[string]*sql.Stmt
}

type writeReq struct {
	id    string // the attempt written, announced once committed
	apply func(ctx context.Context, tx txn) error
	row   *rowWrite // a whole-row write of attempt id, in place of apply
	err   chan error
}

// rowWrite writes one attempt whole: insertAttempt with onConflict ("",
// replaceOnConflict or doNothingOnConflict).
type rowWrite struct {
	w          row
	onConflict string
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
	g := &groupWriter{db: db, changes: changes, reqs: make(chan *writeReq), quit: make(chan struct{}), done: make(chan struct{}),
		rowStmts: map[string]*sql.Stmt{}}
	prepare := func(q string) (*sql.Stmt, error) {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			g.closeStmts()
			return nil, fmt.Errorf("prepare %q: %w", q, err)
		}
		return st, nil
	}
	var err error
	if g.update, err = prepare(updateAttempt); err != nil {
		return nil, err
	}
	if db.d != dialectPostgres {
		for _, onConflict := range []string{"", replaceOnConflict, doNothingOnConflict} {
			if g.rowStmts[onConflict], err = prepare(insertAttempt + onConflict); err != nil {
				return nil, err
			}
		}
	}
	go g.loop()
	return g, nil
}

func (g *groupWriter) closeStmts() error {
	var errs []error
	for _, st := range append(slices.Collect(maps.Values(g.rowStmts)), g.update) {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// do runs apply in the next group and returns once that group committed.
func (g *groupWriter) do(ctx context.Context, apply func(ctx context.Context, tx txn) error) error {
	return g.send(ctx, &writeReq{apply: apply})
}

// doAttempt is do for a write of attempt id, which its watchers hear of
// once committed (on every replica, with PostgreSQL).
func (g *groupWriter) doAttempt(ctx context.Context, id string, apply func(ctx context.Context, tx txn) error) error {
	return g.send(ctx, &writeReq{id: id, apply: apply})
}

// doRow writes one attempt whole in the next group.
func (g *groupWriter) doRow(ctx context.Context, rw rowWrite) error {
	return g.send(ctx, &writeReq{id: rw.w.id, row: &rw})
}

func (g *groupWriter) send(ctx context.Context, req *writeReq) error {
	req.err = make(chan error, 1)
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
	if g.db.d == dialectPostgres && shareStatement(group) == len(group) {
		return g.runOneStatement(ctx, group)
	}
	errs = make([]error, len(group))
	tx, err := g.db.BeginTx(ctx, nil)
	if err != nil {
		return errs, nil, false, err
	}
	if err := lockAttemptWrites(ctx, tx); err != nil {
		tx.Rollback()
		return errs, nil, false, err
	}
	for i := 0; i < len(group); {
		n := g.apply(ctx, tx, group[i:], errs[i:])
		for _, r := range group[i : i+n] {
			if errs[i] == nil && r.id != "" {
				written = append(written, r.id)
			}
			i++
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

// apply does the first write of group, or on PostgreSQL the whole-row
// writes it starts with that can share one statement, setting their errors
// in errs: how many writes it did.
func (g *groupWriter) apply(ctx context.Context, tx txn, group []*writeReq, errs []error) int {
	first := group[0]
	switch {
	case first.row == nil:
		errs[0] = first.apply(ctx, tx)
		return 1
	case tx.d != dialectPostgres:
		_, errs[0] = tx.StmtContext(ctx, g.rowStmts[first.row.onConflict]).ExecContext(ctx, first.row.w.insertArgs()...)
		return 1
	}
	n := shareStatement(group)
	err := insertUnnest(ctx, tx, rowsOf(group[:n]), first.row.onConflict)
	for i := range n {
		errs[i] = err
	}
	return n
}

// shareStatement reports how many of the writes group starts with can be
// sent to PostgreSQL as one INSERT: whole-row writes with the same
// conflict rule, none of one id twice (ON CONFLICT DO UPDATE refuses to
// write a row twice in one statement).
func shareStatement(group []*writeReq) int {
	if group[0].row == nil {
		return 0
	}
	ids := map[string]bool{}
	for n, r := range group {
		if r.row == nil || r.row.onConflict != group[0].row.onConflict || ids[r.id] {
			return n
		}
		ids[r.id] = true
	}
	return len(group)
}

// rowsOf is the rows of whole-row writes.
func rowsOf(group []*writeReq) []row {
	rows := make([]row, len(group))
	for i, r := range group {
		rows[i] = r.row.w
	}
	return rows
}

// runOneStatement writes a group of whole-row writes that share one
// statement (shareStatement) on PostgreSQL without BEGIN and COMMIT: a
// single statement is a transaction of its own, so it takes the writers'
// lock (a MATERIALIZED CTE every inserted row is joined to, so the lock is
// held before the first row is written and the count triggers run),
// inserts, and announces what it wrote, in one round trip where the
// transaction took five.
func (g *groupWriter) runOneStatement(ctx context.Context, group []*writeReq) (errs []error, written []string, redo bool, err error) {
	errs = make([]error, len(group))
	rows := rowsOf(group)
	for _, r := range group {
		written = append(written, r.id)
	}
	_, err = g.db.ExecContext(ctx, `WITH locked AS MATERIALIZED (SELECT pg_advisory_xact_lock(?)),
		written AS (
			INSERT INTO attempts (`+attemptColumns+`)
			SELECT u.* FROM locked, `+unnestAttempts+` AS u`+group[0].row.onConflict+`
			RETURNING id)
		SELECT pg_notify('`+attemptsChannel+`', id) FROM written`, append([]any{attemptWritesLock}, unnestArgs(rows)...)...)
	switch {
	case err == nil:
		return errs, written, false, nil
	case len(group) > 1:
		// Nothing was written; whose write failed is found by doing each
		// alone (commit), where a write's error is its own.
		return errs, nil, true, nil
	}
	// Alone: the error is this write's. One PostgreSQL rolled back through
	// no fault of its own goes round again (commit, then runAlone's
	// retries), as in a transaction.
	errs[0] = err
	return errs, nil, isRetryable(err), nil
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
