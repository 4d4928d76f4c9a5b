package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// A database written before the counts knew the kind (migrations up to
// 0010) holds an explanation naming a server; the upgrade rebuilds the
// counts from the attempts, so the servers view and the breakdown leave
// it out and the history still counts it.
func TestCountsRebuiltWithKinds(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "old.db")
		testCountsRebuiltWithKinds(t, path, "sqlite", "file:"+path)
	})
	t.Run("Postgres", func(t *testing.T) {
		dsn := storetest.Postgres(t)
		testCountsRebuiltWithKinds(t, dsn, "pgx", dsn)
	})
}

func testCountsRebuiltWithKinds(t *testing.T, dsn, driver, source string) {
	ctx := context.Background()
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if err := store.MigrateFirst(ctx, db, dsn, 10); err != nil {
		t.Fatal(err)
	}
	at := base.UnixMilli()
	doc := `x'00'`
	if store.IsPostgres(dsn) {
		doc = `'\x00'::bytea`
	}
	insert := `INSERT INTO attempts (id, started_at, host, port, security, username, status, outcome,
		code, title, failed_step, reply_text, duration_ms, doc, kind) VALUES
		('p', ?, 'smtp.example.com', 587, 'starttls', 'u', 'done', 'failure', 'auth.credentials_rejected', 't', 'auth', '', 5, DOC, 'probe'),
		('e', ?, 'smtp.example.com', 587, 'starttls', 'u', 'done', 'success', 'ok', 't', '', '', 5, DOC, 'explain')`
	insert = strings.ReplaceAll(insert, "DOC", doc)
	if store.IsPostgres(dsn) {
		insert = strings.Replace(strings.Replace(insert, "?", "$1", 1), "?", "$2", 1)
	}
	if _, err := db.Exec(insert, at, at+1000); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	since := base.Add(-48 * time.Hour)
	servers, err := s.Servers(ctx, since)
	if err != nil || len(servers) != 1 || servers[0].Attempts != 1 || servers[0].LastID != "p" || !servers[0].LastSuccess.IsZero() {
		t.Errorf("servers after the upgrade: %+v, %v; want one probe, never worked", servers, err)
	}
	rows, err := s.Breakdown(ctx, since, 24*time.Hour)
	if err != nil || len(rows) != 1 || rows[0].Code != "auth.credentials_rejected" || rows[0].Count != 1 {
		t.Errorf("breakdown after the upgrade: %+v, %v; want the probe's code once", rows, err)
	}
	for kind, want := range map[probe.Kind]int64{"": 2, probe.KindExplain: 1, probe.KindProbe: 1} {
		if c, err := s.Count(ctx, store.Filter{Kind: kind}); err != nil || c.Total != want {
			t.Errorf("count of kind %q: %+v, %v; want %d", kind, c, err, want)
		}
	}
}
