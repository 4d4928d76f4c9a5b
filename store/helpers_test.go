package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// open opens a fresh store in a temporary directory, closed at cleanup.
func open(t testing.TB) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	s, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s, path
}

// base is the time the tests' attempts start from: fixed, UTC, whole
// milliseconds (the store keeps milliseconds in its columns).
var base = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// attempt is a small finished attempt with the fields the filters look at.
func attempt(id string, at time.Time, host string, port int, outcome probe.Outcome, code string) probe.Result {
	r := probe.Result{
		ID:        id,
		Status:    probe.StatusDone,
		Kind:      probe.KindProbe,
		Outcome:   outcome,
		Settings:  probe.Settings{Host: host, Port: port, Security: probe.SecurityStartTLS, User: "user@" + host},
		StartedAt: at,
		Diagnosis: &probe.Diagnosis{Code: probe.Code(code), Severity: probe.SeverityError, Title: "title of " + code},
	}
	if outcome == probe.OutcomeFailure {
		r.Failure = &probe.Failure{Step: probe.StepAuth, Reply: 535, Enhanced: "5.7.8",
			Lines: []string{"5.7.8 Authentication failed for " + id, "second line"}}
	}
	return r
}

func mustCreate(t testing.TB, s *store.Store, rs ...probe.Result) {
	t.Helper()
	for _, r := range rs {
		if err := s.Create(context.Background(), r); err != nil {
			t.Fatalf("create %s: %v", r.ID, err)
		}
	}
}
