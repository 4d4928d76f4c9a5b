package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is returned (wrapped) when no attempt matches.
var ErrNotFound = errors.New("store: not found")

// Store keeps attempts. It is safe for concurrent use.
type Store struct {
	d     dialect
	write pool // SQLite: one connection, SQLite has one writer; PostgreSQL: the pool
	read  pool // SQLite: query_only connections; PostgreSQL: the same pool as write
	// writer commits Create and Update in groups; see groupcommit.go.
	writer *groupWriter
	// path is the SQLite file, for the replicas' lock files beside it; ""
	// on PostgreSQL.
	path string
	// owner is this process's replica id, written into every attempt it
	// stores.
	owner string
	// replica is this process's row in replicas, kept alive by heartbeats;
	// see replicas.go.
	replica *replica
	// changes tells watchers that an attempt was written, by this process
	// or (on PostgreSQL) by any replica; see watch.go.
	changes *hub
	// listen receives other replicas' writes on PostgreSQL; nil on SQLite.
	listen *listener
	// held are the places under shared limits this replica holds, renewed
	// by its heartbeat; see limits.go.
	held heldLeases

	closeOnce sync.Once
	closeErr  error
}

// IsPostgres reports whether dsn names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(dsn string) bool {
	lower := strings.ToLower(dsn)
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// Open opens the store at dsn: a PostgreSQL URL (postgres://user@host/db),
// or else the path of a SQLite file, created if needed. It brings the
// schema up to date, refuses a schema newer than this binary
// (ErrSchemaTooNew), and starts this replica's heartbeat.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, o Options) (*Store, error) {
	o = o.withDefaults()
	var s *Store
	var err error
	if IsPostgres(dsn) {
		s, err = openPostgres(ctx, dsn)
	} else {
		s, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	s.owner = newReplicaID()
	s.changes = newHub()
	if s.d == dialectPostgres {
		s.listen, err = startListener(ctx, dsn, s.changes)
		if err != nil {
			s.closePools()
			return nil, fmt.Errorf("store: open %s: %w", redact(dsn), err)
		}
	}
	s.writer, err = newGroupWriter(ctx, s.write, s.changes)
	if err != nil {
		s.closePools()
		return nil, fmt.Errorf("store: open %s: %w", redact(dsn), err)
	}
	if s.d == dialectSQLite {
		s.path = dsn
	}
	s.replica, err = startReplica(ctx, s, s.path, o)
	if err != nil {
		s.writer.close()
		s.closePools()
		return nil, fmt.Errorf("store: open %s: %w", redact(dsn), err)
	}
	return s, nil
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	ms, err := migrationsFor(dialectSQLite)
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
	if err := migrate(ctx, write, dialectSQLite, ms); err != nil {
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
	return &Store{d: dialectSQLite, write: pool{write, dialectSQLite}, read: pool{read, dialectSQLite}}, nil
}

// SchemaVersion is the schema version this binary knows (the number of
// embedded migrations; both dialects have the same).
func SchemaVersion() int {
	ms, err := migrationsFor(dialectSQLite)
	if err != nil {
		return 0
	}
	return len(ms)
}

// Backend names the database behind the store: "sqlite" or "postgres".
func (s *Store) Backend() string { return s.d.String() }

// Close stops the heartbeat (marking this replica gone), then closes the
// pools. On SQLite the last connection to close checkpoints the
// write-ahead log into the main file.
// Closing twice is harmless.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		errs := []error{s.replica.stop(), s.writer.close()}
		if s.listen != nil {
			errs = append(errs, s.listen.close())
		}
		errs = append(errs, s.closePools())
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

func (s *Store) closePools() error {
	if s.read.DB == s.write.DB {
		return s.write.Close()
	}
	return errors.Join(s.read.Close(), s.write.Close())
}

// Ping reports whether the database answers a query (for /healthz).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// querier is what db and tx share, for helpers that run in either.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
