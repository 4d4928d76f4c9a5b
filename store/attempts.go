package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

const insertAttempt = `INSERT INTO attempts (` + attemptColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (w row) insertArgs() []any {
	return []any{w.id, w.startedAt, w.host, w.port, w.security, w.user, w.status, w.outcome,
		w.code, w.title, w.failedStep, w.replyText, w.searchText, w.durationMS, w.doc, w.kind, w.monitorID, w.owner}
}

const updateAttempt = `UPDATE attempts SET
	started_at = ?, host = ?, port = ?, security = ?, username = ?, status = ?, outcome = ?,
	code = ?, title = ?, failed_step = ?, reply_text = ?, search_text = ?, duration_ms = ?, doc = ?, kind = ?,
	monitor_id = ?
	WHERE id = ?`

// replaceOnConflict turns an INSERT of attempts into an upsert: Save
// writes an attempt whole, whether or not it exists yet (INSERT … ON
// CONFLICT, which SQLite and PostgreSQL spell the same).
const replaceOnConflict = ` ON CONFLICT (id) DO UPDATE SET
	started_at = excluded.started_at, host = excluded.host, port = excluded.port,
	security = excluded.security, username = excluded.username, status = excluded.status,
	outcome = excluded.outcome, code = excluded.code, title = excluded.title,
	failed_step = excluded.failed_step, reply_text = excluded.reply_text,
	search_text = excluded.search_text, duration_ms = excluded.duration_ms, doc = excluded.doc,
	kind = excluded.kind, monitor_id = excluded.monitor_id, owner = excluded.owner`

// doNothingOnConflict turns an INSERT of attempts into one that leaves an
// attempt already stored alone.
const doNothingOnConflict = ` ON CONFLICT (id) DO NOTHING`

// Save writes r whole, creating the attempt if it is not stored yet: for a
// caller that stores an attempt only once someone could ask for it.
func (s *Store) Save(ctx context.Context, r probe.Result) error {
	return s.writeRow(ctx, "save", r, replaceOnConflict)
}

// CreateIfAbsent stores r unless an attempt with its id is stored already,
// which it leaves alone (no error): for a caller racing its own Save.
func (s *Store) CreateIfAbsent(ctx context.Context, r probe.Result) error {
	return s.writeRow(ctx, "create", r, doNothingOnConflict)
}

func (s *Store) writeRow(ctx context.Context, doing string, r probe.Result, onConflict string) error {
	if r.ID == "" {
		return fmt.Errorf("store: %s attempt: empty id", doing)
	}
	w, err := toRow(r)
	if err != nil {
		return fmt.Errorf("store: %s attempt %s: %w", doing, r.ID, err)
	}
	w.owner = s.owner
	if err := s.writer.doRow(ctx, rowWrite{w, onConflict}); err != nil {
		return fmt.Errorf("store: %s attempt %s: %w", doing, r.ID, err)
	}
	return nil
}

// Create stores a new attempt. The caller sets r.ID (the permalink id);
// r.Status is normally queued or running.
func (s *Store) Create(ctx context.Context, r probe.Result) error {
	return s.writeRow(ctx, "create", r, "")
}

// CreateBatch stores many new attempts in one transaction (SQLite: one
// prepared statement per row; PostgreSQL: arrays through unnest): for
// imports and for filling benchmark databases. The
// documents are compressed in parallel before the write lock is taken.
func (s *Store) CreateBatch(ctx context.Context, rs []probe.Result) error {
	ws := make([]row, len(rs))
	errs := make([]error, len(rs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(rs)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(rs); i = int(next.Add(1)) - 1 {
				if rs[i].ID == "" {
					errs[i] = errors.New("empty id")
					continue
				}
				ws[i], errs[i] = toRow(rs[i])
				ws[i].owner = s.owner
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("store: create attempt %q: %w", rs[i].ID, err)
		}
	}

	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: create batch: %w", err)
	}
	defer tx.Rollback()
	if err := lockAttemptWrites(ctx, tx); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, ws, ""); err != nil {
		return fmt.Errorf("store: create batch: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: create batch: %w", err)
	}
	return nil
}

// insertRows inserts many rows in the transaction's own way; onConflict
// is "", replaceOnConflict or doNothingOnConflict.
func insertRows(ctx context.Context, t txn, ws []row, onConflict string) error {
	if t.d == dialectPostgres {
		return insertUnnest(ctx, t, ws, onConflict)
	}
	return insertEach(ctx, t, ws, onConflict)
}

// insertEach inserts rows one by one through one prepared statement:
// SQLite runs in the process, so a statement costs no round trip.
func insertEach(ctx context.Context, t txn, ws []row, onConflict string) error {
	stmt, err := t.PrepareContext(ctx, insertAttempt+onConflict)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, w := range ws {
		if _, err := stmt.ExecContext(ctx, w.insertArgs()...); err != nil {
			return fmt.Errorf("attempt %s: %w", w.id, err)
		}
	}
	return nil
}

// unnestBatch is how many rows one PostgreSQL INSERT carries.
const unnestBatch = 1000

// insertUnnest inserts rows a thousand at a time, each column sent as one
// array, so that a batch costs a few round trips to PostgreSQL rather than
// one per row; onConflict is "", replaceOnConflict or doNothingOnConflict.
// One statement for many rows also runs the statement-level triggers
// (counts, servers changed) once for all of them.
func insertUnnest(ctx context.Context, t txn, ws []row, onConflict string) error {
	for len(ws) > 0 {
		chunk := ws[:min(unnestBatch, len(ws))]
		ws = ws[len(chunk):]
		if _, err := t.ExecContext(ctx, `INSERT INTO attempts (`+attemptColumns+`)
			SELECT * FROM `+unnestAttempts+onConflict, unnestArgs(chunk)...); err != nil {
			return err
		}
	}
	return nil
}

