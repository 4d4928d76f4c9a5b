package service

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// Three replicas on one PostgreSQL database all find a monitor due at
// once, round after round: each run happens once (one login at the
// server, one run recorded), the state carries from one replica's run to another's,
// and the failing alert goes out once, not once per replica.
func TestReplicasRunAMonitorOnce(t *testing.T) {
	dsn := storetest.Postgres(t)
	ca := smtptest.NewCA(t, "monitor test CA")
	srv := newServer(t, yearCert(t, ca))
	h := newHooks(t)
	key := newKey(t)
	var envs []*env
	for range 3 {
		e := newEnv(t, ca, key, dsn)
		defer e.close()
		envs = append(envs, e)
	}
	ctx := context.Background()
	m, err := envs[0].svc.Create(ctx, monitorFor(srv, h.URL+"/hook"), Secrets{Login: ptr(testPassword)})
	if err != nil {
		t.Fatal(err)
	}
	// The others learn of it from the store.
	for _, e := range envs[1:] {
		if err := e.svc.sync(ctx); err != nil {
			t.Fatal(err)
		}
		if _, ok := e.svc.Get(m.ID); !ok {
			t.Fatal("a replica did not pick up the monitor created on another")
		}
	}

	round := func() {
		// Due now on every replica, as their schedulers would find it.
		envs[0].store.SetNextRun(ctx, m.ID, time.Now().Add(-time.Millisecond))
		var wg sync.WaitGroup
		for _, e := range envs {
			e.svc.sched.Set(m.ID, time.Now().Add(time.Hour)) // as fire does before a run
			wg.Go(func() { e.svc.runOne(ctx, dueRun{id: m.ID, due: time.Now()}) })
		}
		wg.Wait()
	}
	round()
	if n := srv.auths.Load(); n != 1 {
		t.Fatalf("three replicas found the monitor due; the server saw %d logins, want 1", n)
	}
	srv.stop()
	for range 3 { // two failures to alert (the default), then one more
		round()
	}
	for _, e := range envs {
		e.sender.Close() // waits for deliveries under way
	}
	runs, err := envs[0].store.MonitorRuns(ctx, m.ID, 100)
	if err != nil || len(runs) != 4 {
		t.Errorf("%d runs recorded (%v), want 4: one per round", len(runs), err)
	}
	if got := h.events(); !slices.Equal(got, []watch.EventKind{watch.EventFailing}) {
		t.Errorf("alerts %v, want one failing alert across the replicas", got)
	}
	stored, err := envs[0].store.GetMonitor(ctx, m.ID)
	if err != nil || stored.Status.State != watch.StateFailing {
		t.Errorf("stored state %q, %v; want failing", stored.Status.State, err)
	}
}

// A run judged against a status that another run has since replaced (a
// replica that read the monitor before a slower replica's run was
// recorded) is judged again against the stored status: the failure is
// alerted once, not once by each replica that saw it.
func TestStaleStatusIsJudgedAgain(t *testing.T) {
	ca := smtptest.NewCA(t, "monitor test CA")
	srv := newServer(t, yearCert(t, ca))
	h := newHooks(t)
	e := newEnv(t, ca, newKey(t), "")
	defer e.close()
	ctx := context.Background()
	mon := monitorFor(srv, h.URL+"/hook")
	mon.FailAfter = 1
	m, err := e.svc.Create(ctx, mon, Secrets{Login: ptr(testPassword)})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.runNow(t, m.ID); got.Status.State != watch.StateOK {
		t.Fatalf("first run: %s", got.Status.State)
	}
	e.svc.mu.Lock()
	seen := e.svc.monitors[m.ID].m // what a second replica read then
	e.svc.mu.Unlock()
	srv.stop()
	if got := e.runNow(t, m.ID); got.Status.State != watch.StateFailing {
		t.Fatalf("after a refused connection: %s", got.Status.State)
	}
	// The other replica's run, started from the status before the
	// failure, finds the server down too.
	e.svc.mu.Lock()
	e.svc.monitors[m.ID].m = seen
	e.svc.mu.Unlock()
	got := e.runNow(t, m.ID)
	if got.Status.State != watch.StateFailing {
		t.Errorf("after the stale run: %s, want failing", got.Status.State)
	}
	if evs := h.events(); !slices.Equal(evs, []watch.EventKind{watch.EventFailing}) {
		t.Errorf("alerts %v, want one failing alert", evs)
	}
	stored, err := e.store.GetMonitor(ctx, m.ID)
	if err != nil || stored.Status.State != watch.StateFailing || stored.StatusVersion != got.StatusVersion {
		t.Errorf("stored: state %q version %d (%v); in memory version %d", stored.Status.State, stored.StatusVersion, err, got.StatusVersion)
	}
	if runs, _ := e.store.MonitorRuns(ctx, m.ID, 10); len(runs) != 3 {
		t.Errorf("%d runs recorded, want 3", len(runs))
	}
}
