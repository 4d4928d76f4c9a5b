package attempt

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Request is one attempt to start.
type Request struct {
	// Kind is probe.KindProbe (the default when empty) or
	// probe.KindMonitor; pasted-text explanations connect nowhere and are
	// recorded with SaveFinished instead.
	Kind probe.Kind
	// Settings are validated already (probe.ParseSettings).
	Settings probe.Settings
	// Secret is the password or token; it lives only in the goroutine
	// that runs the probe.
	Secret probe.Secret
	// MonitorID names the monitor that scheduled this attempt, if any.
	MonitorID string
	// Wait, when positive, makes Start wait up to this long (and no longer
	// than ctx) for the attempt to finish. Such an attempt is written to
	// the store once, when it ends, instead of queued and then again
	// finished; if the wait runs out first, Start stores it as it is
	// before returning, so every id Start hands out is stored.
	Wait time.Duration
	// StartBy, when set, is the latest time the probe may begin: an
	// attempt still waiting for a free probe slot then is not run at all
	// and ends as probe.skipped. A monitor's run uses it: run late, it
	// would come too close to the next one.
	StartBy time.Time
}

// Started is what Start returns.
type Started struct {
	// ID is the attempt's permalink id.
	ID string
	// Done is true when the request waited and the attempt finished in
	// time; Result is then the finished, stored result.
	Done   bool
	Result probe.Result
}

// Start admits an attempt, gives it an id and runs it in the background.
// Without Wait the attempt is stored (queued) before Start returns. It
// fails with a *CapacityError when the dashboard is at a bound, with
// ErrShuttingDown after Shutdown began, or when the store cannot be
// written.
func (l *Lifecycle) Start(ctx context.Context, req Request) (Started, error) {
	set := req.Settings
	t := l.resolveTarget(ctx, set.Host)
	if err := l.admit(t); err != nil {
		return Started{}, err
	}
	id := NewID()
	j := &job{changed: make(chan struct{}), target: t, startBy: req.StartBy}
	j.ctx, j.cancel = context.WithCancel(l.ctx)
	j.result = probe.Result{
		ID:         id,
		Status:     probe.StatusQueued,
		Kind:       cmp.Or(req.Kind, probe.KindProbe),
		MonitorID:  req.MonitorID,
		Settings:   set,
		StartedAt:  time.Now().UTC(),
		Origin:     l.cfg.Origin,
		Findings:   []probe.Finding{},
		Steps:      []probe.Step{},
		Transcript: []probe.Line{},
	}
	l.mu.Lock()
	l.jobs[id] = j
	l.mu.Unlock()

	if req.Wait <= 0 {
		if err := l.cfg.Store.Save(ctx, j.result); err != nil {
			l.release(t, id)
			return Started{}, fmt.Errorf("store the new attempt: %w: %w", ErrNotStored, err)
		}
	}
	go l.run(j, req.Secret)
	if req.Wait <= 0 {
		return Started{ID: id}, nil
	}

	wctx, cancel := context.WithTimeout(ctx, req.Wait)
	defer cancel()
	res, done := waitJob(wctx, j)
	if done {
		// Its write failed: say so, and keep the id to ourselves (the
		// attempt is written later if the store recovers).
		if err := j.unsaved(); err != nil {
			return Started{}, fmt.Errorf("store the finished attempt: %w", err)
		}
		return Started{ID: id, Done: true, Result: res}, nil
	}
	// The id is about to be handed out: store the attempt as it is now.
	// If the attempt's own final write came first, that write stands
	// (CreateIfAbsent never overwrites). The caller's context may be gone
	// (a client that hung up); the write must still happen.
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer scancel()
	if err := l.cfg.Store.CreateIfAbsent(sctx, res); err != nil {
		return Started{}, fmt.Errorf("store the attempt %s before handing out its id: %w: %w", id, ErrNotStored, err)
	}
	return Started{ID: id}, nil
}

// SaveFinished records a result that no probe of this lifecycle produced
// (a pasted-text explanation): it gives the result an id, marks it done,
// defaults its kind to explain and its origin to this machine, and stores
// it once. It returns the result as stored.
func (l *Lifecycle) SaveFinished(ctx context.Context, r probe.Result) (probe.Result, error) {
	return l.record(ctx, r, probe.StatusDone, NewID(), cmp.Or(r.Kind, probe.KindExplain), r.MonitorID, r.Settings, time.Now().UTC())
}

// saveTimeout bounds one write that no request waits for.
const saveTimeout = 10 * time.Second
