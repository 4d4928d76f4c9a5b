package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// Writes that share a transaction keep their own outcomes: a duplicate id
// or an update of a missing attempt fails alone, every other write lands,
// and each caller returns only once its write is readable.
func testConcurrentWritesKeepTheirOwnErrors(t *testing.T, open opener) {
	ctx := context.Background()
	s, _ := open(t)
	mustCreate(t, s, attempt("dup", base, "smtp.example.com", 587, probe.OutcomeSuccess, "ok"))

	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			switch {
			case i%50 == 0:
				errs[i] = s.Create(ctx, attempt("dup", base, "smtp.example.com", 587, probe.OutcomeSuccess, "ok"))
			case i%50 == 1:
				errs[i] = s.Update(ctx, attempt(fmt.Sprintf("missing%d", i), base, "smtp.example.com", 587, probe.OutcomeSuccess, "ok"))
			default:
				id := fmt.Sprintf("w%03d", i)
				if errs[i] = s.Create(ctx, attempt(id, base.Add(time.Duration(i)*time.Second), "smtp.example.com", 587, probe.OutcomeFailure, "auth.credentials_rejected")); errs[i] == nil {
					// Readable at once by another connection.
					if _, err := s.Get(ctx, id); err != nil {
						errs[i] = fmt.Errorf("created but not readable: %w", err)
					}
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		switch {
		case i%50 == 0:
			if err == nil {
				t.Errorf("write %d: a duplicate id was accepted", i)
			}
		case i%50 == 1:
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("write %d: update of a missing attempt = %v, want ErrNotFound", i, err)
			}
		default:
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
	}
	c, err := s.Count(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(1 + n - 8); c.Total != want {
		t.Errorf("%d attempts stored, want %d", c.Total, want)
	}
}

// After Close, writes fail instead of hanging or panicking.
func testWriteAfterClose(t *testing.T, open opener) {
	s, err := store.Open(context.Background(), t.TempDir()+"/closed.db")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Create(context.Background(), attempt("late", base, "h", 25, probe.OutcomeSuccess, "ok")); err == nil {
		t.Errorf("a write after Close succeeded")
	}
}

// Save creates or overwrites; CreateIfAbsent never overwrites. Together
// they let the dashboard store an attempt only once someone could ask for
// it, without a late "running" snapshot overwriting a finished result.
func testSaveAndCreateIfAbsent(t *testing.T, open opener) {
	ctx := context.Background()
	s, _ := open(t)
	done := attempt("s1", base, "smtp.example.com", 587, probe.OutcomeFailure, "auth.credentials_rejected")
	if err := s.Save(ctx, done); err != nil {
		t.Fatalf("save of a new attempt: %v", err)
	}
	running := done
	running.Status, running.Outcome, running.Diagnosis = probe.StatusRunning, "", nil
	if err := s.CreateIfAbsent(ctx, running); err != nil {
		t.Fatalf("create-if-absent of a stored attempt: %v", err)
	}
	got, err := s.Get(ctx, "s1")
	if err != nil || got.Status != probe.StatusDone || got.Diagnosis == nil {
		t.Fatalf("the finished attempt was overwritten: %+v %v", got.Status, err)
	}
	done.Failure.Lines = []string{"5.7.8 changed"}
	if err := s.Save(ctx, done); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, "s1"); got.Failure.Lines[0] != "5.7.8 changed" {
		t.Errorf("save did not overwrite")
	}
	c, _ := s.Count(ctx, store.Filter{})
	if c.Total != 1 || c.ByCode["auth.credentials_rejected"] != 1 {
		t.Errorf("counts after save, create-if-absent, save: %+v", c)
	}
	if err := s.CreateIfAbsent(ctx, attempt("s2", base, "smtp.example.com", 587, probe.OutcomeSuccess, "ok")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "s2"); err != nil {
		t.Errorf("create-if-absent of a new attempt: %v", err)
	}
}

// Saves of one attempt that arrive together (and may share a group, and on
// PostgreSQL one statement) each land whole: every attempt is stored once,
// with its last version, and counted once.
func testConcurrentSavesOfOneAttempt(t *testing.T, open opener) {
	ctx := context.Background()
	s, _ := open(t)
	const attempts, savers = 20, 5
	var wg sync.WaitGroup
	errs := make(chan error, attempts*(savers+1))
	for a := range attempts {
		id := fmt.Sprintf("same%02d", a)
		running := attempt(id, base, "smtp.example.com", 587, "", "")
		running.Status, running.Diagnosis = probe.StatusRunning, nil
		wg.Go(func() { errs <- s.CreateIfAbsent(ctx, running) })
		for range savers {
			wg.Go(func() {
				errs <- s.Save(ctx, attempt(id, base, "smtp.example.com", 587, probe.OutcomeFailure, "auth.credentials_rejected"))
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	c, err := s.Count(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != attempts || c.ByCode["auth.credentials_rejected"] != attempts {
		t.Errorf("after concurrent saves of %d attempts: %d stored, counts by code %v; want each once, failed", attempts, c.Total, c.ByCode)
	}
	for a := range attempts {
		if got, err := s.Get(ctx, fmt.Sprintf("same%02d", a)); err != nil || got.Status != probe.StatusDone {
			t.Errorf("attempt %d: %v, %v; want the saved, finished attempt", a, got.Status, err)
		}
	}
}
