package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/smtpdoctor/smtpdoctor/migrations"
)

func TestEmbeddedMigrationsLoad(t *testing.T) {
	ms, err := loadMigrations(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 || SchemaVersion() != len(ms) {
		t.Fatalf("%d embedded migrations, SchemaVersion %d", len(ms), SchemaVersion())
	}
}

func TestLoadMigrationsRejectsBadSets(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("SELECT 1;")}
	tests := map[string]fstest.MapFS{
		"gap":       {"0001_a.sql": file, "0003_c.sql": file},
		"duplicate": {"0001_a.sql": file, "0001_b.sql": file},
		"no number": {"0001_a.sql": file, "init.sql": file},
		"zero":      {"0000_a.sql": file},
	}
	for name, fsys := range tests {
		if _, err := loadMigrations(fsys); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	ms, err := loadMigrations(fstest.MapFS{"0002_b.sql": file, "0001_a.sql": file, "0010_skip.txt": file})
	if err != nil || len(ms) != 2 || ms[0].name != "0001_a.sql" {
		t.Errorf("ordered set: %v, %v", ms, err)
	}
}

// TestFailedMigrationChangesNothing: a migration that fails halfway leaves
// neither its first statements nor a version row behind, so the next start
// tries it again from a clean state.
func TestFailedMigrationChangesNothing(t *testing.T) {
	db, err := sql.Open("sqlite", writerDSN(filepath.Join(t.TempDir(), "m.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	ms, err := loadMigrations(fstest.MapFS{
		"0001_ok.sql":     {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"0002_broken.sql": {Data: []byte("CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);")},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = migrate(ctx, db, dialectSQLite, ms)
	if err == nil || !strings.Contains(err.Error(), "0002_broken.sql") {
		t.Fatalf("migrate: %v, want an error naming 0002_broken.sql", err)
	}
	var version, tables int
	db.QueryRow(`SELECT MAX(version_id) FROM goose_db_version`).Scan(&version)
	db.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'b'`).Scan(&tables)
	if version != 1 || tables != 0 {
		t.Errorf("after the failure: version %d (want 1), table b exists: %v", version, tables == 1)
	}
}

// TestSearchTextBackfill: rows written before migration 0004 are found by
// free text after it runs.
func TestSearchTextBackfill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", writerDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	ms, err := loadMigrations(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, dialectSQLite, ms[:3]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO attempts (id, started_at, host, port, security, username, status, outcome,
		code, title, failed_step, reply_text, duration_ms, doc) VALUES
		('old', 1, 'Mail.Example.org', 587, 'starttls', 'u', 'done', 'failure', 'net.refused', 'Refused', 'connect', 'Connection REFUSED', 5, x'00')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{"connection refused", "mail.example.org", "NET.REFUSED"} {
		p, err := s.List(ctx, Filter{Q: q})
		if err != nil || len(p.Attempts) != 1 {
			t.Errorf("q %q: %v, %v; want the old row", q, p.Attempts, err)
		}
	}
}

// TestDialectsHaveTheSameMigrations: a version number means the same
// change on SQLite and PostgreSQL, so both sets hold the same file names.
func TestDialectsHaveTheSameMigrations(t *testing.T) {
	lite, err := migrationsFor(dialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrationsFor(dialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	var a, b []string
	for _, m := range lite {
		a = append(a, m.name)
	}
	for _, m := range pg {
		b = append(b, m.name)
	}
	if strings.Join(a, " ") != strings.Join(b, " ") {
		t.Errorf("SQLite migrations %v, PostgreSQL migrations %v: every migration needs both", a, b)
	}
}

// TestAdoptsLegacyVersions: a database made by the home-made migrator of
// earlier versions (versions in schema_migrations) opens without re-running
// what it has, keeps its attempts, and gets the newer migrations.
func TestAdoptsLegacyVersions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "legacy.db")
	db, err := sql.Open("sqlite", writerDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	// What the old migrator left: five migrations and their rows.
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:5] {
		if _, err := db.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, 1)`, m.version); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO attempts (id, started_at, host, port, security, username, status, outcome,
		code, title, failed_step, reply_text, search_text, duration_ms, doc) VALUES
		('old', 1, 'mail.example.org', 587, 'starttls', 'u', 'running', '', '', '', '', '', '', 5, x'027b7d')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	ctx := context.Background()
	for range 2 { // the second open finds the versions adopted already
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "old"); err != nil {
			t.Errorf("the old attempt: %v", err)
		}
		s.Close()
	}
	db, err = sql.Open("sqlite", writerDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, top, legacy int
	db.QueryRow(`SELECT COUNT(*), MAX(version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&n, &top)
	db.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE name = 'schema_migrations'`).Scan(&legacy)
	if n != len(ms) || top != len(ms) || legacy != 0 {
		t.Errorf("after adoption: %d versions up to %d (want %d), schema_migrations left: %v", n, top, len(ms), legacy == 1)
	}
}
