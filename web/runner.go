package web

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
)

// The runner runs probes in the background, bounded three ways: MaxProbes
// run at once and QueueSize more may wait (beyond that a request is
// refused with 503 and Retry-After rather than piling up goroutines);
// PerTarget bounds concurrent probes of one host, so the dashboard cannot
// be used to hammer a server; and the per-client start rate is limited in
// routes.go. The attempt is stored (queued) before its probe starts unless
// nobody can hold its id yet (see startStored); live viewers read the job
// in memory, the store gets progress only for probes past a second and the
// final result; and the password lives only in the goroutine that runs the
// probe.

// capacityError is a refusal to start a probe right now.
type capacityError struct {
	msg        string
	retryAfter time.Duration
}

func (e *capacityError) Error() string { return e.msg }

var errShuttingDown = errors.New("the dashboard is shutting down; try again in a moment")

type runner struct {
	s   *Server
	sem chan struct{}

	mu       sync.Mutex
	admitted int
	perHost  map[string]int
	jobs     map[string]*job
	closing  bool

	// ctx is the parent of every probe; cancelled when Shutdown gives up
	// waiting.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newRunner(s *Server) *runner {
	ctx, cancel := context.WithCancel(context.Background())
	return &runner{
		s:       s,
		sem:     make(chan struct{}, s.cfg.MaxProbes),
		perHost: map[string]int{},
		jobs:    map[string]*job{},
		ctx:     ctx,
		cancel:  cancel,
	}
}

// job is one probe in flight: its latest snapshot and a broadcast channel
// closed (and replaced) at every change, for live viewers.
type job struct {
	id      string
	mu      sync.Mutex
	result  probe.Result
	changed chan struct{}
	done    bool
}

func (j *job) snapshot() (probe.Result, <-chan struct{}, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.result, j.changed, j.done
}

func (j *job) set(r probe.Result, done bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.result = r
	j.done = done
	close(j.changed)
	j.changed = make(chan struct{})
}

// lookup returns the job of a probe running (or queued) in this process.
func (rn *runner) lookup(id string) *job {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	return rn.jobs[id]
}

// start admits a probe, stores it as queued and runs it in the
// background. It returns the permalink id.
func (rn *runner) start(ctx context.Context, set probe.Settings, sec probe.Secret) (string, error) {
	return rn.startStored(ctx, set, sec, true)
}

// startStored starts a probe; storeNow writes the attempt before it runs.
// A caller that will not hand the id out until the probe ends (the API's
// ?wait) passes false: the attempt is then written once, when it ends or
// runs long, or by ensureStored when the wait runs out. Nobody can hold
// an id that was never written, so a crash in between loses nothing
// anyone could ask for, and the busiest path writes once instead of twice.
func (rn *runner) startStored(ctx context.Context, set probe.Settings, sec probe.Secret, storeNow bool) (string, error) {
	host := strings.ToLower(set.Host)
	if err := rn.admit(set.Host); err != nil {
		return "", err
	}
	id := newID()
	j := &job{id: id, changed: make(chan struct{})}
	j.result = probe.Result{
		ID:         id,
		Status:     probe.StatusQueued,
		Settings:   set,
		StartedAt:  time.Now().UTC(),
		Origin:     rn.s.cfg.Origin,
		Findings:   []probe.Finding{},
		Steps:      []probe.Step{},
		Transcript: []probe.Line{},
	}
	rn.mu.Lock()
	rn.jobs[id] = j
	rn.mu.Unlock()

	if storeNow {
		if err := rn.s.store.Create(ctx, j.result); err != nil {
			rn.release(j, host)
			rn.wg.Done()
			return "", fmt.Errorf("store the new attempt: %w", err)
		}
	}
	go rn.run(j, host, set, sec)
	return id, nil
}

