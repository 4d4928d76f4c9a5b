package attempt

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
)

// run waits for a slot, runs the probe, then finishes the attempt. sec is
// the only copy of the password the lifecycle keeps; it goes out of scope
// when run returns.
func (l *Lifecycle) run(j *job, sec probe.Secret) {
	queued, _, _ := j.snapshot()
	defer l.release(j.target, queued.ID)
	defer j.cancel()
	log := l.log.With("attempt", queued.ID)
	slotCtx, stopWaiting := j.ctx, context.CancelFunc(func() {})
	if !j.startBy.IsZero() {
		slotCtx, stopWaiting = context.WithDeadline(j.ctx, j.startBy)
	}
	// A deadline already past when the job gets here (its queued write
	// was slow) must not race a free slot: select picks among ready cases
	// at random.
	got := slotCtx.Err() == nil && l.acquireSlot(slotCtx)
	stopWaiting()
	if !got {
		if j.ctx.Err() == nil && l.ctx.Err() == nil {
			log.Warn("probe skipped: no free probe slot by the time it had to start", "start_by", j.startBy)
			l.finish(log, j, skippedResult(queued), true)
			return
		}
		l.finish(log, j, queued, true)
		return
	}
	defer func() { <-l.sem }()
	l.runProbe(j, sec, j.target.options(l.probeOptions()), log)
}

// runProbe runs the probe of j, whose slot is taken (its own, or its
// try-all's), with progress for live pages and the store, and finishes it.
func (l *Lifecycle) runProbe(j *job, sec probe.Secret, opts probe.Options, log *slog.Logger) {
	queued, _, _ := j.snapshot()
	id, set := queued.ID, queued.Settings
	// A bug in the probe must not take the whole dashboard down with it.
	defer func() {
		if v := recover(); v != nil {
			log.Error("probe panicked", "panic", fmt.Sprint(v))
			r, _, _ := j.snapshot()
			l.finish(log, j, r, true)
		}
	}()

	running := queued
	running.Status = probe.StatusRunning
	j.set(running, false)

	stopPersist := make(chan struct{})
	persisted := make(chan struct{})
	go l.persist(j, log, stopPersist, persisted)
	stop := sync.OnceFunc(func() {
		close(stopPersist)
		<-persisted
	})
	defer stop()

	opts.Observe = func(p probe.Result) {
		p.ID, p.Status, p.Kind, p.MonitorID = id, probe.StatusRunning, queued.Kind, queued.MonitorID
		j.set(p, false)
	}
	started := time.Now()
	res := probe.Run(j.ctx, set, sec, opts)
	sec = probe.Secret{}
	_ = sec
	res.StartedAt = cmp.Or(res.StartedAt, queued.StartedAt)
	stop()
	res = l.finish(log, j, res, j.ctx.Err() != nil)
	code := probe.Code("")
	if res.Diagnosis != nil {
		code = res.Diagnosis.Code
	}
	log.Info("probe finished", "kind", res.Kind, "host", set.Host, "port", set.Port, "outcome", res.Outcome,
		"code", code, "status", res.Status, "took", time.Since(started).Round(time.Millisecond).String())
}

// finish fills in and diagnoses an attempt of this process, saves it, and
// tells its watchers it is done. interrupted marks an attempt cut off by
// Shutdown (or by a bug): its diagnosis then says the dashboard stopped,
// not that the server timed out.
func (l *Lifecycle) finish(log *slog.Logger, j *job, r probe.Result, interrupted bool) probe.Result {
	queued, _, _ := j.snapshot()
	status := probe.StatusDone
	if interrupted {
		status = probe.StatusInterrupted
	}
	if j.wasCancelled() {
		r = cancelledResult(r)
	}
	r, err := l.record(context.Background(), r, status, queued.ID, queued.Kind, queued.MonitorID, queued.Settings, queued.StartedAt)
	if err != nil {
		log.Error("store the finished attempt; retrying until it is stored", "err", err)
		j.finished(r, err)
		go l.keepSaving(log, j, r)
		return r
	}
	j.finished(r, nil)
	return r
}

// fillIn is the one place a finished result gets what the lifecycle owns:
// its id, kind, monitor, the settings as asked (never the probe's own
// reading of them), its status, origin and start time when the probe left
// them out, and its diagnosis.
func (l *Lifecycle) fillIn(r probe.Result, status probe.Status, id string, kind probe.Kind, monitorID string, set probe.Settings, started time.Time) probe.Result {
	r.ID = id
	r.Kind = cmp.Or(kind, probe.KindProbe)
	r.MonitorID = monitorID
	r.Settings = set
	r.Status = status
	r.Origin = cmp.Or(r.Origin, l.cfg.Origin)
	if r.StartedAt.IsZero() {
		r.StartedAt = started
	}
	if r.Findings == nil {
		r.Findings = []probe.Finding{}
	}
	if r.Steps == nil {
		r.Steps = []probe.Step{}
	}
	if r.Transcript == nil {
		r.Transcript = []probe.Line{}
	}
	diagnosis.Diagnose(&r)
	return r
}

// record fills in a finished result and writes it: the one place every
// finished attempt (probe, try-all row, explanation, monitor run) reaches
// the store. The request that started it may be gone by now; the write
// must not depend on it, nor hang forever.
func (l *Lifecycle) record(ctx context.Context, r probe.Result, status probe.Status, id string, kind probe.Kind, monitorID string, set probe.Settings, started time.Time) (probe.Result, error) {
	r = l.fillIn(r, status, id, kind, monitorID, set, started)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	if err := l.cfg.Store.Save(sctx, r); err != nil {
		return r, fmt.Errorf("store the attempt %s: %w: %w", id, ErrNotStored, err)
	}
	return r, nil
}

// persist writes progress to the store while a slow probe runs. Live pages
// read the in-memory job, so the store's copy of a running attempt is for
// the history and other readers of the database; most probes end within a
// second and then need no progress write at all (the load profile showed
// progress writes as a fifth of the server's CPU). After that, at most one
// write per progressInterval, coalescing whatever changed meanwhile.
func (l *Lifecycle) persist(j *job, log *slog.Logger, stop <-chan struct{}, done chan<- struct{}) {
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
			if err := l.cfg.Store.Save(ctx, r); err != nil {
				log.Error("store probe progress", "err", err)
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
