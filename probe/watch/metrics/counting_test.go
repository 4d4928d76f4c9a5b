package metrics

import (
	"context"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/store"
	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// Counting a shared (PostgreSQL) store's attempts keeps what makes it
// shared, so the lifecycle still limits per target across replicas and
// follows their attempts; a SQLite store stays a plain one.
func TestCountingKeepsASharedStoreShared(t *testing.T) {
	m := New(func() []watch.Monitor { return nil })
	lite, err := store.Open(context.Background(), t.TempDir()+"/m.db")
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	if sh, ok := m.Counting(lite).(attempt.SharedStore); ok && sh.Shared() {
		t.Error("a SQLite store, counted, claims to be shared")
	}
	pg, err := store.Open(context.Background(), storetest.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	sh, ok := m.Counting(pg).(attempt.SharedStore)
	if !ok || !sh.Shared() {
		t.Fatal("a PostgreSQL store, counted, is no longer a SharedStore")
	}
}
