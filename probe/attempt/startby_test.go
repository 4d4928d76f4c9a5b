package attempt_test

import (
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// An attempt that cannot get a probe slot by its StartBy is not run: it
// ends, stored, as probe.skipped, and its server never sees a connection.
func TestStartByPassedWhileQueuedSkips(t *testing.T) {
	tp := tarpit(t)
	srv := smtptest.Start(t, smtptest.Script{})
	st := openStore(t)
	l := newLifecycle(t, st, attempt.Config{MaxProbes: 1, StepTimeout: 30 * time.Second})
	// The only slot is taken by a probe that hangs at the greeting until
	// the test ends.
	first, err := l.Start(t.Context(), attempt.Request{Settings: plain(tp)})
	if err != nil {
		t.Fatalf("first: %v", err)
	}
	waitRunning(t, l, first.ID)
	started, err := l.Start(t.Context(), attempt.Request{Kind: probe.KindMonitor, MonitorID: "m1",
		Settings: plain(srv), StartBy: time.Now().Add(100 * time.Millisecond)})
	if err != nil {
		t.Fatalf("second: %v", err)
	}
	res, done, err := l.Wait(t.Context(), started.ID)
	if err != nil || !done {
		t.Fatalf("wait: done %v, err %v", done, err)
	}
	assertSkipped(t, st, res)
	if n := srv.Connections(); n != 0 {
		t.Errorf("the skipped attempt's server saw %d connections, want none", n)
	}
}

// A StartBy already past when the attempt is admitted skips it even with
// a slot free: a free slot must not win a race against the deadline.
func TestStartByAlreadyPastSkipsEvenWithAFreeSlot(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	st := openStore(t)
	l := newLifecycle(t, st, attempt.Config{MaxProbes: 4})
	for range 20 {
		started, err := l.Start(t.Context(), attempt.Request{Kind: probe.KindMonitor, MonitorID: "m1",
			Settings: plain(srv), StartBy: time.Now().Add(-time.Millisecond)})
		if err != nil {
			t.Fatalf("start: %v", err)
		}
		res, done, err := l.Wait(t.Context(), started.ID)
		if err != nil || !done {
			t.Fatalf("wait: done %v, err %v", done, err)
		}
		assertSkipped(t, st, res)
	}
	if n := srv.Connections(); n != 0 {
		t.Errorf("skipped attempts made %d connections, want none", n)
	}
}

// An attempt that gets its slot in time runs as usual.
func TestStartByInTimeRuns(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	l := newLifecycle(t, openStore(t), attempt.Config{})
	started, err := l.Start(t.Context(), attempt.Request{Settings: plain(srv), StartBy: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	res, done, err := l.Wait(t.Context(), started.ID)
	if err != nil || !done || res.Diagnosis == nil || res.Diagnosis.Code != probe.CodeOK {
		t.Fatalf("wait: done %v, err %v, diagnosis %+v", done, err, res.Diagnosis)
	}
}

// waitRunning returns once attempt id holds a probe slot.
func waitRunning(t *testing.T, l *attempt.Lifecycle, id string) {
	t.Helper()
	for {
		r, err := l.Get(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status == probe.StatusRunning {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// assertSkipped checks the attempt as returned and as stored.
func assertSkipped(t *testing.T, st *store.Store, res probe.Result) {
	t.Helper()
	stored, err := st.Get(t.Context(), res.ID)
	if err != nil {
		t.Fatalf("the skipped attempt is not stored: %v", err)
	}
	for _, r := range []probe.Result{res, stored} {
		if r.Status != probe.StatusInterrupted || r.Diagnosis == nil || r.Diagnosis.Code != probe.CodeProbeSkipped ||
			r.Kind != probe.KindMonitor || r.MonitorID != "m1" || len(r.Transcript) != 0 {
			t.Errorf("skipped attempt: status %q kind %q monitor %q diagnosis %+v, %d transcript lines",
				r.Status, r.Kind, r.MonitorID, r.Diagnosis, len(r.Transcript))
		}
	}
}
