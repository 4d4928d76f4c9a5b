package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
	"github.com/smtpdoctor/smtpdoctor/store"
	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// A try-all group survives closing and reopening the database, and is
// pruned with the attempts of its age.
func TestTryGroupSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "groups.db")
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	g := discover.Group{ID: "g1", StartedAt: base, Input: "alice@example.com",
		Discovery: &discover.Discovery{Domain: "example.com", Candidates: []discover.Candidate{{Host: "smtp.example.com", Port: 465, Security: probe.SecurityTLS, Source: discover.SourceSRVSubmissions, Submission: true}}},
		Matrix:    discover.Matrix{Host: "smtp.example.com", Best: 0, Rows: []discover.Row{{Port: 465, Security: probe.SecurityTLS, Answered: true, TLS: true, Code: probe.CodeOK}}},
		IDs:       []string{"a1"}}
	if err := s.SaveTryGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.TryGroup(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Input != g.Input || got.Discovery == nil || got.Discovery.Candidates[0].Host != "smtp.example.com" ||
		len(got.Matrix.Rows) != 1 || !got.Matrix.Rows[0].Answered || got.IDs[0] != "a1" || !got.StartedAt.Equal(base) {
		t.Errorf("read back %+v", got)
	}
	if _, err := s2.TryGroup(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing group: %v", err)
	}
	if _, err := s2.Prune(ctx, base.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.TryGroup(ctx, "g1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("group not pruned: %v", err)
	}
}

// Saving a group wakes the watchers of its id, on every replica sharing
// the database: a try-all page open on replica B learns that the group
// replica A runs has finished. Two stores on one PostgreSQL database are
// two replicas; a lone SQLite file tells its own watchers.
func TestTryGroupSaveWakesWatchers(t *testing.T) {
	for name, dsn := range map[string]func(testing.TB) string{
		"sqlite":   func(t testing.TB) string { return filepath.Join(t.TempDir(), "groups.db") },
		"postgres": storetest.Postgres,
	} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			src := dsn(t)
			a, err := store.Open(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			b := a
			if name == "postgres" {
				if b, err = store.Open(ctx, src); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { b.Close() })
			}
			wctx, cancel := context.WithCancel(ctx)
			defer cancel()
			changed := b.Watch(wctx, "g-live")
			other := b.Watch(wctx, "g-other")
			g := discover.Group{ID: "g-live", StartedAt: base, Input: "mail.example.com", Running: true,
				Matrix: discover.Matrix{Host: "mail.example.com", Best: -1, Rows: []discover.Row{{Port: 587, Security: probe.SecurityStartTLS}}},
				IDs:    []string{"a-row"}}
			if err := a.SaveTryGroup(ctx, g); err != nil {
				t.Fatal(err)
			}
			// Not a timed assertion: the test's own deadline bounds the wait.
			<-changed
			select {
			case <-other:
				t.Error("saving one group woke the watcher of another")
			default:
			}
			got, err := b.TryGroup(ctx, "g-live")
			if err != nil || !got.Running {
				t.Errorf("read back %+v, %v", got, err)
			}
		})
	}
}
