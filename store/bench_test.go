package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// The history benchmarks run against the size the README's Performance
// section budgets for: a million attempts,
// generated once and cached under os.TempDir() (see storetest.CachedDB).
// With -short they use ten thousand.
var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

func benchDB(b *testing.B) string {
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	benchOnce.Do(func() {
		t0 := time.Now()
		benchPath, benchErr = storetest.CachedDB(context.Background(), n, 1)
		if d := time.Since(t0); d > time.Second {
			b.Logf("made %d attempts in %v: %s", n, d.Round(time.Millisecond), benchPath)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

func openBench(b *testing.B) *store.Store {
	s, err := store.Open(context.Background(), benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func benchList(b *testing.B, f store.Filter) {
	s := openBench(b)
	ctx := context.Background()
	p, err := s.List(ctx, f)
	if err != nil {
		b.Fatal(err)
	}
	if len(p.Attempts) != store.DefaultLimit {
		b.Fatalf("page has %d attempts, want %d", len(p.Attempts), store.DefaultLimit)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.List(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHistoryFirstPage(b *testing.B) { benchList(b, store.Filter{}) }

func BenchmarkHistoryByHost(b *testing.B) {
	benchList(b, store.Filter{Host: "smtp.office365.com"})
}

func BenchmarkHistoryByRareHost(b *testing.B) {
	benchList(b, store.Filter{Host: "mail3.example-34.org"})
}

func BenchmarkHistoryByCode(b *testing.B) {
	benchList(b, store.Filter{Code: "auth.blocked_by_policy"})
}

func BenchmarkHistoryByOutcome(b *testing.B) {
	benchList(b, store.Filter{Outcome: probe.OutcomeWarning})
}

// BenchmarkHistoryDeepPage follows the cursor 20 pages down, then times
// the next page: keyset pages cost the same at any depth.
func BenchmarkHistoryDeepPage(b *testing.B) {
	s := openBench(b)
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

func BenchmarkGet(b *testing.B) {
	s := openBench(b)
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

// BenchmarkOpen is the time from nothing to ready to serve: open both
// pools, check the schema, answer a query.
func BenchmarkOpen(b *testing.B) {
	path := benchDB(b)
	ctx := context.Background()
	for b.Loop() {
		s, err := store.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Ping(ctx); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

func BenchmarkCreate(b *testing.B) {
	s, _ := open(b)
	ctx := context.Background()
	rng := storetest.NewRand(2)
	rs := make([]probe.Result, b.N)
	for i := range rs {
		rs[i] = storetest.Typical(rng, base.Add(time.Duration(i)*time.Second))
	}
	b.ResetTimer()
	for i := range b.N {
		if err := s.Create(ctx, rs[i]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdate is one progress write of a running attempt, the most
// frequent write while probes run.
func BenchmarkUpdate(b *testing.B) {
	s, _ := open(b)
	ctx := context.Background()
	r := storetest.Typical(storetest.NewRand(3), base)
	r.Status = probe.StatusRunning
	if err := s.Create(ctx, r); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		r.DurationMS = int64(i)
		if err := s.Update(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// The views below are not among the page timings the README budgets; they are here
// so their cost at a million attempts is known rather than guessed.

func BenchmarkCountUnfiltered(b *testing.B) {
	s := openBench(b)
	for b.Loop() {
		if _, err := s.Count(context.Background(), store.Filter{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCountByHost30Days(b *testing.B) {
	s := openBench(b)
	f := store.Filter{Host: "smtp.gmail.com", Since: time.Now().Add(-30 * 24 * time.Hour)}
	for b.Loop() {
		if _, err := s.Count(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServers30Days(b *testing.B) {
	s := openBench(b)
	since := time.Now().Add(-30 * 24 * time.Hour)
	for b.Loop() {
		if _, err := s.Servers(context.Background(), since); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBreakdown30Days(b *testing.B) {
	s := openBench(b)
	since := time.Now().Add(-30 * 24 * time.Hour)
	for b.Loop() {
		if _, err := s.Breakdown(context.Background(), since, 24*time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCountByHost(b *testing.B) {
	s := openBench(b)
	f := store.Filter{Host: "smtp.gmail.com"}
	for b.Loop() {
		if _, err := s.Count(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
}

// Free text is a substring walk (see Filter.Q): a common term fills a page
// quickly; a term that matches nothing walks every row.
func BenchmarkHistoryFreeTextCommon(b *testing.B) {
	benchList(b, store.Filter{Q: "5.7.139"})
}

func BenchmarkHistoryFreeTextNoMatch(b *testing.B) {
	s := openBench(b)
	for b.Loop() {
		if _, err := s.List(context.Background(), store.Filter{Q: "no such text anywhere"}); err != nil {
			b.Fatal(err)
		}
	}
}
