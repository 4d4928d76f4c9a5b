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
