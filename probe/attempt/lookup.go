package attempt

import (
	"context"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Get returns the attempt with this id as it is now: the live snapshot when
// it runs in this process (fresher than the store), else the stored one.
// The store's not-found error comes back wrapped.
func (l *Lifecycle) Get(ctx context.Context, id string) (probe.Result, error) {
	if j := l.lookup(id); j != nil {
		r, _, _ := j.snapshot()
		return r, nil
	}
	return l.stored(ctx, id)
}

// stored reads a finished (or, from another process, running) attempt
// from the store.
func (l *Lifecycle) stored(ctx context.Context, id string) (probe.Result, error) {
	r, err := l.cfg.Store.Get(ctx, id)
	if err != nil {
		return r, err
	}
	r.ID = id
	return r, nil
}

// Live follows one attempt running in this process, for live pages. It
// stays readable after the attempt ends: its last snapshot is the result
// as stored.
type Live struct{ j *job }

// Snapshot returns the attempt as it is now, a channel closed at its next
// change, and whether it has finished.
func (v *Live) Snapshot() (r probe.Result, changed <-chan struct{}, done bool) {
	return v.j.snapshot()
}

// Watch follows an attempt queued or running in this process; nil when it
// does not run here (finished before, or never started): read it with Get.
func (l *Lifecycle) Watch(id string) *Live {
	j := l.lookup(id)
	if j == nil {
		return nil
	}
	return &Live{j}
}

// Running reports whether the attempt is queued or running in this
// process (it cannot be deleted then).
func (l *Lifecycle) Running(id string) bool { return l.lookup(id) != nil }

// Wait blocks until the attempt finishes or ctx ends, and returns its
// latest state and whether it is finished. Attempts not running here are
// read from the store.
func (l *Lifecycle) Wait(ctx context.Context, id string) (probe.Result, bool, error) {
	j := l.lookup(id)
	if j == nil {
		r, err := l.stored(ctx, id)
		if err != nil {
			return r, false, err
		}
		return r, !IsLive(r), nil
	}
	r, done := waitJob(ctx, j)
	return r, done, nil
}

// IsLive reports whether an attempt is still queued or running.
func IsLive(r probe.Result) bool {
	return r.Status == probe.StatusQueued || r.Status == probe.StatusRunning
}

func waitJob(ctx context.Context, j *job) (probe.Result, bool) {
	for {
		r, changed, done := j.snapshot()
		if done {
			return r, true
		}
		select {
		case <-ctx.Done():
			return r, false
		case <-changed:
		}
	}
}

func (l *Lifecycle) lookup(id string) *job {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.jobs[id]
}
