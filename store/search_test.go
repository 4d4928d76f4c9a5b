package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// The trigram index follows every write: an update's new reply is found and
// its old one no longer; a deleted or pruned attempt is found no more.
func TestSearchIndexFollowsWrites(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	a := attempt("a1", base, "smtp.example.com", 587, probe.OutcomeFailure, "auth.credentials_rejected")
	a.Failure.Lines = []string{"5.7.8 quixotic zebra refused"}
	b := attempt("b1", base.Add(time.Minute), "mx.example.org", 25, probe.OutcomeFailure, "relay.denied")
	b.Failure.Lines = []string{"5.7.1 relay access denied"}
	mustCreate(t, s, a, b)

	find := func(q string) []string {
		t.Helper()
		p, err := s.List(ctx, store.Filter{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		return ids(p)
	}
	if got := find("quixotic zebra"); len(got) != 1 || got[0] != "a1" {
		t.Fatalf("search before update = %v", got)
	}
	// Trigrams all present but not in this order: instr must refuse it.
	if got := find("zebra quixotic"); len(got) != 0 {
		t.Errorf("words out of order matched: %v", got)
	}

	a.Failure.Lines = []string{"5.7.8 melancholy walrus refused"}
	if err := s.Update(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got := find("quixotic"); len(got) != 0 {
		t.Errorf("old reply still found after update: %v", got)
	}
	if got := find("melancholy walrus"); len(got) != 1 {
		t.Errorf("new reply not found after update: %v", got)
	}
	if err := s.Delete(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if got := find("melancholy"); len(got) != 0 {
		t.Errorf("deleted attempt still found: %v", got)
	}
	if _, err := s.Prune(ctx, base.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := find("relay access"); len(got) != 0 {
		t.Errorf("pruned attempt still found: %v", got)
	}
}

// A common term is counted up to SearchCountCap and then said to be more,
// rather than counted one by one over every attempt.
func TestSearchCountIsCapped(t *testing.T) {
	if testing.Short() {
		t.Skip("writes ten thousand attempts")
	}
	ctx := context.Background()
	s, _ := open(t)
	var rs []probe.Result
	for i := range store.SearchCountCap + 5 {
		rs = append(rs, attempt(fmt.Sprintf("id%05d", i), base.Add(time.Duration(i)*time.Second), "smtp.example.com", 587, probe.OutcomeFailure, "auth.credentials_rejected"))
	}
	if err := s.CreateBatch(ctx, rs); err != nil {
		t.Fatal(err)
	}
	c, err := s.Count(ctx, store.Filter{Q: "authentication failed"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Capped || c.Total != store.SearchCountCap+1 {
		t.Errorf("count of a common term: total %d capped %v, want %d and capped", c.Total, c.Capped, store.SearchCountCap+1)
	}
	c, err = s.Count(ctx, store.Filter{Q: "id00042"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Capped || c.Total != 1 {
		t.Errorf("count of a rare term: %+v", c)
	}
	p, err := s.List(ctx, store.Filter{Q: "authentication failed", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(p); len(got) != 3 || got[0] != fmt.Sprintf("id%05d", store.SearchCountCap+4) {
		t.Errorf("newest matches first: %v", got)
	}
}

// Search terms are text, never FTS5 query syntax.
func TestSearchTermsAreNotQuerySyntax(t *testing.T) {
	s, _ := open(t)
	a := attempt("q1", base, "smtp.example.com", 587, probe.OutcomeFailure, "auth.credentials_rejected")
	a.Failure.Lines = []string{`5.7.8 said "no" OR NEAR(x*) ^col: -minus`}
	mustCreate(t, s, a)
	for _, q := range []string{`said "no"`, `OR NEAR(x*)`, `^col: -minus`, `"`, `""""`, `a"b`} {
		p, err := s.List(context.Background(), store.Filter{Q: q})
		if err != nil {
			t.Fatalf("q %q: %v", q, err)
		}
		if c, err := s.Count(context.Background(), store.Filter{Q: q}); err != nil || int(c.Total) != len(p.Attempts) {
			t.Errorf("q %q: count %+v err %v, list %d", q, c, err, len(p.Attempts))
		}
	}
	p, _ := s.List(context.Background(), store.Filter{Q: `OR NEAR(x*)`})
	if len(p.Attempts) != 1 {
		t.Errorf("a term with FTS5 operators in it did not find its text")
	}
}

// Only finished attempts are in the index; a running one enters it when it
// ends or is marked interrupted. After any mix of writes that leaves every
// attempt finished, FTS5's own integrity check against the table (rank 1)
// passes, which it would not if a trigger missed or doubled a change.
func TestSearchIndexHoldsFinishedAttempts(t *testing.T) {
	ctx := context.Background()
	s, path := open(t)
	running := attempt("run1", base, "smtp.example.com", 587, probe.OutcomeFailure, "auth.credentials_rejected")
	running.Status, running.Outcome = probe.StatusRunning, ""
	running.Failure.Lines = []string{"5.7.8 xylophone"}
	done := attempt("done1", base.Add(time.Second), "smtp.example.com", 587, probe.OutcomeFailure, "auth.credentials_rejected")
	done.Failure.Lines = []string{"5.7.8 xylophone too"}
	later := attempt("later1", base.Add(2*time.Second), "smtp.example.com", 587, probe.OutcomeFailure, "auth.credentials_rejected")
	later.Status = probe.StatusRunning
	mustCreate(t, s, running, done, later)

	find := func(q string) []string {
		t.Helper()
		p, err := s.List(ctx, store.Filter{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		return ids(p)
	}
	if got := find("xylophone"); len(got) != 1 || got[0] != "done1" {
		t.Errorf("before the running attempt ends: %v, want only done1", got)
	}
	store.Orphan(s, "run1")
	if _, err := s.MarkInterrupted(ctx); err != nil {
		t.Fatal(err)
	}
	if got := find("xylophone"); len(got) != 2 {
		t.Errorf("after MarkInterrupted: %v, want run1 and done1", got)
	}
	// An update of a finished attempt's text, a status that goes back to
	// running and ends again, a delete, a prune.
	done.Failure.Lines = []string{"5.7.8 marimba"}
	if err := s.Update(ctx, done); err != nil {
		t.Fatal(err)
	}
	later.Status = probe.StatusDone
	later.Failure.Lines = []string{"4.7.0 glockenspiel"}
	if err := s.Update(ctx, later); err != nil {
		t.Fatal(err)
	}
	if got := find("glockenspiel"); len(got) != 1 {
		t.Errorf("finished text not found: %v", got)
	}
	if err := s.Delete(ctx, "run1"); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO attempts_search (attempts_search, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Errorf("search index disagrees with the table: %v", err)
	}
}