// admit takes one place in the pool (running or queued) and one of the
// target's places, or says why not; unadmit gives them back. It also adds
// to the wait group under the same lock that checks closing, so Shutdown
// cannot miss work admitted just before it; the caller calls wg.Done.
func (rn *runner) admit(target string) error {
	host := strings.ToLower(target)
	rn.mu.Lock()
	defer rn.mu.Unlock()
	switch {
	case rn.closing:
		return errShuttingDown
	case rn.admitted >= rn.s.cfg.MaxProbes+rn.s.cfg.QueueSize:
		return &capacityError{
			msg:        fmt.Sprintf("the dashboard is already running %d tests, as many as it allows; try again in a few seconds", rn.admitted),
			retryAfter: 10 * time.Second,
		}
	case rn.s.cfg.PerTarget > 0 && rn.perHost[host] >= rn.s.cfg.PerTarget:
		return &capacityError{
			msg:        fmt.Sprintf("%d tests of %s are already running, as many as this dashboard allows at once per server; try again when they finish", rn.perHost[host], target),
			retryAfter: 5 * time.Second,
		}
	}
	rn.admitted++
	rn.perHost[host]++
	rn.wg.Add(1)
	return nil
}

func (rn *runner) unadmit(host string) {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	rn.unadmitLocked(host)
}

func (rn *runner) unadmitLocked(host string) {
	rn.admitted--
	if rn.perHost[host]--; rn.perHost[host] <= 0 {
		delete(rn.perHost, host)
	}
}

func (rn *runner) release(j *job, host string) {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	rn.unadmitLocked(host)
	delete(rn.jobs, j.id)
}

// run waits for a slot, runs the probe, diagnoses and stores the result.
// sec is the only copy of the password the dashboard keeps; it goes out of
// scope when run returns.
func (rn *runner) run(j *job, host string, set probe.Settings, sec probe.Secret) {
	defer rn.wg.Done()
	defer rn.release(j, host)
	log := rn.s.log.With("attempt", j.id)
	// A bug in the probe must not take the whole dashboard down with it.
	defer func() {
		if v := recover(); v != nil {
			log.Error("probe panicked", "panic", stringify(v))
			r, _, _ := j.snapshot()
			r.Status = probe.StatusInterrupted
			rn.save(log, r)
			j.set(r, true)
		}
	}()

	select {
	case rn.sem <- struct{}{}:
		defer func() { <-rn.sem }()
	case <-rn.ctx.Done():
		r, _, _ := j.snapshot()
		r.Status = probe.StatusInterrupted
		rn.save(log, r)
		j.set(r, true)
		return
	}

	r, _, _ := j.snapshot()
	r.Status = probe.StatusRunning
	j.set(r, false)

	stopPersist := make(chan struct{})
	persisted := make(chan struct{})
	go rn.persist(j, log, stopPersist, persisted)
	stop := sync.OnceFunc(func() {
		close(stopPersist)
		<-persisted
	})
	defer stop()

	opts := probe.Options{
		RootCAs:      rn.rootCAs(set),
		StepTimeout:  rn.s.cfg.StepTimeout,
		TotalTimeout: rn.s.cfg.TotalTimeout,
		Policy:       rn.s.policy.CheckAddr,
		Origin:       rn.s.cfg.Origin,
		Observe: func(p probe.Result) {
			p.ID, p.Status = j.id, probe.StatusRunning
			j.set(p, false)
		},
	}
	started := time.Now()
	res := probe.Run(rn.ctx, set, sec, opts)
	sec = probe.Secret{}
	_ = sec

	res.ID = j.id
	res.Settings = set
	res.Status = probe.StatusDone
	if res.Origin == "" {
		res.Origin = rn.s.cfg.Origin
	}
	if res.StartedAt.IsZero() {
		res.StartedAt = r.StartedAt
	}
	diagnosis.Diagnose(&res)
	if rn.ctx.Err() != nil {
		res.Status = probe.StatusInterrupted
	}
	stop()
	rn.save(log, res)
	j.set(res, true)
	code := ""
	if res.Diagnosis != nil {
		code = string(res.Diagnosis.Code)
	}
	log.Info("probe finished", "host", set.Host, "port", set.Port, "outcome", res.Outcome,
		"code", code, "status", res.Status, "took", time.Since(started).Round(time.Millisecond).String())
}

