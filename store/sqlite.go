package store

import (
	"context"
	"fmt"
	"strings"
)

// This file holds what is SQLite's alone: connection strings and the
// maintenance pragmas.

// writerDSN opens (creating if needed) the database for the one writer
// connection. Pragmas are in the DSN so that a reconnect gets them too.
// The writer's page cache is 32 MB rather than SQLite's 2 MB so that a
// batch of a few thousand attempts (CreateBatch) commits without spilling
// dirty pages to the log mid-transaction and writing them twice; it only
// fills as it is used.
func writerDSN(path string) string {
	return "file:" + escapePath(path) + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
		"&_pragma=cache_size(-32768)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// readerDSN opens the same file for readers. query_only makes a stray write
// through a reader fail loudly instead of contending with the writer.
// (mode=ro is avoided: a read-only open of a WAL database fails when the
// -shm file is missing.)
func readerDSN(path string) string {
	return "file:" + escapePath(path) + "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_query_only=1"
}

// escapePath keeps '?' and '#' in a file name from being read as the start of
// the DSN's query or fragment.
func escapePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// IntegrityCheck runs SQLite's PRAGMA integrity_check and fails unless it
// answers exactly "ok". Crash tests call it after killing the process.
// PostgreSQL keeps its own consistency (write-ahead log, crash recovery);
// there it only checks that the database answers.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	if s.d == dialectPostgres {
		return s.Ping(ctx)
	}
	rows, err := s.write.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("store: integrity check: %w", err)
		}
		problems = append(problems, line)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	if len(problems) == 1 && problems[0] == "ok" {
		return nil
	}
	if len(problems) > 10 {
		problems = append(problems[:10], "...")
	}
	return fmt.Errorf("store: integrity check failed: %s", strings.Join(problems, "; "))
}

// Checkpoint copies the write-ahead log into the main file and truncates
// it, so the file size is the data size (tests measuring storage use it,
// and a backup by file copy then needs only the main file).
func (s *Store) Checkpoint(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	return nil
}
