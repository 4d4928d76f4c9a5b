package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver for database/sql
)

// This file holds what is PostgreSQL's alone: opening the pool and
// listening for other replicas' writes.
//
// The driver is pgx (github.com/jackc/pgx/v5) through its database/sql
// adapter, so the store's SQL stays the same plain strings for both back
// ends. PostgreSQL has many writers, so reads and writes share one pool;
// group commit (groupcommit.go) still batches this replica's one-row writes
// into shared transactions, one commit for many.

// postgresPoolSize bounds this replica's connections. Several replicas
// share the server's max_connections (100 by default), so each takes a
// modest share.
func postgresPoolSize() int { return max(8, 2*runtime.GOMAXPROCS(0)) }

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	ms, err := migrationsFor(dialectPostgres)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if _, err := pgx.ParseConfig(dsn); err != nil {
		return nil, fmt.Errorf("store: %s is not a PostgreSQL URL pgx can read (postgres://user:password@host:5432/database?sslmode=disable): %w", redact(dsn), err)
	}
	conns, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", redact(dsn), err)
	}
	n := postgresPoolSize()
	conns.SetMaxOpenConns(n)
	conns.SetMaxIdleConns(n)
	conns.SetConnMaxIdleTime(5 * time.Minute)
	if err := conns.PingContext(ctx); err != nil {
		conns.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", redact(dsn), err)
	}
	if err := migrate(ctx, conns, dialectPostgres, ms); err != nil {
		conns.Close()
		return nil, fmt.Errorf("store: open %s: %w", redact(dsn), err)
	}
	d := pool{conns, dialectPostgres}
	return &Store{d: dialectPostgres, write: d, read: d}, nil
}

// Redact hides the password of a database URL, for messages and logs; a
// file path is returned as is.
func Redact(dsn string) string { return redact(dsn) }

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	return u.Redacted()
}

// attemptsChannel is the NOTIFY channel on which every write of an attempt
// is announced, with the attempt's id as the payload.
const attemptsChannel = "smtpdoctor_attempts"

// listener holds one connection of its own in LISTEN, outside the pool
// (a pooled connection would be handed to queries), and passes each
// notification to the hub. When the connection breaks it reconnects, and
// wakes every watcher, since writes may have gone unannounced meanwhile.
type listener struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func startListener(ctx context.Context, dsn string, h *hub) (*listener, error) {
	conn, err := listenConn(ctx, dsn)
	if err != nil {
		return nil, err
	}
	lctx, cancel := context.WithCancel(context.Background())
	l := &listener{cancel: cancel, done: make(chan struct{})}
	go l.loop(lctx, dsn, conn, h)
	return l, nil
}

func listenConn(ctx context.Context, dsn string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("listen for changes: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+attemptsChannel); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("listen for changes: %w", err)
	}
	return conn, nil
}

func (l *listener) loop(ctx context.Context, dsn string, conn *pgx.Conn, h *hub) {
	defer close(l.done)
	// Closing a closed pgx.Conn does nothing, so this may follow a close
	// in the loop.
	defer func() { closeQuietly(conn) }()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err == nil {
			h.signal(n.Payload)
			continue
		}
		if ctx.Err() != nil {
			return
		}
		closeQuietly(conn)
		for backoff := 100 * time.Millisecond; ; backoff = min(2*backoff, 5*time.Second) {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			if c, err := listenConn(ctx, dsn); err == nil {
				conn = c
				break
			}
		}
		h.signalAll()
	}
}

func closeQuietly(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	conn.Close(ctx)
}

func (l *listener) close() error {
	l.cancel()
	<-l.done
	return nil
}