// persist writes progress to the store while a slow probe runs. Live pages
// read the in-memory job, so the store's copy of a running attempt is for
// history and for other readers of the database; most probes end within a
// second and then need no progress write at all (the load profile showed
// progress writes as a fifth of the server's CPU). After that, at most one
// write per progressInterval, coalescing whatever changed meanwhile.
func (rn *runner) persist(j *job, log interface{ Error(string, ...any) }, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	var written *probe.Result
	for {
		select {
		case <-stop:
			return
		case <-time.After(progressInterval):
		}
		r, changed, _ := j.snapshot()
		if written == nil || len(r.Transcript) != len(written.Transcript) || len(r.Steps) != len(written.Steps) ||
			r.Status != written.Status || stepsDiffer(r.Steps, written.Steps) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := rn.s.store.Save(ctx, r); err != nil {
				log.Error("store probe progress", "err", err)
				rn.s.noteStoreError(err)
			}
			cancel()
			written = &r
			continue
		}
		select {
		case <-stop:
			return
		case <-changed:
		}
	}
}

// progressInterval is how often a running probe's progress reaches the
// store at most.
const progressInterval = time.Second

func stepsDiffer(a, b []probe.Step) bool {
	if len(a) != len(b) {
		return true
	}
	for i := range a {
		if a[i].Status != b[i].Status {
			return true
		}
	}
	return false
}

func (rn *runner) save(log interface{ Error(string, ...any) }, r probe.Result) {
	// The request that started the probe is long gone; the final write
	// must not depend on it, but must not hang forever either.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rn.s.store.Save(ctx, r); err != nil {
		log.Error("store probe result", "err", err)
		rn.s.noteStoreError(err)
	}
}

// ensureStored writes a probe started with storeNow=false, as it is now,
// before its id is handed out. If the probe's own write came first, that
// write stands: CreateIfAbsent never overwrites.
func (rn *runner) ensureStored(ctx context.Context, id string) error {
	j := rn.lookup(id)
	if j == nil {
		return nil // finished and saved, or never started here
	}
	r, _, _ := j.snapshot()
	return rn.s.store.CreateIfAbsent(ctx, r)
}

// rootCAs trusts the sandbox's CA for the sandbox, the configured roots
// for everything else.
func (rn *runner) rootCAs(set probe.Settings) *x509.CertPool {
	if sb := rn.s.cfg.Sandbox; sb != nil && rn.s.policy.IsSandbox(set.Host, set.Port) {
		return sb.RootCAs()
	}
	return rn.s.cfg.RootCAs
}

// wait blocks until the probe id is done or ctx ends, and returns the
// latest result and whether it is finished. Probes not running here are
// read from the store.
func (rn *runner) wait(ctx context.Context, id string) (probe.Result, bool, error) {
	j := rn.lookup(id)
	if j == nil {
		r, err := rn.s.store.Get(ctx, id)
		return r, err == nil && r.Status != probe.StatusQueued && r.Status != probe.StatusRunning, err
	}
	for {
		r, changed, done := j.snapshot()
		if done {
			return r, true, nil
		}
		select {
		case <-ctx.Done():
			return r, false, nil
		case <-changed:
		}
	}
}

// shutdown refuses new probes, waits for those in flight until ctx ends,
// then cancels them; they store themselves as interrupted, and whatever
// still claims to be queued or running in the store is marked so too.
func (rn *runner) shutdown(ctx context.Context) error {
	rn.mu.Lock()
	rn.closing = true
	rn.mu.Unlock()
	finished := make(chan struct{})
	go func() {
		rn.wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		rn.cancel()
		return nil
	case <-ctx.Done():
	}
	rn.cancel()
	select {
	case <-finished:
	case <-time.After(3 * time.Second):
	}
	mctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := rn.s.store.MarkInterrupted(mctx)
	if err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	if n > 0 {
		rn.s.log.Warn("marked unfinished probes interrupted", "count", n)
	}
	return nil
}
