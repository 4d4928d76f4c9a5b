package storetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/store"
)

func newMonitor(id string) watch.Monitor {
	return watch.Monitor{
		ID: id, Name: "Relay " + id,
		Settings:  probe.Settings{Host: "smtp.example.com", Port: 587, Security: probe.SecurityStartTLS, User: "u@example.com"},
		Alerts:    []watch.Alert{{Type: watch.AlertWebhook, URL: "https://hooks.example.com/x"}},
		CreatedAt: base, UpdatedAt: base, NextRunAt: base.Add(time.Minute),
	}.WithDefaults()
}

func testMonitorCRUD(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	m := newMonitor("m1")
	box := []byte("sealed-box-bytes")
	if err := s.CreateMonitor(ctx, m, []watch.SealedSecret{{Slot: watch.SlotLogin, KeyID: "k1", Box: box}}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateMonitor(ctx, newMonitor("m2"), nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetMonitor(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != m.Name || got.Settings != m.Settings || got.Interval != watch.DefaultInterval || !got.HasSecret ||
		len(got.Alerts) != 1 || got.Alerts[0].URL != m.Alerts[0].URL || !got.NextRunAt.Equal(m.NextRunAt) ||
		got.Status.State != watch.StatePending {
		t.Errorf("read back %+v", got)
	}
	if m2, _ := s.GetMonitor(ctx, "m2"); m2.HasSecret {
		t.Error("m2 has a secret it was never given")
	}
	sec, err := s.MonitorSecret(ctx, "m1", watch.SlotLogin)
	if err != nil || string(sec.Box) != string(box) || sec.KeyID != "k1" {
		t.Errorf("secret %+v, %v", sec, err)
	}

	// Editing without keeping the login drops it.
	m.Name = "Renamed"
	if err := s.UpdateMonitor(ctx, m, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetMonitor(ctx, "m1"); got.Name != "Renamed" || got.HasSecret {
		t.Errorf("after update: %+v", got)
	}
	if _, err := s.MonitorSecret(ctx, "m1", watch.SlotLogin); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("dropped secret: %v", err)
	}

	all, err := s.Monitors(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("Monitors = %d, %v", len(all), err)
	}
	if err := s.DeleteMonitor(ctx, "m1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetMonitor(ctx, "m1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted monitor: %v", err)
	}
	if err := s.DeleteMonitor(ctx, "m1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
}

func testSecretsRotate(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	s.CreateMonitor(ctx, newMonitor("m1"), []watch.SealedSecret{{Slot: watch.SlotLogin, KeyID: "old", Box: []byte("a")}, {Slot: watch.SlotAlert(0), KeyID: "old", Box: []byte("b")}})
	secs, err := s.Secrets(ctx)
	if err != nil || len(secs) != 2 {
		t.Fatalf("Secrets = %v, %v", secs, err)
	}
	for i := range secs {
		secs[i].KeyID, secs[i].Box = "new", append(secs[i].Box, '!')
	}
	if err := s.ReplaceSecrets(ctx, secs); err != nil {
		t.Fatal(err)
	}
	secs, _ = s.Secrets(ctx)
	for _, sec := range secs {
		if sec.KeyID != "new" || sec.Box[len(sec.Box)-1] != '!' {
			t.Errorf("not replaced: %+v", sec)
		}
	}
	// All or nothing: one missing slot undoes the rest.
	bad := append(secs, watch.SealedSecret{MonitorID: "m1", Slot: "alert:9", KeyID: "x", Box: []byte("x")})
	bad[0].KeyID = "newer"
	if err := s.ReplaceSecrets(ctx, bad); err == nil {
		t.Fatal("replaced a secret that does not exist")
	}
	secs, _ = s.Secrets(ctx)
	if secs[0].KeyID != "new" {
		t.Error("a failed rotation changed a secret")
	}
}

// run saves a full attempt and records it as a run of monitor id.
func run(t testing.TB, s *store.Store, id string, r probe.Result, keep bool, st watch.Status) {
	t.Helper()
	ctx := context.Background()
	if err := s.Save(ctx, r); err != nil {
		t.Error(err)
		return
	}
	m, err := s.GetMonitor(ctx, id)
	if err != nil {
		t.Error(err)
		return
	}
	if err := s.RecordRun(ctx, watch.RunRecordOf(id, r, keep), st, r.StartedAt.Add(5*time.Minute), m.StatusVersion); err != nil {
		t.Error(err)
	}
}

func testRecordRunKeepsChangesAndTheLatest(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	s.CreateMonitor(ctx, newMonitor("m1"), nil)
	outcomes := []struct {
		outcome probe.Outcome
		code    string
		keep    bool
	}{
		{probe.OutcomeSuccess, "ok", true},  // first: a change from pending
		{probe.OutcomeSuccess, "ok", false}, // repeat
		{probe.OutcomeSuccess, "ok", false}, // repeat
		{probe.OutcomeFailure, "auth.credentials_rejected", true},
		{probe.OutcomeFailure, "auth.credentials_rejected", false},
		{probe.OutcomeFailure, "auth.credentials_rejected", false}, // latest
	}
	for i, o := range outcomes {
		r := attempt(fmt.Sprintf("a%d", i), base.Add(time.Duration(i)*5*time.Minute), "smtp.example.com", 587, o.outcome, o.code)
		r.DurationMS = 100
		r.Steps = []probe.Step{{Name: probe.StepConnect, DurationMS: 3}, {Name: probe.StepGreeting, DurationMS: 7}}
		run(t, s, "m1", r, o.keep, watch.Status{State: watch.StateOK, Since: base})
	}
	for i, want := range []bool{true, false, false, true, false, true} {
		_, err := s.Get(ctx, fmt.Sprintf("a%d", i))
		if kept := err == nil; kept != want {
			t.Errorf("attempt a%d kept = %v, want %v (%v)", i, kept, want, err)
		}
	}
	runs, err := s.MonitorRuns(ctx, "m1", 100)
	if err != nil || len(runs) != 6 {
		t.Fatalf("MonitorRuns = %d, %v", len(runs), err)
	}
	if runs[0].AttemptID != "a5" || runs[1].AttemptID != "" || runs[2].AttemptID != "a3" || runs[0].Code != probe.CodeAuthCredentialsRejected ||
		len(runs[0].StepsMS) != 2 || runs[0].StepsMS[1] != 7 || runs[0].DurationMS != 100 {
		t.Errorf("runs %+v", runs)
	}
	recent, err := s.RecentRuns(ctx, base.Add(26*time.Minute), 4, "m1", "nobody")
	if err != nil || len(recent["m1"]) != 4 || recent["m1"][0].AttemptID != "a5" || recent["m1"][3].At != base.Add(10*time.Minute) || len(recent["nobody"]) != 0 {
		t.Errorf("RecentRuns = %+v, %v", recent, err)
	}
	up, err := s.Uptimes(ctx, base.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if u := up["m1"]; u.Day != 0.5 || u.Week != 0.5 || u.Month != 0.5 {
		t.Errorf("uptime %+v, want 0.5 each", u)
	}
	if m, _ := s.GetMonitor(ctx, "m1"); !m.NextRunAt.Equal(base.Add(30*time.Minute)) || m.Status.State != watch.StateOK {
		t.Errorf("monitor after runs: next %v state %s", m.NextRunAt, m.Status.State)
	}
}

func testDeliveryLog(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	for i := range 3 {
		if err := s.RecordDelivery(ctx, watch.Delivery{MonitorID: "m1", At: base.Add(time.Duration(i) * time.Second), Event: "failing",
			Channel: "webhook", Target: "https://h/…", Try: i + 1, OK: i == 2, Final: i == 2, Detail: "HTTP 500"}); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := s.Deliveries(ctx, "m1", 10)
	if err != nil || len(ds) != 3 || !ds[0].OK || !ds[0].Final || ds[0].Try != 3 || ds[2].OK {
		t.Errorf("Deliveries = %+v, %v", ds, err)
	}
}

// TestBytesPerUnchangedRun measures what a run that repeats the previous
// one costs the database: its full attempt is replaced by a compact row, so
// the file grows by the compact row and its share of the uptime buckets.
// Budget: 100 bytes per run.
func testBytesPerUnchangedRun(t *testing.T, open opener) {
	const monitors, runs = 20, 100 // 2,000 runs
	s, path := open(t)
	sqliteOnly(t, path, "the database file's growth")
	ctx := context.Background()
	rng := NewRand(13)
	for m := range monitors {
		s.CreateMonitor(ctx, newMonitor(fmt.Sprintf("m%02d", m)), nil)
	}
	// The monitors of a round run at once, as they do in service, so the
	// writes share commits.
	doRound := func(i int) {
		var wg sync.WaitGroup
		for m := range monitors {
			at := base.Add(time.Duration(i)*5*time.Minute + time.Duration(m)*time.Second)
			r := Typical(rng, at)
			r.ID = ID(rng)
			r.Outcome, r.Diagnosis.Code = probe.OutcomeSuccess, probe.CodeOK
			wg.Go(func() {
				run(t, s, fmt.Sprintf("m%02d", m), r, i == 0, watch.Status{State: watch.StateOK, Since: base})
			})
		}
		wg.Wait()
	}
	// A day's worth of runs first, so the buckets and free pages of a
	// steady state exist; then measure.
	for i := range 20 {
		doRound(i)
	}
	size := func() int64 {
		if err := s.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	for i := 20; i < 20+runs; i++ {
		doRound(i)
	}
	grown := size() - before
	per := float64(grown) / float64(monitors*runs)
	t.Logf("%d unchanged runs: the file grew %d bytes, %.1f bytes per run", monitors*runs, grown, per)
	if per > 100 {
		t.Errorf("%.1f bytes per unchanged run, budget 100", per)
	}
}

// testMonitorRunClaimedOnce: three replicas that find a monitor due at
// once claim its run; exactly one gets it, and the others learn the next
// run it set.
func testMonitorRunClaimedOnce(t *testing.T, open opener) {
	a, dsn := open(t)
	ctx := context.Background()
	m := newMonitor("claimed")
	m.NextRunAt = base
	if err := a.CreateMonitor(ctx, m, nil); err != nil {
		t.Fatal(err)
	}
	stores := []*store.Store{a}
	for range 2 {
		s, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	next := base.Add(5 * time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for _, s := range stores {
		wg.Go(func() {
			ok, stored, err := s.ClaimMonitorRun(ctx, "claimed", base.Add(time.Second), next)
			if err != nil {
				t.Error(err)
				return
			}
			if !stored.Equal(next) {
				t.Errorf("stored next run %v, want %v", stored, next)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("the run was claimed %d times, want once", won)
	}
	// Not due yet: nobody claims it.
	if ok, _, err := a.ClaimMonitorRun(ctx, "claimed", base.Add(time.Minute), next.Add(5*time.Minute)); err != nil || ok {
		t.Errorf("claiming a run not due: %v, %v", ok, err)
	}
	if _, _, err := a.ClaimMonitorRun(ctx, "no-such-monitor", base, next); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claiming a missing monitor: %v, want ErrNotFound", err)
	}
}

// A run's status is written only over the version it was judged against:
// a second run judged against the same version is refused
// (watch.ErrStaleStatus) and writes nothing, not even its run row; an
// edit moves the version on too.
func testRecordRunRefusesAStaleStatus(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	if err := s.CreateMonitor(ctx, newMonitor("m1"), nil); err != nil {
		t.Fatal(err)
	}
	m, err := s.GetMonitor(ctx, "m1")
	if err != nil || m.StatusVersion != 0 {
		t.Fatalf("new monitor: version %d, %v", m.StatusVersion, err)
	}
	first := attempt("a1", base, "smtp.example.com", 587, probe.OutcomeFailure, "net.refused")
	second := attempt("a2", base.Add(time.Second), "smtp.example.com", 587, probe.OutcomeFailure, "net.refused")
	for _, r := range []probe.Result{first, second} {
		if err := s.Save(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	failing := watch.Status{State: watch.StateFailing, Since: base, Code: probe.CodeNetRefused}
	if err := s.RecordRun(ctx, watch.RunRecordOf("m1", first, true), failing, base.Add(time.Minute), 0); err != nil {
		t.Fatalf("first run: %v", err)
	}
	other := watch.Status{State: watch.StateWarning, Since: base.Add(time.Second)}
	err = s.RecordRun(ctx, watch.RunRecordOf("m1", second, true), other, base.Add(time.Hour), 0)
	if !errors.Is(err, watch.ErrStaleStatus) {
		t.Fatalf("second run judged against version 0: %v, want ErrStaleStatus", err)
	}
	m, _ = s.GetMonitor(ctx, "m1")
	if m.StatusVersion != 1 || m.Status.State != watch.StateFailing || !m.NextRunAt.Equal(base.Add(time.Minute)) {
		t.Errorf("after the refused write: version %d state %q next %v; want 1, failing, the first run's", m.StatusVersion, m.Status.State, m.NextRunAt)
	}
	if runs, _ := s.MonitorRuns(ctx, "m1", 10); len(runs) != 1 || runs[0].AttemptID != "a1" {
		t.Errorf("runs after the refused write: %+v, want only a1's", runs)
	}
	if err := s.RecordRun(ctx, watch.RunRecordOf("m1", second, true), other, base.Add(time.Hour), 1); err != nil {
		t.Fatalf("second run judged again against version 1: %v", err)
	}
	m, _ = s.GetMonitor(ctx, "m1")
	m.Name = "Renamed"
	if err := s.UpdateMonitor(ctx, m, nil, nil); err != nil {
		t.Fatal(err)
	}
	if m, _ = s.GetMonitor(ctx, "m1"); m.StatusVersion != 3 {
		t.Errorf("after a run and an edit: version %d, want 3", m.StatusVersion)
	}
	if err := s.RecordRun(ctx, watch.RunRecordOf("m1", second, true), other, base.Add(time.Hour), 9); !errors.Is(err, watch.ErrStaleStatus) {
		t.Errorf("a run against a version never stored: %v, want ErrStaleStatus", err)
	}
	if err := s.RecordRun(ctx, watch.RunRecordOf("gone", second, true), other, base.Add(time.Hour), 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a run of a monitor that is gone: %v, want ErrNotFound", err)
	}
}
