package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// woken waits for a signal on w. The bound only keeps a broken store from
// hanging the test run; it is not a measure of speed.
func woken(t *testing.T, w <-chan struct{}, what string) {
	t.Helper()
	select {
	case _, ok := <-w:
		if !ok {
			t.Fatalf("%s: watch channel closed", what)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: no wake-up", what)
	}
}

// testWatchSeesWrites: a watcher of one attempt wakes when it is created
// and updated, not for other attempts, and its channel closes when it stops
// watching.
func testWatchSeesWrites(t *testing.T, open opener) {
	s, _ := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	w := s.Watch(ctx, "watched")
	r := attempt("watched", base, "h", 25, "", "")
	r.Status, r.Diagnosis = probe.StatusRunning, nil
	mustCreate(t, s, r)
	woken(t, w, "create")
	r.Status, r.Outcome = probe.StatusDone, probe.OutcomeSuccess
	if err := s.Update(ctx, r); err != nil {
		t.Fatal(err)
	}
	woken(t, w, "update")
	got, err := s.Get(ctx, "watched")
	if err != nil || got.Status != probe.StatusDone {
		t.Fatalf("after the wake-up: %q, %v; want done", got.Status, err)
	}
	mustCreate(t, s, attempt("other", base, "h", 25, probe.OutcomeSuccess, "ok"))
	cancel()
	// Closed, perhaps after a wake-up that was pending; never one for
	// "other".
	for range w {
	}
}

// testWatchSeesOtherReplicas: a page open on replica B follows a probe
// that replica A runs.
func testWatchSeesOtherReplicas(t *testing.T, open opener) {
	a, dsn := open(t)
	if !store.IsPostgres(dsn) {
		t.Skip("a SQLite database has one process; nothing to follow across replicas")
	}
	b, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := t.Context()
	w := b.Watch(ctx, "remote")
	r := attempt("remote", base, "h", 25, "", "")
	r.Status, r.Diagnosis = probe.StatusRunning, nil
	mustCreate(t, a, r)
	woken(t, w, "create on A")
	for step := range 3 {
		r.DurationMS = int64(step + 1)
		if err := a.Update(ctx, r); err != nil {
			t.Fatal(err)
		}
		woken(t, w, fmt.Sprintf("update %d on A", step))
	}
	got, err := b.Get(ctx, "remote")
	if err != nil || got.DurationMS < 1 {
		t.Fatalf("B reads %+v, %v after A's updates", got.DurationMS, err)
	}
}

// testInterruptedOnlyWhenOwnerIsGone: with two replicas on one database,
// MarkInterrupted leaves a live replica's running probes alone and marks
// only those of a replica whose heartbeats stopped.
func testInterruptedOnlyWhenOwnerIsGone(t *testing.T, open opener) {
	_, dsn := open(t)
	if !store.IsPostgres(dsn) {
		t.Skip("a SQLite database has one process: at startup every unfinished attempt was cut off")
	}
	ctx := t.Context()
	// Heartbeats far apart: the test, not the clock, decides who is gone.
	o := store.Options{Heartbeat: time.Hour, Stale: time.Hour}
	a, err := store.OpenWith(ctx, dsn, o)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.OpenWith(ctx, dsn, o)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i, s := range []*store.Store{a, b} {
		r := attempt(fmt.Sprint("run-", i), base, "h", 25, "", "")
		r.Status, r.Diagnosis = probe.StatusRunning, nil
		mustCreate(t, s, r)
	}
	if n, err := b.MarkInterrupted(ctx); err != nil || n != 0 {
		t.Fatalf("with both alive: MarkInterrupted = %d, %v; want 0", n, err)
	}
	// A stops beating (as if killed): its last heartbeat is two hours old.
	if _, err := rawDB(t, dsn).Exec(`UPDATE replicas SET seen_at = seen_at - 7200000 WHERE id = $1`, a.Replica()); err != nil {
		t.Fatal(err)
	}
	w := b.Watch(ctx, "run-0")
	if n, err := b.MarkInterrupted(ctx); err != nil || n != 1 {
		t.Fatalf("with A gone: MarkInterrupted = %d, %v; want 1", n, err)
	}
	woken(t, w, "A's attempt interrupted")
	for id, want := range map[string]probe.Status{"run-0": probe.StatusInterrupted, "run-1": probe.StatusRunning} {
		if r, err := b.Get(ctx, id); err != nil || r.Status != want {
			t.Errorf("%s: %q, %v; want %q", id, r.Status, err, want)
		}
	}
	// B shuts down: nothing will finish its probe now.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if r, err := a.Get(ctx, "run-1"); err != nil || r.Status != probe.StatusInterrupted {
		t.Errorf("B's attempt after B closed: %q, %v; want interrupted", r.Status, err)
	}
}
