// Package store keeps probe attempts (probe.Result) and the dashboard's
// monitors, in SQLite (one process, a file) or PostgreSQL (several replicas,
// one database), and answers the questions the dashboard asks of them: one
// attempt whole, pages of history under a filter, counts, a per-server view,
// a per-day breakdown of diagnosis codes, and the last attempt that worked.
// Both back ends keep the same schema, answer through the same queries
// where they can, and pass one test suite (storetest); what differs is said
// below, each back end in a section of its own.
//
// # Why a document plus summary columns
//
// An attempt is written whole (at creation, at each progress update, at the
// end) and read whole (the permalink page, the JSON API). Nothing ever asks
// for "transcript line 7 of every attempt", so the Result is stored as one
// document: JSON, DEFLATE-compressed, in a BLOB (BYTEA in PostgreSQL; see
// codec.go). What the history pages do filter, sort and show (time, host,
// port, user, status, outcome, diagnosis code and title, failed step, the
// server's reply, the kind) is copied into plain indexed columns beside it.
// Normalised tables for steps, transcript lines and findings would cost a
// join per page and roughly an order of magnitude more space (a row and
// index entry per transcript line) for no query that needs them. A typical
// attempt (a 25-line transcript, a certificate chain, a diagnosis: 5 KB of
// JSON) compresses to about 1 KB with a preset dictionary (dict.go) and
// takes about 2.1 KB of SQLite file with its summary columns, index entries
// and share of the per-day counts (the budget is 4 KB; size_test.go checks
// it).
//
// # What both back ends share
//
// The queries are written once, with '?' placeholders (rebound to $n for
// PostgreSQL, see dialect.go), in the SQL both understand: row-value
// comparisons for the keyset, partial indexes, LIMIT, INSERT … ON CONFLICT
// … RETURNING, UPDATE … FROM. The schema has a file per dialect and version
// (migrations/ and migrations/postgres/, the same numbers in both), applied
// in order by goose (migrate.go), each in its own transaction; a schema
// newer than the binary is refused. History pages walk an index already in
// (started_at, id) order, so a page reads LIMIT rows however many match
// (plan_test.go pins SQLite's plans). Counts, the breakdown and the servers
// view read per-day count tables keyed by day and kind (migrations
// 0002, 0003 and 0011) kept exact by triggers in the database, so hand-run
// deletes keep them right too, and count attempts one by one only for the
// partial days at the edges of the window asked for; the breakdown and the
// servers view count only attempts that tested a server (probes and
// monitors' runs), not pasted text explained. The servers view also reads
// a per-server summary kept by triggers (migration 0012): each server's
// newest TimelineLength tested attempts (server_timeline, trimmed on
// insert, refilled from attempts when retention deletes one), the same
// packed into one text per server (server_points, what the view reads),
// and when it last worked (server_worked); the newest TimelineLength since
// any time are those of them that started since then, so one small read
// answers every window. On PostgreSQL the triggers only note which servers
// changed, and the view rebuilds those before it reads
// (refreshServerSummaries): replicas' writes queue on one lock, and a
// rebuild on every write halved how many monitor runs they could record.
// Each Store is a replica with
// a random id and a heartbeat row (replicas.go): the attempts it writes
// carry that id, so "interrupted" means "its replica is gone", never
// "another replica is running it". Limits that must hold across replicas
// keep their places (leases) and counts in the database (limits.go): a
// lease belongs to its replica, is renewed by its heartbeats, and is freed
// when another replica declares it gone, at the moment that replica's
// unfinished attempts are marked interrupted. A monitor's due run is
// claimed by the one replica whose UPDATE moves its next run forward
// (monitorclaim.go). Each write of an attempt wakes its watchers (Watch,
// watch.go). Create and Update of concurrent
// callers share transactions (group commit, groupcommit.go): one commit
// for every write that arrived while the previous one ran, and each caller
// still returns only after its own write is committed.
//
// # SQLite
//
// The default, for one process on one machine. The driver is
// modernc.org/sqlite (pure Go). As gatus does, every pragma is in the DSN,
// so each pooled connection gets it: WAL (readers never block the writer),
// busy_timeout, foreign_keys, synchronous=NORMAL (safe with WAL: a power
// cut may lose the last commits, never corrupt the file) and BEGIN
// IMMEDIATE for transactions (a writer takes the lock at BEGIN rather than
// failing with SQLITE_BUSY on its first write). Writes go through one
// connection (SQLite has one writer anyway; one connection turns lock
// contention into a queue in database/sql); reads use a second pool of
// query_only connections (sqlite.go, with the integrity check and the
// checkpoint). Free text (Filter.Q, a case-insensitive substring of one
// lower-cased column, migrations/0004_search_text.sql) goes through an
// FTS5 trigram table of finished attempts kept by triggers
// (migrations/0005_search_index.sql) when the term has three characters or
// more and is rare (fewer than 20,000 candidates), confirmed with instr();
// a common or short term walks the attempts newest first, which fills a
// page quickly, and its count stops at 10,000. At a million attempts an
// absent term takes milliseconds instead of 3 s. Joins to the attempts'
// own rows go by rowid, the table's b-tree key. The count tables are
// WITHOUT ROWID and kept by row-level triggers. Bulk inserts run one
// prepared statement per row: the database is in the process, so a
// statement costs no round trip. A replica's liveness is also told by an
// flock on a small file beside the database, which the kernel releases the
// moment the process ends; watchers hear of writes in the process only.
// Several processes may share one file on one machine (each its own
// replica), but limits are kept per process (Shared is false).
//
// # PostgreSQL
//
// For several replicas behind a load balancer, selected by a postgres://
// URL. The driver is pgx (github.com/jackc/pgx/v5) through database/sql,
// with one pool for reads and writes: PostgreSQL has many writers
// (postgres.go). Free text is a LIKE on the same lower-cased column,
// answered by a pg_trgm GIN index of every attempt
// (migrations/postgres/0005_search_index.sql), the planner choosing between
// the index and the walk newest first. There is no rowid: joins go by the
// primary key, id. Keys are COLLATE "C" so that ties order as in SQLite,
// whatever the server's locale. The count tables are kept by
// statement-level triggers that read the statement's transition tables and
// add one grouped change per key: row-level triggers would update one count
// row once per attempt, leaving a dead row version each time, and a batch
// of 12,000 attempts took 30 s. Bulk inserts send column arrays through
// INSERT … SELECT FROM unnest, a statement per thousand rows rather than a
// round trip per row. Writes of an attempt are
// announced with NOTIFY in the writing transaction and heard by every
// replica's LISTEN connection, so a page open on replica B follows a probe
// that replica A runs. Liveness rests on heartbeats alone (a replica
// silent for Options.Stale is gone), migrations run under goose's session
// lock (an advisory lock) so replicas starting together migrate once, and
// limits are kept in the database for every replica (Shared is true):
// per-target places as leases, and request counts per window.
//
// The password never reaches this package: probe.Result has no field for it.
package store
