package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// The history benchmarks on PostgreSQL, at a million attempts (ten
// thousand with -short), in a database made once and kept on the server
// (storetest.CachedPostgres). They need SMTPDOCTOR_TEST_POSTGRES.

func openPostgresBench(b *testing.B) *store.Store {
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	ctx := context.Background()
	s, err := store.Open(ctx, storetest.CachedPostgres(ctx, b, n))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func benchPostgresList(b *testing.B, f store.Filter, full bool) {
	s := openPostgresBench(b)
	ctx := context.Background()
	p, err := s.List(ctx, f)
	if err != nil {
		b.Fatal(err)
	}
	if full && !testing.Short() && len(p.Attempts) != store.DefaultLimit {
		b.Fatalf("page has %d attempts, want %d", len(p.Attempts), store.DefaultLimit)
	}
	for b.Loop() {
		if _, err := s.List(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPostgresHistoryFirstPage(b *testing.B) { benchPostgresList(b, store.Filter{}, true) }

func BenchmarkPostgresHistoryByHost(b *testing.B) {
	benchPostgresList(b, store.Filter{Host: "smtp.office365.com"}, true)
}

func BenchmarkPostgresHistoryByCode(b *testing.B) {
	benchPostgresList(b, store.Filter{Code: "auth.blocked_by_policy"}, true)
}

func BenchmarkPostgresHistoryByOutcome(b *testing.B) {
	benchPostgresList(b, store.Filter{Outcome: probe.OutcomeWarning}, true)
}

func BenchmarkPostgresHistorySearchCommon(b *testing.B) {
	benchPostgresList(b, store.Filter{Q: "5.7.8"}, true)
}

func BenchmarkPostgresHistorySearchAbsent(b *testing.B) {
	benchPostgresList(b, store.Filter{Q: "no-such-server.invalid"}, false)
}

func BenchmarkPostgresHistoryDeepPage(b *testing.B) {
	s := openPostgresBench(b)
	ctx := context.Background()
	f := store.Filter{Code: "auth.credentials_rejected"}
	for range 20 {
		p, err := s.List(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		f.Cursor = p.Next
	}
	for b.Loop() {
		if _, err := s.List(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPostgresCount(b *testing.B) {
	s := openPostgresBench(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Count(ctx, store.Filter{Host: "smtp.office365.com"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPostgresGet(b *testing.B) {
	s := openPostgresBench(b)
	ctx := context.Background()
	p, err := s.List(ctx, store.Filter{})
	if err != nil {
		b.Fatal(err)
	}
	id := p.Attempts[7].ID
	for b.Loop() {
		if _, err := s.Get(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPostgresServers30Days is the servers view over the last 30
// days, as BenchmarkServers30Days on SQLite: the per-server summary, the
// per-server day counts and the partial day at the window's edge.
func BenchmarkPostgresServers30Days(b *testing.B) {
	s := openPostgresBench(b)
	ctx := context.Background()
	since := time.Now().Add(-30 * 24 * time.Hour)
	rows, err := s.Servers(ctx, since)
	if err != nil {
		b.Fatal(err)
	}
	if len(rows) == 0 {
		b.Fatal("no servers in the last 30 days")
	}
	for b.Loop() {
		if _, err := s.Servers(ctx, since); err != nil {
			b.Fatal(err)
		}
	}
}
