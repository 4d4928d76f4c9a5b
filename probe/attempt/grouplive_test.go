package attempt_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
)

// A kept try-all runs in the background as one admitted job: the group
// and every row are stored before TryAllGroup returns, all rows run at
// once on the group's single slot and can be followed like any attempt,
// the host's only place is taken until the group ends, and a shutdown
// ends the group as interrupted.
func TestTryAllGroupRunsInTheBackground(t *testing.T) {
	a, b := tarpit(t), tarpit(t)
	st := openStore(t)
	l := newLifecycle(t, st, attempt.Config{MaxProbes: 1, PerTarget: 1, StepTimeout: time.Minute, TryCombos: []discover.Combo{
		{Port: a.Port, Security: probe.SecurityStartTLS}, {Port: b.Port, Security: probe.SecurityStartTLS},
	}})
	g, err := l.TryAllGroup(t.Context(), attempt.TryAllRequest{Input: a.Host, Host: a.Host})
	if err != nil {
		t.Fatal(err)
	}
	if !g.Running || len(g.IDs) != 2 || len(g.Matrix.Rows) != 2 {
		t.Fatalf("started group %+v", g)
	}
	if stored, err := st.TryGroup(t.Context(), g.ID); err != nil || !stored.Running {
		t.Errorf("stored group %+v, %v", stored, err)
	}
	for _, id := range g.IDs {
		if r, err := st.Get(t.Context(), id); err != nil || !attempt.IsLive(r) {
			t.Errorf("row %s stored as %q, %v; want queued or running", id, r.Status, err)
		}
		if l.Watch(id) == nil {
			t.Errorf("row %s cannot be followed", id)
		}
	}
	live := l.WatchGroup(g.ID)
	if live == nil {
		t.Fatal("the group cannot be followed")
	}
	for {
		cur, changed, done := live.Snapshot()
		if done {
			t.Fatal("the group ended while its servers were silent")
		}
		if cur.Matrix.Rows[0].Result.Status == probe.StatusRunning && cur.Matrix.Rows[1].Result.Status == probe.StatusRunning {
			break // both rows on the one slot
		}
		<-changed
	}
	var capErr *attempt.CapacityError
	if _, err := l.TryAllGroup(t.Context(), attempt.TryAllRequest{Input: a.Host, Host: a.Host}); !errors.As(err, &capErr) {
		t.Errorf("a second try-all of the host while the first runs: %v, want a capacity error", err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := l.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	end, err := st.TryGroup(t.Context(), g.ID)
	if err != nil || end.Running || !end.Interrupted || end.Matrix.Best != -1 {
		t.Fatalf("group after shutdown %+v, %v", end, err)
	}
	for i, row := range end.Matrix.Rows {
		if row.Code != probe.CodeProbeInterrupted {
			t.Errorf("row %d: %q, want %q", i, row.Code, probe.CodeProbeInterrupted)
		}
	}
	if got, err := l.Group(t.Context(), g.ID); err != nil || got.Running {
		t.Errorf("Group after the end: %+v, %v", got, err)
	}
}
