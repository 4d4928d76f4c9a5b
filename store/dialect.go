package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// dialect is the SQL a back end speaks. The store's queries are written once
// with '?' placeholders in the SQL both understand (row-value comparisons,
// partial indexes, LIMIT, INSERT … ON CONFLICT); what differs is spelled
// out where it is used, switching on the dialect, and the schema has a
// file per dialect (migrations/ and migrations/postgres/).
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// bind turns '?' placeholders into PostgreSQL's $1, $2, ...; SQLite's SQL is
// returned as is. A '?' inside a quoted literal or identifier is left
// alone (none of the store's queries has one, but a later one might).
func (d dialect) bind(q string) string {
	if d != dialectPostgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// db is a pool whose queries are written with '?' placeholders.
type pool struct {
	*sql.DB
	d dialect
}

func (c pool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.DB.QueryContext(ctx, c.d.bind(q), args...)
}

func (c pool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return c.DB.QueryRowContext(ctx, c.d.bind(q), args...)
}

func (c pool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return c.DB.ExecContext(ctx, c.d.bind(q), args...)
}

func (c pool) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return c.DB.PrepareContext(ctx, c.d.bind(q))
}

func (c pool) BeginTx(ctx context.Context, opts *sql.TxOptions) (txn, error) {
	t, err := c.DB.BeginTx(ctx, opts)
	return txn{t, c.d}, err
}

// tx is a transaction whose queries are written with '?' placeholders.
type txn struct {
	*sql.Tx
	d dialect
}

func (t txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.d.bind(q), args...)
}

func (t txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.d.bind(q), args...)
}

func (t txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.d.bind(q), args...)
}

func (t txn) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, t.d.bind(q))
}

// nowMS is the database's clock in unix milliseconds, for liveness: every
// replica compares heartbeats against the same clock, whatever its own
// says.
func (d dialect) nowMS() string {
	if d == dialectPostgres {
		return `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`
	}
	return `CAST(unixepoch('subsec') * 1000 AS INTEGER)`
}
