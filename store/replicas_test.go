package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

func running(id string) probe.Result {
	r := attempt(id, base, "smtp.example.com", 587, "", "")
	r.Status, r.Diagnosis = probe.StatusRunning, nil
	return r
}

func statusOf(t *testing.T, s *store.Store, id string) probe.Status {
	t.Helper()
	r, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return r.Status
}

// Two processes on one database: the second one starting, and each one's
// sweeps, leave the other's running attempts alone while it lives, and
// mark them interrupted once it is gone (killed: its lock is released).
func TestReplicasInterruptOnlyWhatTheGoneLeft(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, a, running("a-running"))

	b, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if a.Replica() == b.Replica() || a.Replica() == "" {
		t.Fatalf("replica ids %q and %q", a.Replica(), b.Replica())
	}
	mustCreate(t, b, running("b-running"))
	for _, s := range []*store.Store{a, b} {
		if n, err := s.MarkInterrupted(ctx); err != nil || n != 0 {
			t.Errorf("MarkInterrupted with both alive = %d, %v; want 0", n, err)
		}
	}
	if st := statusOf(t, b, "a-running"); st != probe.StatusRunning {
		t.Fatalf("a live replica's attempt became %q", st)
	}

	store.Crash(a)
	if n, err := b.MarkInterrupted(ctx); err != nil || n != 1 {
		t.Errorf("MarkInterrupted after the other was killed = %d, %v; want 1", n, err)
	}
	if st := statusOf(t, b, "a-running"); st != probe.StatusInterrupted {
		t.Errorf("the killed replica's attempt is %q, want interrupted", st)
	}
	if st := statusOf(t, b, "b-running"); st != probe.StatusRunning {
		t.Errorf("the live replica's own attempt is %q, want running", st)
	}
}

// Without a lock file to ask (a replica on another machine), the heartbeat
// decides: fresh is alive, older than the bound is gone.
func TestReplicaGoneByHeartbeat(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	mustCreate(t, a, running("a-running"))

	store.SetSeen(b, a.Replica(), time.Now().Add(-5*time.Second))
	if n, _ := b.MarkInterrupted(ctx); n != 0 {
		t.Errorf("a replica seen 5s ago counted gone")
	}
	store.SetSeen(b, a.Replica(), time.Now().Add(-store.DefaultStale-time.Second))
	if n, err := b.MarkInterrupted(ctx); err != nil || n != 1 {
		t.Errorf("MarkInterrupted of a replica silent past the bound = %d, %v; want 1", n, err)
	}
}

// Closing says goodbye: what the replica left unfinished is interrupted
// (its own probes could not save themselves in time), and a crash is
// caught at the next start.
func TestCloseAndRestartInterruptUnfinished(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "one.db")
	a, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, a, running("closed"))
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if st := statusOf(t, b, "closed"); st != probe.StatusInterrupted {
		t.Errorf("after a clean close, the unfinished attempt is %q", st)
	}
	mustCreate(t, b, running("crashed"))
	store.Crash(b)
	c, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n, err := c.MarkInterrupted(ctx); err != nil || n != 1 {
		t.Errorf("MarkInterrupted after a crash = %d, %v; want 1", n, err)
	}
}

func TestReady(t *testing.T) {
	s, _ := open(t)
	if err := s.Ready(context.Background()); err != nil {
		t.Errorf("Ready on a writable database: %v", err)
	}
}

// A replica killed holding a place under a shared limit (its lock is
// released by the kernel) gives the place up as soon as another replica
// notices, not when the lease's hour runs out.
func TestKilledReplicasPlacesAreFreed(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.AcquireLease(ctx, "per-target:smtp.example.com", 1, time.Hour); err != nil {
		t.Fatal(err)
	}
	store.Crash(a)
	if _, err := b.MarkInterrupted(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AcquireLease(ctx, "per-target:smtp.example.com", 1, time.Hour); err != nil {
		t.Errorf("the killed replica's place is still taken: %v", err)
	}
}
