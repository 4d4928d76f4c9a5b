package attempt_test

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// openStore is a real SQLite store in a temp dir.
func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "smtpdoctor.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newLifecycle builds a lifecycle on st with short timeouts; it is shut
// down at the end of the test without waiting for tarpits.
func newLifecycle(t *testing.T, st attempt.Store, cfg attempt.Config) *attempt.Lifecycle {
	t.Helper()
	cfg.Store = st
	if cfg.StepTimeout == 0 {
		cfg.StepTimeout = 2 * time.Second
	}
	cfg.Origin = "test-machine"
	l, err := attempt.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("new lifecycle: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		l.Shutdown(ctx)
	})
	return l
}

func plain(srv *smtptest.Server) probe.Settings {
	return probe.Settings{Host: srv.Host, Port: srv.Port, Security: probe.SecurityNone, Mech: probe.MechAuto}
}

func tarpit(t *testing.T) *smtptest.Server {
	return smtptest.Start(t, smtptest.Script{Greeting: []string{smtptest.Hang}})
}

// A started attempt is stored queued before Start returns, and stored
// again, finished and diagnosed, with everything the lifecycle fills in.
func TestStartStoresQueuedThenFinished(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	st := openStore(t)
	l := newLifecycle(t, st, attempt.Config{})

	started, err := l.Start(t.Context(), attempt.Request{Settings: plain(srv)})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if _, ok := attempt.ParseID(started.ID); !ok || started.Done {
		t.Fatalf("started = %+v", started)
	}
	if _, err := st.Get(t.Context(), started.ID); err != nil {
		t.Fatalf("not stored when Start returned: %v", err)
	}
	res, done, err := l.Wait(t.Context(), started.ID)
	if err != nil || !done {
		t.Fatalf("wait: done %v, err %v", done, err)
	}
	stored, err := st.Get(t.Context(), started.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []probe.Result{res, stored} {
		if r.ID != started.ID || r.Status != probe.StatusDone || r.Kind != probe.KindProbe ||
			r.Settings != plain(srv) || r.Origin != "test-machine" || r.Diagnosis == nil || r.Diagnosis.Code != probe.CodeOK {
			t.Errorf("finished attempt: id %q status %q kind %q settings %+v origin %q diagnosis %+v",
				r.ID, r.Status, r.Kind, r.Settings, r.Origin, r.Diagnosis)
		}
	}
}

// A monitor's attempt keeps its kind and monitor id through to the store.
func TestMonitorKindReachesTheStore(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	st := openStore(t)
	l := newLifecycle(t, st, attempt.Config{})
	started, err := l.Start(t.Context(), attempt.Request{Kind: probe.KindMonitor, MonitorID: "m1", Settings: plain(srv), Wait: 10 * time.Second})
	if err != nil || !started.Done {
		t.Fatalf("start: %+v, %v", started, err)
	}
	r, err := st.Get(t.Context(), started.ID)
	if err != nil || r.Kind != probe.KindMonitor || r.MonitorID != "m1" {
		t.Errorf("stored kind %q monitor %q, err %v", r.Kind, r.MonitorID, err)
	}
}

// countingStore counts writes, to check that a waited-for attempt is
// written once.
type countingStore struct {
	*store.Store
	saves, creates int
}

func (c *countingStore) Save(ctx context.Context, r probe.Result) error {
	c.saves++
	return c.Store.Save(ctx, r)
}

func (c *countingStore) CreateIfAbsent(ctx context.Context, r probe.Result) error {
	c.creates++
	return c.Store.CreateIfAbsent(ctx, r)
}

// An attempt whose caller waits and sees it finish is written once: the
// finished result, never a queued row first.
func TestWaitedAttemptIsWrittenOnce(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	cs := &countingStore{Store: openStore(t)}
	l := newLifecycle(t, cs, attempt.Config{})
	started, err := l.Start(t.Context(), attempt.Request{Settings: plain(srv), Wait: 10 * time.Second})
	if err != nil || !started.Done {
		t.Fatalf("start: %+v, %v", started, err)
	}
	if started.Result.Status != probe.StatusDone || started.Result.ID != started.ID {
		t.Errorf("result: status %q id %q", started.Result.Status, started.Result.ID)
	}
	if cs.saves != 1 || cs.creates != 0 {
		t.Errorf("writes: %d saves, %d creates; want exactly one save", cs.saves, cs.creates)
	}
}

// When the wait runs out, the attempt is stored before its id is handed
// out.
func TestWaitRunningOutStoresFirst(t *testing.T) {
	tp := tarpit(t)
	st := openStore(t)
	l := newLifecycle(t, st, attempt.Config{StepTimeout: 30 * time.Second})
	started, err := l.Start(t.Context(), attempt.Request{Settings: plain(tp), Wait: 50 * time.Millisecond})
	if err != nil || started.Done {
		t.Fatalf("start: %+v, %v", started, err)
	}
	r, err := st.Get(t.Context(), started.ID)
	if err != nil || !attempt.IsLive(r) {
		t.Errorf("stored: status %q, err %v", r.Status, err)
	}
}

// Admission: MaxProbes and the queue, then PerTarget, each refused with a
// CapacityError that says when to come back.
func TestAdmissionBounds(t *testing.T) {
	tp := tarpit(t)
	st := openStore(t)
	l := newLifecycle(t, st, attempt.Config{MaxProbes: 1, QueueSize: attempt.NoQueue, StepTimeout: 30 * time.Second})
	if _, err := l.Start(t.Context(), attempt.Request{Settings: plain(tp)}); err != nil {
		t.Fatalf("first: %v", err)
	}
	other := plain(tp)
	other.Host = "localhost"
	_, err := l.Start(t.Context(), attempt.Request{Settings: other})
	var ce *attempt.CapacityError
	if !errors.As(err, &ce) || ce.RetryAfter <= 0 || !strings.Contains(ce.Msg, "already running") {
		t.Errorf("over MaxProbes: %v", err)
	}
	if _, err := l.TryAll(t.Context(), "localhost"); !errors.As(err, &ce) {
		t.Errorf("try-all over MaxProbes: %v", err)
	}

	l2 := newLifecycle(t, openStore(t), attempt.Config{PerTarget: 1, StepTimeout: 30 * time.Second,
		Resolver: fakeResolver{"other.test": {netip.MustParseAddr("127.0.0.2")}}})
	if _, err := l2.Start(t.Context(), attempt.Request{Settings: plain(tp)}); err != nil {
		t.Fatalf("first: %v", err)
	}
	if _, err := l2.Start(t.Context(), attempt.Request{Settings: plain(tp)}); !errors.As(err, &ce) {
		t.Errorf("over PerTarget: %v", err)
	}
	other.Host = "other.test"
	if _, err := l2.Start(t.Context(), attempt.Request{Settings: other}); err != nil {
		t.Errorf("another host: %v", err)
	}
}

// fakeResolver answers for the names it has, and says the others do not
// exist.
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// PerTarget counts servers, not the ways of writing them: with one test of
// 127.0.0.1 running and --per-target 1, the same server written as an
// IPv4-mapped address, as localhost, or as any name that resolves to it is
// refused; a different server is not.
func TestPerTargetCountsServersNotSpellings(t *testing.T) {
	tp := tarpit(t)
	l := newLifecycle(t, openStore(t), attempt.Config{PerTarget: 1, StepTimeout: 30 * time.Second,
		Resolver: fakeResolver{
			"localhost":      {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")},
			"alias.test":     {netip.MustParseAddr("::ffff:127.0.0.1")},
			"elsewhere.test": {netip.MustParseAddr("127.0.0.2")},
		}})
	if _, err := l.Start(t.Context(), attempt.Request{Settings: plain(tp)}); err != nil {
		t.Fatalf("first: %v", err)
	}
	for _, host := range []string{"127.0.0.1", "::ffff:127.0.0.1", "localhost", "LOCALHOST", "alias.test"} {
		set := plain(tp)
		set.Host = host
		var ce *attempt.CapacityError
		if _, err := l.Start(t.Context(), attempt.Request{Settings: set}); !errors.As(err, &ce) {
			t.Errorf("%s while 127.0.0.1 runs: %v, want refused", host, err)
		}
		if _, err := l.TryAll(t.Context(), host); !errors.As(err, &ce) {
			t.Errorf("try-all of %s while 127.0.0.1 runs: %v, want refused", host, err)
		}
	}
	set := plain(tp)
	set.Host = "elsewhere.test"
	if _, err := l.Start(t.Context(), attempt.Request{Settings: set}); err != nil {
		t.Errorf("a different server: %v", err)
	}
}

// The probe dials what admission counted: the name's lookup is made once
// and its answer handed to the probe, so a second, different answer (DNS
// rebinding) is never asked for.
func TestProbeDialsWhatAdmissionResolved(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	r := &flipResolver{first: netip.MustParseAddr("127.0.0.1"), then: netip.MustParseAddr("127.0.0.3")}
	l := newLifecycle(t, openStore(t), attempt.Config{Resolver: r})
	set := plain(srv)
	set.Host = "flip.test"
	s, err := l.Start(t.Context(), attempt.Request{Settings: set, Wait: 20 * time.Second})
	if err != nil || !s.Done {
		t.Fatalf("start: %+v %v", s, err)
	}
	if n := r.calls.Load(); n != 1 {
		t.Errorf("the name was looked up %d times, want once", n)
	}
	if s.Result.Server == nil || !strings.HasPrefix(s.Result.Server.Address, "127.0.0.1:") {
		t.Errorf("the probe reached %+v, want the address admission counted (127.0.0.1)", s.Result.Server)
	}
}

// flipResolver answers first, then something else: a rebinding name.
type flipResolver struct {
	first, then netip.Addr
	calls       atomic.Int64
}

func (f *flipResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	if f.calls.Add(1) == 1 {
		return []netip.Addr{f.first}, nil
	}
	return []netip.Addr{f.then}, nil
}

// Zero means "the default"; anything negative but the named constants is
// a mistake, said so at once.
func TestConfigRefusesNonsense(t *testing.T) {
	st := openStore(t)
	for _, c := range []attempt.Config{
		{Store: st, MaxProbes: -1},
		{Store: st, QueueSize: -7},
		{Store: st, PerTarget: -3},
		{},
	} {
		if _, err := attempt.New(t.Context(), c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}

// Shutdown cuts off what runs and what waits: both are stored interrupted,
// diagnosed as the dashboard stopping, and new starts are refused.
func TestShutdownInterrupts(t *testing.T) {
	tp := tarpit(t)
	st := openStore(t)
	l := newLifecycle(t, st, attempt.Config{MaxProbes: 1, QueueSize: 1, StepTimeout: 30 * time.Second, TotalTimeout: time.Minute})
	var ids []string
	for range 2 {
		s, err := l.Start(t.Context(), attempt.Request{Settings: plain(tp)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := l.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	for _, id := range ids {
		r, err := st.Get(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != probe.StatusInterrupted || r.Diagnosis == nil || r.Diagnosis.Code != probe.CodeProbeInterrupted ||
			!strings.Contains(r.Diagnosis.Summary, "stopped") {
			t.Errorf("attempt %s: status %q diagnosis %+v", id, r.Status, r.Diagnosis)
		}
	}
	if _, err := l.Start(t.Context(), attempt.Request{Settings: plain(tp)}); !errors.Is(err, attempt.ErrShuttingDown) {
		t.Errorf("start after shutdown: %v", err)
	}
}

// What a crash left queued or running is marked interrupted when the next
// lifecycle starts.
func TestNewMarksLeftoversInterrupted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "smtpdoctor.db")
	st, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	left := probe.Result{ID: attempt.NewID(), Status: probe.StatusRunning, Settings: probe.Settings{Host: "smtp.example.com", Port: 587}, StartedAt: time.Now()}
	if err := st.Save(t.Context(), left); err != nil {
		t.Fatal(err)
	}
	// As if a process that is gone had stored it (a live one's attempts
	// are left alone).
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE attempts SET owner = 'a-process-that-crashed' WHERE id = ?`, left.ID); err != nil {
		t.Fatal(err)
	}
	newLifecycle(t, st, attempt.Config{})
	r, err := st.Get(t.Context(), left.ID)
	if err != nil || r.Status != probe.StatusInterrupted {
		t.Errorf("left-over attempt: status %q, err %v", r.Status, err)
	}
}

// A pasted-text explanation is saved once, with an id, as kind explain.
func TestSaveFinished(t *testing.T) {
	st := openStore(t)
	l := newLifecycle(t, st, attempt.Config{})
	in := probe.Result{Failure: &probe.Failure{Step: "auth", Reply: 535, Lines: []string{"5.7.8 Username and Password not accepted."}}}
	r, err := l.SaveFinished(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Get(t.Context(), r.ID)
	if err != nil || got.Kind != probe.KindExplain || got.Status != probe.StatusDone || got.Diagnosis == nil || got.Origin != "test-machine" {
		t.Errorf("stored: kind %q status %q diagnosis %+v origin %q, err %v", got.Kind, got.Status, got.Diagnosis, got.Origin, err)
	}
}

// Try-all runs every combination as one admitted job and stores each as
// an ordinary attempt; the target policy is asked about every address.
func TestTryAllStoresEveryRow(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	st := openStore(t)
	var mu sync.Mutex
	var asked []netip.AddrPort
	policy := func(ap netip.AddrPort) error {
		mu.Lock()
		asked = append(asked, ap)
		mu.Unlock()
		if ap.Port() == 1 {
			return errors.New("port 1 is refused by this test's policy")
		}
		return nil
	}
	l := newLifecycle(t, st, attempt.Config{Policy: policy, PerTarget: 1, TryCombos: []discover.Combo{
		{Port: srv.Port, Security: probe.SecurityStartTLS},
		{Port: 1, Security: probe.SecurityStartTLS},
	}})
	res, err := l.TryAll(t.Context(), srv.Host)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 2 || len(res.IDs) != 2 {
		t.Fatalf("rows %d ids %d", len(res.Rows), len(res.IDs))
	}
	if res.Rows[1].Code != probe.CodePolicyBlockedTarget {
		t.Errorf("refused row: %q", res.Rows[1].Code)
	}
	for i, id := range res.IDs {
		r, err := st.Get(t.Context(), id)
		if err != nil || r.Status != probe.StatusDone || r.Settings.Port != res.Rows[i].Port || r.Settings.User != "" {
			t.Errorf("row %d stored: %+v, %v", i, r.Settings, err)
		}
	}
	mu.Lock()
	n := len(asked)
	mu.Unlock()
	if n < 2 {
		t.Errorf("the policy was asked %d times", n)
	}
	// One job, one of the target's places: a second try-all is admitted
	// once the first is done.
	if _, err := l.TryAll(t.Context(), srv.Host); err != nil {
		t.Errorf("second try-all: %v", err)
	}
}
