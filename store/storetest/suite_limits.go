package storetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
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

// twoReplicas opens two more stores on dsn whose heartbeats wait an hour,
// so that the test, not the clock, decides who is gone.
func twoReplicas(t *testing.T, dsn string) (a, b *store.Store) {
	t.Helper()
	o := store.Options{Heartbeat: time.Hour, Stale: time.Hour}
	for _, s := range []**store.Store{&a, &b} {
		var err error
		if *s, err = store.OpenWith(context.Background(), dsn, o); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { (*s).Close() })
	}
	return a, b
}

// silence makes replica s look killed to the others: its last heartbeat
// two hours old, and (SQLite) no lock file beside the database to say it
// lives, so that the heartbeat decides, as for a replica on another
// machine.
func silence(t *testing.T, dsn string, s *store.Store) {
	t.Helper()
	q := `UPDATE replicas SET seen_at = seen_at - 7200000 WHERE id = ?`
	if store.IsPostgres(dsn) {
		q = strings.Replace(q, "?", "$1", 1)
	} else {
		os.Remove(filepath.Join(filepath.Dir(dsn), filepath.Base(dsn)+"-replica-"+s.Replica()+".lock"))
	}
	if _, err := rawDB(t, dsn).Exec(q, s.Replica()); err != nil {
		t.Fatal(err)
	}
}

// testGoneReplicasPlacesAreFreed: a replica killed while probing a target
// keeps the target's place only until another replica declares it gone,
// the moment its unfinished attempts are marked interrupted, not for the
// lease's whole ttl.
func testGoneReplicasPlacesAreFreed(t *testing.T, open opener) {
	_, dsn := open(t)
	a, b := twoReplicas(t, dsn)
	ctx := context.Background()
	key := "per-target:smtp.example.com"
	if _, err := a.AcquireLease(ctx, key, 1, time.Hour); err != nil {
		t.Fatal(err)
	}
	r := attempt("a-probing", base, "smtp.example.com", 587, "", "")
	r.Status, r.Diagnosis = probe.StatusRunning, nil
	mustCreate(t, a, r)
	if n, err := b.MarkInterrupted(ctx); err != nil || n != 0 {
		t.Fatalf("with A alive: MarkInterrupted = %d, %v; want 0", n, err)
	}
	if _, err := b.AcquireLease(ctx, key, 1, time.Hour); !errors.Is(err, store.ErrNoLease) {
		t.Fatalf("while A lives and holds the place: %v, want ErrNoLease", err)
	}

	silence(t, dsn, a)
	if n, err := b.MarkInterrupted(ctx); err != nil || n != 1 {
		t.Fatalf("with A gone: MarkInterrupted = %d, %v; want 1", n, err)
	}
	if _, err := b.AcquireLease(ctx, key, 1, time.Hour); err != nil {
		t.Errorf("A is gone, its place is still taken (an hour's lease): %v", err)
	}
}

// testGoneReplicasPlacesAreFreedWithoutAttempts: a replica killed after
// storing its finished probe but before giving the place back leaves no
// unfinished attempt; its place is freed all the same.
func testGoneReplicasPlacesAreFreedWithoutAttempts(t *testing.T, open opener) {
	_, dsn := open(t)
	a, b := twoReplicas(t, dsn)
	ctx := context.Background()
	if _, err := a.AcquireLease(ctx, "k", 1, time.Hour); err != nil {
		t.Fatal(err)
	}
	silence(t, dsn, a)
	if n, err := b.MarkInterrupted(ctx); err != nil || n != 0 {
		t.Fatalf("MarkInterrupted = %d, %v; want 0 (A left no attempt)", n, err)
	}
	if _, err := b.AcquireLease(ctx, "k", 1, time.Hour); err != nil {
		t.Errorf("A is gone, its place is still taken: %v", err)
	}
}

// testLeasesRenewedWhileHeld: a live replica's heartbeat renews the places
// it holds, so a probe that outlasts the ttl keeps its place; a released
// place is not renewed back into being.
func testLeasesRenewedWhileHeld(t *testing.T, open opener) {
	_, dsn := open(t)
	a, b := twoReplicas(t, dsn)
	ctx := context.Background()
	l, err := a.AcquireLease(ctx, "k", 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// The ttl runs out while A's probe still runs.
	if _, err := rawDB(t, dsn).Exec(`UPDATE leases SET expires_at = 0`); err != nil {
		t.Fatal(err)
	}
	if err := a.Ready(ctx); err != nil { // a heartbeat
		t.Fatal(err)
	}
	if _, err := b.AcquireLease(ctx, "k", 1, time.Hour); !errors.Is(err, store.ErrNoLease) {
		t.Fatalf("after A's heartbeat: %v, want ErrNoLease (A still holds the place)", err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AcquireLease(ctx, "k", 1, time.Hour); err != nil {
		t.Errorf("after A released the place: %v", err)
	}
	if err := a.Ready(ctx); err != nil { // renews nothing of B's
		t.Fatal(err)
	}
	var holder string
	if err := rawDB(t, dsn).QueryRow(`SELECT holder FROM leases WHERE key = 'k'`).Scan(&holder); err != nil || holder != b.Replica() {
		t.Errorf("the place is held by %q, %v; want B %q", holder, err, b.Replica())
	}
}
