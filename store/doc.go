// Package store keeps probe attempts (probe.Result) in SQLite or PostgreSQL
// and answers the questions the dashboard asks of them: one attempt whole, pages of history
// under a filter, counts, a per-server view, a per-day breakdown of
// diagnosis codes, and the last attempt that worked.
//
// # Why a document plus summary columns
//
// An attempt is written whole (at creation, at each progress update, at the
// end) and read whole (the permalink page, the JSON API). Nothing ever asks
// for "transcript line 7 of every attempt", so the Result is stored as one
// document: JSON, DEFLATE-compressed, in a BLOB (see codec.go). What the
// history pages do filter, sort and show (time, host, port, user, status,
// outcome, diagnosis code and title, failed step, the server's reply) is
// copied into plain indexed columns beside it. Normalised tables for steps,
// transcript lines and findings would cost a join per page and roughly an
// order of magnitude more space (a row and index entry per transcript line)
// for no query that needs them. A typical attempt (a 25-line transcript, a
// certificate chain, a diagnosis: 5 KB of JSON) compresses to about 1 KB
// with a preset dictionary (dict.go) and takes about 2.1 KB of file with
// its summary columns, index entries and share of the per-day counts
// (the budget is 4 KB; size_test.go checks it).
//
// # Counting without walking
//
// Counts, the per-day breakdown and the servers view read two small tables
// of per-day counts (migrations/0002_daily_counts.sql) kept exact by
// triggers, and count attempts one by one only for the partial days at the
// edges of the window asked for. History pages walk an index already in
// (started_at, id) order, so a page reads LIMIT rows however many match;
// plan_test.go pins those plans.
//
// # SQLite set-up
//
// The driver is modernc.org/sqlite (pure Go). As gatus does, every pragma is
// in the DSN, so each pooled connection gets it: WAL (readers never block
// the writer), busy_timeout, foreign_keys, synchronous=NORMAL (safe with
// WAL: a power cut may lose the last commits, never corrupt the file) and
// BEGIN IMMEDIATE for transactions (a writer takes the lock at BEGIN rather
// than failing with SQLITE_BUSY on its first write). Writes go through one
// connection (SQLite has one writer anyway; one connection turns lock
// contention into a queue in database/sql); reads use a second pool of
// query_only connections.
//
// # Two back ends
//
// Open takes a file path (SQLite, one process) or a postgres:// URL
// (PostgreSQL through pgx, shared by several replicas). The queries are
// written once, with '?' placeholders (rebound to $n for PostgreSQL, see
// dialect.go), in the SQL both understand: row-value comparisons for the
// keyset, partial indexes, LIMIT, INSERT … ON CONFLICT … RETURNING. What
// differs is spelled out where it is used, switching on the dialect:
// sqlite.go (DSNs, integrity check, checkpoint), postgres.go (the pool,
// LISTEN), free text (FTS5 trigram table vs pg_trgm GIN index), bulk
// inserts (one prepared statement per row vs unnest arrays). The schema has
// a file per dialect and version (migrations/ and migrations/postgres/),
// applied by goose (migrate.go), and one test suite (storetest) runs on
// both.
//
// # Replicas
//
// Each Store is a replica with a random id and a heartbeat row
// (replicas.go); the attempts it writes carry that id, so "interrupted"
// means "its replica is gone", never "another replica is running it".
// Writes of an attempt are announced (Watch; NOTIFY on PostgreSQL, heard by
// every replica's LISTEN), and limits that must hold across replicas keep
// their count in the database (limits.go).
//
// # Free text
//
// Filter.Q is a case-insensitive substring of one lower-cased column
// (migrations/0004_search_text.sql). On SQLite a term of three characters or more that
// is rare (fewer than 20,000 candidates) is found through an FTS5 trigram
// index of finished attempts (migrations/0005_search_index.sql) and
// confirmed with instr(); a common or short term walks the attempts newest
// first, which fills a page quickly, and its count stops at 10,000. At a
// million attempts an absent term takes milliseconds instead of 3 s.
// PostgreSQL finds it with LIKE through a pg_trgm GIN index, its planner
// choosing between the index and the walk.
//
// # Writes under load
//
// Create and Update of concurrent callers share transactions (group commit,
// groupcommit.go): a commit writes the WAL once for every write that
// arrived while the previous one ran, and each caller still returns only
// after its own write is committed.
//
// The password never reaches this package: probe.Result has no field for it.
package store
