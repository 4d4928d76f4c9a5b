// Package migrations holds the database schema as numbered SQL files,
// embedded into the binary, in two dialects: SQLite's in this directory and
// PostgreSQL's in postgres/. The store applies them in order at startup,
// each in its own transaction, and records each version it applied.
//
// Order is important: add new migrations at the end, with the next number
// (0002_..., 0003_...), and never edit one that has shipped. Every
// migration exists in both dialects under the same file name, so that a
// version number means the same schema on either database (a store test
// checks the two sets match). A database whose schema is newer than the
// highest file here is refused rather than guessed at.
package migrations

import (
	"embed"
	"io/fs"
)

// FS holds every NNNN_name.sql file of this directory: SQLite's schema.
//
//go:embed *.sql
var FS embed.FS

//go:embed postgres/*.sql
var postgresFS embed.FS

// PostgresFS holds the same migrations in PostgreSQL's SQL.
var PostgresFS = mustSub(postgresFS, "postgres")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // dir is a literal embedded above
	}
	return sub
}
