package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"

	"github.com/smtpdoctor/smtpdoctor/migrations"
)

// Migrations are applied by goose (github.com/pressly/goose/v3): it keeps
// the version table, runs each migration in its own transaction together
// with the row that records it (a crash leaves the schema at a version
// boundary, never between two), and on PostgreSQL holds a session-level
// advisory lock while it works, so that replicas starting at once migrate
// exactly once: the others wait, then find nothing left to do.
//
// Each SQL file is handed to goose as a Go migration that runs the file
// whole, rather than through goose's own SQL parser: the files need no
// goose annotations (those already shipped stay byte for byte as they
// were), and a trigger body's semicolons need no markers.

// versionTable is goose's bookkeeping table.
const versionTable = goose.DefaultTablename

// legacyVersionTable is where the home-made migrator of earlier versions
// recorded versions; adoptLegacyVersions moves them into versionTable.
const legacyVersionTable = "schema_migrations"

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads NNNN_name.sql files from fsys, in version order, and
// insists the versions run 1, 2, 3, ... without gaps or repeats: a gap
// would mean a file was lost, and the database would drift from the code.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var ms []migration
	for _, name := range names {
		num, _, ok := strings.Cut(path.Base(name), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d (versions must run 1, 2, 3, ... without gaps)", m.name, i+1)
		}
	}
	return ms, nil
}

// migrationsFor is the embedded migration set of a dialect.
func migrationsFor(d dialect) ([]migration, error) {
	fsys := migrations.FS
	if d == dialectPostgres {
		return loadMigrations(migrations.PostgresFS)
	}
	return loadMigrations(fsys)
}

// ErrSchemaTooNew is returned by Open when the database was last written by
// a newer smtpdoctor: running an older binary on it could lose data.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// sqliteMigrateTries bounds how often a SQLite migration is retried. goose
// has no lock for SQLite; two processes opening one new file at once both
// try the first pending migration, BEGIN IMMEDIATE makes them take turns,
// and the loser fails (the table it creates exists by then). Its next try
// reads the versions again and finds that work done.
const sqliteMigrateTries = 3

// migrate brings the database up to the newest migration of ms. On
// SQLite a failure is tried again a few times: processes opening one new
// file at once race (see sqliteMigrateTries), and the loser's next try
// finds the work done.
func migrate(ctx context.Context, sqlDB *sql.DB, d dialect, ms []migration) error {
	tries := 1
	if d == dialectSQLite {
		tries = sqliteMigrateTries
	}
	var err error
	for try := 1; ; try++ {
		err = migrateOnce(ctx, sqlDB, d, ms)
		if err == nil || errors.Is(err, ErrSchemaTooNew) || try == tries {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("migrate: %w", ctx.Err())
		case <-time.After(time.Duration(try) * 100 * time.Millisecond):
		}
	}
}

func migrateOnce(ctx context.Context, sqlDB *sql.DB, d dialect, ms []migration) error {
	var opts []goose.ProviderOption
	gooseDialect := goose.DialectSQLite3
	if d == dialectPostgres {
		gooseDialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	} else if err := adoptLegacyVersions(ctx, sqlDB); err != nil {
		return err
	}
	gms := make([]*goose.Migration, len(ms))
	for i, m := range ms {
		gms[i] = goose.NewGoMigration(int64(m.version), &goose.GoFunc{
			RunTx: func(ctx context.Context, tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, m.sql); err != nil {
					return fmt.Errorf("apply migration %s: %w", m.name, err)
				}
				return nil
			},
		}, nil)
	}
	opts = append(opts, goose.WithGoMigrations(gms...), goose.WithDisableGlobalRegistry(true))
	p, err := goose.NewProvider(gooseDialect, sqlDB, nil, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if err := checkNotTooNew(ctx, p, len(ms)); err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return checkNotTooNew(ctx, p, len(ms))
}

// checkNotTooNew refuses a database that a newer binary has migrated past
// the versions this one knows.
func checkNotTooNew(ctx context.Context, p *goose.Provider, known int) error {
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > int64(known) {
		return fmt.Errorf("%w: the database is at schema version %d, this binary knows up to version %d; run a newer smtpdoctor or restore a backup", ErrSchemaTooNew, current, known)
	}
	return nil
}

// adoptLegacyVersions moves the versions recorded by the home-made
// migrator of earlier versions (table schema_migrations) into goose's
// table, in one transaction, so that a database made by an older
// smtpdoctor opens without re-running migrations it has. It does nothing
// once the old table is gone.
func adoptLegacyVersions(ctx context.Context, sqlDB *sql.DB) error {
	t, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("adopt schema versions: %w", err)
	}
	defer t.Rollback()
	var legacy, adopted int
	err = t.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?),
		(SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?)`,
		legacyVersionTable, versionTable).Scan(&legacy, &adopted)
	if err != nil {
		return fmt.Errorf("adopt schema versions: %w", err)
	}
	if legacy == 0 {
		return nil
	}
	var versions []int64
	rows, err := t.QueryContext(ctx, `SELECT version FROM `+legacyVersionTable+` ORDER BY version`)
	if err != nil {
		return fmt.Errorf("adopt schema versions: %w", err)
	}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("adopt schema versions: %w", err)
		}
		versions = append(versions, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("adopt schema versions: %w", err)
	}
	gs, err := database.NewStore(database.DialectSQLite3, versionTable)
	if err != nil {
		return fmt.Errorf("adopt schema versions: %w", err)
	}
	if adopted == 0 {
		if err := gs.CreateVersionTable(ctx, t); err != nil {
			return fmt.Errorf("adopt schema versions: %w", err)
		}
		// goose's own first row: version 0, "no migrations yet".
		for _, v := range append([]int64{0}, versions...) {
			if err := gs.Insert(ctx, t, database.InsertRequest{Version: v}); err != nil {
				return fmt.Errorf("adopt schema version %d: %w", v, err)
			}
		}
	}
	if _, err := t.ExecContext(ctx, `DROP TABLE `+legacyVersionTable); err != nil {
		return fmt.Errorf("adopt schema versions: %w", err)
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("adopt schema versions: %w", err)
	}
	return nil
}
