package service

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

// A run that cannot get a probe slot within startWithinTenths of its
// interval is skipped: it connects nowhere, records no run, raises no
// alert and leaves the monitor's state as it was. Run late, it would come
// too close to the next one (shared.go).
func TestRunWithoutASlotInTimeIsSkipped(t *testing.T) {
	ca := smtptest.NewCA(t, "monitor test CA")
	srv := smtptest.Start(t, smtptest.Script{})
	tarpit := smtptest.Start(t, smtptest.Script{Greeting: []string{smtptest.Hang}})
	h := newHooks(t)
	e := newEnvWith(t, ca, newKey(t), "", 1)
	defer e.close()
	ctx := context.Background()
	m, err := e.svc.Create(ctx, watch.Monitor{Name: "relay", Interval: 10 * time.Second, FailAfter: 1,
		Settings: probe.Settings{Host: srv.Host, Port: srv.Port, Security: probe.SecurityNone},
		Alerts:   []watch.Alert{{Type: watch.AlertWebhook, URL: h.URL + "/hook"}}}, Secrets{})
	if err != nil {
		t.Fatal(err)
	}
	// The lifecycle's only slot hangs at a greeting for the whole test.
	first, err := e.life.Start(ctx, attempt.Request{Settings: probe.Settings{Host: tarpit.Host, Port: tarpit.Port,
		Security: probe.SecurityNone}})
	if err != nil {
		t.Fatal(err)
	}
	for {
		r, err := e.life.Get(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status == probe.StatusRunning {
			break
		}
		time.Sleep(time.Millisecond)
	}
	got := e.runNow(t, m.ID)
	if got.Status.State != m.Status.State || got.Status.Last != nil {
		t.Errorf("after a skipped run the monitor is %s, last run %+v; want it unchanged", got.Status.State, got.Status.Last)
	}
	if n := srv.Connections(); n != 0 {
		t.Errorf("the skipped run connected %d times", n)
	}
	if runs, _ := e.store.MonitorRuns(ctx, m.ID, 10); len(runs) != 0 {
		t.Errorf("%d runs recorded for a skipped run, want none", len(runs))
	}
	if evs := h.events(); len(evs) != 0 {
		t.Errorf("alerts %v for a skipped run, want none", evs)
	}
	if !strings.Contains(e.logs.String(), "run skipped") {
		t.Errorf("the log does not say the run was skipped:\n%s", e.logs.String())
	}
}
