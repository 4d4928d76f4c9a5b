package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"

	"github.com/smtpdoctor/smtpdoctor/migrations"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is returned (wrapped) when no attempt matches.
var ErrNotFound = errors.New("store: not found")

// Store keeps attempts. It is safe for concurrent use.
type Store struct {
	write *sql.DB // one connection: SQLite has one writer
	read  *sql.DB // query_only connections
	// writer commits Create and Update in groups; see groupcommit.go.
	writer *groupWriter
	// path is the database file.
	path string
	// owner is this process's replica id, written into every attempt it
	// stores.
	owner string
	// replica is this process's row in replicas, kept alive by heartbeats;
	// see replicas.go.
	replica *replica
}

// Open opens (creating if needed) the database at path, brings its schema up
// to date, refuses a schema newer than this binary (ErrSchemaTooNew), and
// registers this process as a replica of it (replicas.go).
func Open(ctx context.Context, path string) (*Store, error) {
	ms, err := loadMigrations(migrations.FS)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	write, err := sql.Open("sqlite", writerDSN(path))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := migrate(ctx, write, ms); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}

	read, err := sql.Open("sqlite", readerDSN(path))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s for reading: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	if err := read.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("store: open %s for reading: %w", path, err)
	}
	writer, err := newGroupWriter(ctx, write)
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Store{write: write, read: read, writer: writer, path: path, owner: newReplicaID()}
	if s.replica, err = startReplica(ctx, s, path); err != nil {
		writer.close()
		write.Close()
		read.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

// SchemaVersion is the schema version this binary knows (the number of
// embedded migrations).
func SchemaVersion() int {
	ms, err := loadMigrations(migrations.FS)
	if err != nil {
		return 0
	}
	return len(ms)
}

// Close stops the heartbeat (marking what this replica left unfinished
// interrupted), then closes both pools. The last connection to close
// checkpoints the write-ahead log into the main file.
func (s *Store) Close() error {
	return errors.Join(s.replica.stop(), s.writer.close(), s.read.Close(), s.write.Close())
}

// Ping reports whether the database answers a query (for /healthz).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx share, for helpers that run in either.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
