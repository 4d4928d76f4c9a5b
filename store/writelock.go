package store

import (
	"context"
	"fmt"
)

// Every write of an attempt moves the per-day counts (daily_codes,
// daily_servers, daily_host_codes: triggers in the migrations), and a few
// of their rows are shared by nearly every write: today's count of
// successes, and today's count for a busy server (every monitor of an MSP
// may watch the same relay). On SQLite there is one writer, so that costs
// nothing. On PostgreSQL several replicas write at once, and two
// transactions that each carry several attempts take those rows in
// different orders (one saves a failure then a success, the other a
// success then a failure), which the server breaks by aborting one
// (SQLSTATE 40P01). Under a steady load of monitors that was hundreds of
// deadlocks a minute, each followed by the slow path of writing every
// attempt of the group alone.
//
// So every transaction that writes attempts first takes one
// transaction-scoped advisory lock: writers of attempts queue on it, as
// they queue on SQLite's write lock, and no transaction waits on a count
// row while holding another. The lock is released by COMMIT or ROLLBACK.
// Group commit (groupcommit.go) keeps the queue short: one lock per group
// of up to maxGroup writes, not per write.

// attemptWritesLock is the advisory lock's key. Any constant works as long
// as nothing else in the database uses it; goose's migration lock is
// another (5887940537704921958).
const attemptWritesLock int64 = 0x736d7470646f6331 // "smtpdoc1"

// lockAttemptWrites takes the attempt writers' lock for the rest of tx
// (PostgreSQL; nothing to do on SQLite, whose write transactions are
// serialized already).
func lockAttemptWrites(ctx context.Context, tx txn) error {
	if tx.d != dialectPostgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, attemptWritesLock); err != nil {
		return fmt.Errorf("store: wait for the attempt writers' lock: %w", err)
	}
	return nil
}
