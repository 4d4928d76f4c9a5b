// Package migrations holds the database schema as numbered SQL files,
// embedded into the binary. The store applies them in order at startup, each
// in its own transaction, and records each version it applied.
//
// Order is important: add new migrations at the end, with the next number
// (0002_..., 0003_...), and never edit one that has shipped. A database whose
// schema is newer than the highest file here is refused rather than guessed
// at.
package migrations

import "embed"

// FS holds every NNNN_name.sql file of this directory.
//
//go:embed *.sql
var FS embed.FS
