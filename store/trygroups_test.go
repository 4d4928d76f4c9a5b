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
