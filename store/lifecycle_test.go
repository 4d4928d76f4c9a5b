package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"

	_ "modernc.org/sqlite"
)

// rawDB opens the store's file directly, to look at or tamper with what
// the store wrote.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrationsAppliedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	for range 3 {
		s, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	var n, maxV int
	if err := rawDB(t, path).QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &maxV); err != nil {
		t.Fatal(err)
	}
	if n != store.SchemaVersion() || maxV != store.SchemaVersion() {
		t.Errorf("schema_migrations has %d rows up to version %d, want %d", n, maxV, store.SchemaVersion())
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	ctx := context.Background()
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	future := store.SchemaVersion() + 1
	if _, err := rawDB(t, path).Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)`, future); err != nil {
		t.Fatal(err)
	}
	_, err = store.Open(ctx, path)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Open on a newer schema: %v, want ErrSchemaTooNew", err)
	}
	for _, want := range []string{fmt.Sprintf("version %d", future), fmt.Sprintf("up to version %d", store.SchemaVersion())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestOpenFailsOnNonDatabase(t *testing.T) {
	dir := t.TempDir()
	if _, err := store.Open(context.Background(), dir); err == nil {
		t.Error("Open on a directory succeeded")
	}
}

func TestMarkInterrupted(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	queued := attempt("queued", base, "h", 25, "", "")
	queued.Status, queued.Diagnosis = probe.StatusQueued, nil
	running := attempt("running", base, "h", 25, "", "")
	running.Status, running.Diagnosis = probe.StatusRunning, nil
	mustCreate(t, s, queued, running, attempt("done", base, "h", 25, probe.OutcomeSuccess, "ok"))
	if n, err := s.MarkInterrupted(ctx); err != nil || n != 0 {
		t.Fatalf("MarkInterrupted of this process's own attempts = %d, %v; want 0", n, err)
	}
	store.Orphan(s, "queued", "running", "done")

	n, err := s.MarkInterrupted(ctx)
	if err != nil || n != 2 {
		t.Fatalf("MarkInterrupted = %d, %v; want 2", n, err)
	}
	for id, want := range map[string]probe.Status{"queued": probe.StatusInterrupted, "running": probe.StatusInterrupted, "done": probe.StatusDone} {
		r, err := s.Get(ctx, id)
		if err != nil || r.Status != want {
			t.Errorf("%s: Get status %q, %v; want %q", id, r.Status, err, want)
		}
	}
	p, err := s.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range p.Attempts {
		if a.Status == probe.StatusRunning || a.Status == probe.StatusQueued {
			t.Errorf("%s still %s in the history", a.ID, a.Status)
		}
	}
	if n, err := s.MarkInterrupted(ctx); err != nil || n != 0 {
		t.Errorf("second MarkInterrupted = %d, %v; want 0", n, err)
	}
}

func TestPrune(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	var rs []probe.Result
	for i := range 12003 { // more than one delete batch
		rs = append(rs, attempt(fmt.Sprint("old", i), base.Add(-time.Duration(i+1)*time.Second), "h", 25, probe.OutcomeSuccess, "ok"))
	}
	rs = append(rs, attempt("edge", base, "h", 25, probe.OutcomeSuccess, "ok"), attempt("new", base.Add(time.Hour), "h", 25, probe.OutcomeSuccess, "ok"))
	if err := s.CreateBatch(ctx, rs); err != nil {
		t.Fatal(err)
	}
	n, err := s.Prune(ctx, base)
	if err != nil || n != 12003 {
		t.Fatalf("Prune = %d, %v; want 12003", n, err)
	}
	if got := listAll(t, s, store.Filter{}); fmt.Sprint(got) != "[new edge]" {
		t.Errorf("left %v, want [new edge]", got)
	}
	if n, err := s.Prune(ctx, base); err != nil || n != 0 {
		t.Errorf("second Prune = %d, %v; want 0", n, err)
	}
}

func TestPingAndIntegrity(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	mustCreate(t, s, attempt("a", base, "h", 25, probe.OutcomeSuccess, "ok"))
	if err := s.Ping(ctx); err != nil {
		t.Error(err)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
	s.Close()
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping after Close succeeded")
	}
}

// TestConcurrentWritersAndReaders runs writers and readers at once, as
// probes saving progress and people browsing do: no write may fail with
// "database is locked", and readers see only whole attempts.
func TestConcurrentWritersAndReaders(t *testing.T) {
	s, path := open(t)
	ctx := context.Background()
	const writers, each = 4, 40
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				r := attempt(fmt.Sprintf("w%d-%d", w, i), base.Add(time.Duration(i)*time.Second), fmt.Sprint("host", w), 587, "", "")
				r.Status = probe.StatusRunning
				if err := s.Create(ctx, r); err != nil {
					errs <- err
					return
				}
				r.Status, r.Outcome = probe.StatusDone, probe.OutcomeSuccess
				if err := s.Update(ctx, r); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 3 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				p, err := s.List(ctx, store.Filter{Limit: 10})
				if err != nil {
					errs <- err
					return
				}
				for _, a := range p.Attempts {
					if _, err := s.Get(ctx, a.ID); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c, err := s.Count(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != writers*each || c.ByOutcome[probe.OutcomeSuccess] != writers*each {
		t.Errorf("counts %+v, want %d attempts, all success", c, writers*each)
	}

	// A second process (here: a second Store on the same file) sees the
	// first one's writes and can write too.
	s2, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := s2.Get(ctx, "w3-39"); err != nil {
		t.Error(err)
	}
	mustCreate(t, s2, attempt("from-s2", base, "h", 25, probe.OutcomeSuccess, "ok"))
	if _, err := s.Get(ctx, "from-s2"); err != nil {
		t.Error(err)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}