// attemptColumns are the columns insertAttempt writes, in its order.
const attemptColumns = `id, started_at, host, port, security, username, status, outcome,
	code, title, failed_step, reply_text, search_text, duration_ms, doc, kind, monitor_id, owner`

// unnestAttempts turns unnestArgs' arrays back into rows of attemptColumns.
const unnestAttempts = `unnest(?::text[], ?::bigint[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[],
	?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bytea[], ?::text[], ?::text[], ?::text[])`

// unnestArgs sends rows column by column, one array each.
func unnestArgs(ws []row) []any {
	cols := make([][]any, 18)
	for i := range cols {
		cols[i] = make([]any, len(ws))
	}
	for j, w := range ws {
		for i, v := range w.insertArgs() {
			cols[i][j] = v
		}
	}
	args := make([]any, len(cols))
	for i, c := range cols {
		args[i] = c
	}
	return args
}

// Update overwrites the stored attempt r.ID with r, whole: progress while
// the probe runs, and the final result. Writing the same r twice is
// harmless. ErrNotFound if the attempt does not exist.
func (s *Store) Update(ctx context.Context, r probe.Result) error {
	w, err := toRow(r)
	if err != nil {
		return fmt.Errorf("store: update attempt %s: %w", r.ID, err)
	}
	err = s.writer.doAttempt(ctx, w.id, func(ctx context.Context, tx txn) error {
		return foundOne(tx.StmtContext(ctx, s.writer.update).ExecContext(ctx,
			w.startedAt, w.host, w.port, w.security, w.user, w.status, w.outcome,
			w.code, w.title, w.failedStep, w.replyText, w.searchText, w.durationMS, w.doc, w.kind, w.monitorID, w.id))
	})
	if err != nil {
		return fmt.Errorf("store: update attempt %s: %w", r.ID, err)
	}
	return nil
}

// Get returns the attempt with this id, whole. ErrNotFound if there is none.
func (s *Store) Get(ctx context.Context, id string) (probe.Result, error) {
	r, err := scanResult(s.read.QueryRowContext(ctx, `SELECT status, doc FROM attempts WHERE id = ?`, id))
	if err != nil {
		return r, fmt.Errorf("store: get attempt %s: %w", id, err)
	}
	return r, nil
}

// scanResult reads (status, doc). The status column wins over the
// document's: MarkInterrupted changes the column alone.
func scanResult(sc interface{ Scan(...any) error }) (probe.Result, error) {
	var status string
	var doc []byte
	if err := sc.Scan(&status, &doc); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return probe.Result{}, ErrNotFound
		}
		return probe.Result{}, err
	}
	r, err := decodeDoc(doc)
	if err != nil {
		return r, err
	}
	r.Status = probe.Status(status)
	return r, nil
}

// Delete removes the attempt with this id. ErrNotFound if there is none.
// Like every write of attempts it goes through the group writer, which
// holds the attempt writers' lock (writelock.go).
func (s *Store) Delete(ctx context.Context, id string) error {
	err := s.writer.do(ctx, func(ctx context.Context, tx txn) error {
		return foundOne(tx.ExecContext(ctx, `DELETE FROM attempts WHERE id = ?`, id))
	})
	if err != nil {
		return fmt.Errorf("store: delete attempt %s: %w", id, err)
	}
	return nil
}

// pruneBatch bounds one delete transaction, so that pruning a large backlog
// does not hold the write lock long enough to stall probes being saved.
const pruneBatch = 5000

// Prune deletes attempts that started before olderThan and says how many;
// monitors' attempts are left to PruneMonitors.
func (s *Store) Prune(ctx context.Context, olderThan time.Time) (int64, error) {
	cut := olderThan.UnixMilli()
	var total int64
	if err := s.pruneTryGroups(ctx, olderThan); err != nil {
		return 0, err
	}
	for {
		// A monitor's attempts have a retention of their own
		// (PruneMonitors). Through the group writer, which holds the
		// attempt writers' lock (writelock.go).
		var n int64
		err := s.writer.do(ctx, func(ctx context.Context, tx txn) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM attempts WHERE id IN (
				SELECT id FROM attempts WHERE started_at < ? AND monitor_id = '' ORDER BY started_at LIMIT ?)`, cut, pruneBatch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("store: prune attempts before %s: %w", olderThan.Format(time.RFC3339), err)
		}
		total += n
		if n < pruneBatch {
			return total, nil
		}
	}
}

// LastSuccessBefore returns the newest attempt against host:port that
// started before the given time and worked (outcome success or warning: the
// probe did all it was asked to), for "what changed since it last worked".
// Pasted text explained is not a test of the server and does not count.
// ErrNotFound if none did.
func (s *Store) LastSuccessBefore(ctx context.Context, host string, port int, before time.Time) (probe.Result, error) {
	// The literal IN list matches the partial index attempts_worked.
	r, err := scanResult(s.read.QueryRowContext(ctx, `SELECT status, doc FROM attempts
		WHERE host = ? AND port = ? AND outcome IN ('success', 'warning') AND started_at < ? AND kind <> 'explain'
		ORDER BY started_at DESC, id DESC LIMIT 1`, normHost(host), port, before.UnixMilli()))
	if err != nil {
		return r, fmt.Errorf("store: last success for %s:%d: %w", host, port, err)
	}
	return r, nil
}

// foundOne turns a write that matched no row into ErrNotFound.
func foundOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
