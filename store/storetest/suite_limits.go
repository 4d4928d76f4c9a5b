package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/store"
)

// testLeasesHoldAcrossStores: two stores on one database (two replicas)
// share a limit's places: with two places, the third taker is refused
// whichever store asks, a released place is free again, and a place whose
// holder closed (went away) is free too.
func testLeasesHoldAcrossStores(t *testing.T, open opener) {
	a, dsn := open(t)
	b, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	key := "target:smtp.example.com"
	l1, err := a.AcquireLease(ctx, key, 2, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.AcquireLease(ctx, key, 2, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AcquireLease(ctx, key, 2, time.Hour); !errors.Is(err, store.ErrNoLease) {
		t.Fatalf("third lease: %v, want ErrNoLease", err)
	}
	if _, err := a.AcquireLease(ctx, "target:other.example.com", 2, time.Hour); err != nil {
		t.Errorf("another key's lease: %v", err)
	}
	if err := l1.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l1.Release(ctx); err != nil {
		t.Errorf("second release: %v", err)
	}
	if _, err := b.AcquireLease(ctx, key, 2, time.Hour); err != nil {
		t.Errorf("after a release: %v", err)
	}
	// b holds both places now; it goes away.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := a.AcquireLease(ctx, key, 2, time.Hour); err != nil {
			t.Errorf("after the holder closed: %v", err)
		}
	}
}

// testExpiredLeaseIsFree: a place held past its time (a holder that died
// holding it) is taken over.
func testExpiredLeaseIsFree(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	if _, err := s.AcquireLease(ctx, "k", 1, -time.Second); err != nil { // expired at once
		t.Fatal(err)
	}
	if _, err := s.AcquireLease(ctx, "k", 1, time.Hour); err != nil {
		t.Fatalf("over an expired lease: %v", err)
	}
	if _, err := s.AcquireLease(ctx, "k", 1, time.Hour); !errors.Is(err, store.ErrNoLease) {
		t.Fatalf("over a live lease: %v, want ErrNoLease", err)
	}
}

// testHitsAreShared: requests counted by two stores add up, per window.
func testHitsAreShared(t *testing.T, open opener) {
	a, dsn := open(t)
	b, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	w0 := time.UnixMilli(1_700_000_000_000)
	w1 := w0.Add(time.Minute)
	for _, s := range []*store.Store{a, b, a} {
		if err := s.AddHits(ctx, "client:203.0.113.7", w0, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.AddHits(ctx, "client:203.0.113.7", w1, 2); err != nil {
		t.Fatal(err)
	}
	if err := b.AddHits(ctx, "client:198.51.100.1", w1, 5); err != nil {
		t.Fatal(err)
	}
	cur, prev, err := a.Hits(ctx, "client:203.0.113.7", w1, w0)
	if err != nil || cur != 2 || prev != 3 {
		t.Errorf("Hits = %d, %d, %v; want 2, 3", cur, prev, err)
	}
}

// testClaimOnce: of three replicas claiming the same work at once, exactly
// one gets it; other work is claimed separately.
func testClaimOnce(t *testing.T, open opener) {
	a, dsn := open(t)
	stores := []*store.Store{a}
	for range 2 {
		s, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	ctx := context.Background()
	for due := range 5 {
		key := fmt.Sprintf("monitor:m1:%d", due)
		won := make(chan bool, len(stores))
		var wg sync.WaitGroup
		for _, s := range stores {
			wg.Go(func() {
				ok, err := s.Claim(ctx, key, time.Hour)
				if err != nil {
					t.Error(err)
				}
				won <- ok
			})
		}
		wg.Wait()
		close(won)
		n := 0
		for ok := range won {
			if ok {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s claimed %d times, want once", key, n)
		}
	}
}
