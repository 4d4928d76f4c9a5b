// Package store keeps probe attempts (probe.Result) in SQLite and answers the
// questions the dashboard asks of them: one attempt whole, pages of history
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
// # Portability
//
// A PostgreSQL store is planned. The SQL keeps to plain types and syntax both
// understand: row-value comparisons for the keyset, partial indexes, LIMIT,
// '?' placeholders (to be rebound to $n). What is SQLite's alone is in
// sqlite.go (the DSN, PRAGMA integrity_check, the checkpoint) and in the
// triggers of migrations 0002, 0003 and 0005; instr() would be strpos() in
// PostgreSQL.
//
// # Free text
//
// Filter.Q is a case-insensitive substring of one lower-cased column
// (migrations/0004_search_text.sql). A term of three characters or more that
// is rare (fewer than 20,000 candidates) is found through an FTS5 trigram
// index of finished attempts (migrations/0005_search_index.sql) and
// confirmed with instr(); a common or short term walks the attempts newest
// first, which fills a page quickly, and its count stops at 10,000. At a
// million attempts an absent term takes milliseconds instead of 3 s.
// PostgreSQL would use a pg_trgm index.
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
