package attempt

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Admission bounds attempts three ways: MaxProbes run at once and QueueSize
// more may wait (beyond that a start is refused with a CapacityError that
// says when to come back, rather than piling up goroutines); PerTarget
// bounds concurrent attempts of one host. A try-all is one admitted job:
// one place in the pool and one of its host's places.

// CapacityError refuses an attempt for now: the dashboard is at one of its
// bounds. RetryAfter is a fair time to wait before trying again.
type CapacityError struct {
	Msg        string
	RetryAfter time.Duration
}

func (e *CapacityError) Error() string { return e.Msg }

// ErrShuttingDown refuses an attempt started after Shutdown began.
var ErrShuttingDown = errors.New("the dashboard is shutting down; try again in a moment")

// admit takes one place in the pool (running or queued) and one of the
// target's places under each of its keys (target.go), or says why not;
// release gives them back. It adds to the wait group under the same lock
// that checks closing, so Shutdown cannot miss work admitted just before
// it; release calls wg.Done.
func (l *Lifecycle) admit(t target) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closing:
		return ErrShuttingDown
	case l.cfg.QueueSize != Unlimited && l.admitted >= l.cfg.MaxProbes+max(l.cfg.QueueSize, 0):
		return &CapacityError{
			Msg:        fmt.Sprintf("the dashboard is already running %d tests, as many as it allows; try again in a few seconds", l.admitted),
			RetryAfter: 10 * time.Second,
		}
	case l.cfg.PerTarget != Unlimited:
		for _, k := range t.keys {
			if n := l.perHost[k]; n >= l.cfg.PerTarget {
				what := t.name
				if k != strings.ToLower(t.name) {
					what += " (" + k + ")"
				}
				return &CapacityError{
					Msg:        fmt.Sprintf("%d tests of %s are already running, as many as this dashboard allows at once per server; try again when they finish", n, what),
					RetryAfter: 5 * time.Second,
				}
			}
		}
	}
	l.admitted++
	for _, k := range t.keys {
		l.perHost[k]++
	}
	l.wg.Add(1)
	return nil
}

// release gives back what admit took, and forgets the job id (if any).
func (l *Lifecycle) release(t target, id string) {
	l.mu.Lock()
	l.admitted--
	for _, k := range t.keys {
		if l.perHost[k]--; l.perHost[k] <= 0 {
			delete(l.perHost, k)
		}
	}
	// A job whose result could not be stored yet stays, served from
	// memory, until keepSaving stores it.
	if j := l.jobs[id]; j != nil && j.unsaved() == nil {
		delete(l.jobs, id)
	}
	l.mu.Unlock()
	l.wg.Done()
}

// acquireSlot waits for one of the MaxProbes running places; false when
// ctx or the lifecycle's own context ends first. The caller gives the slot
// back with <-l.sem.
func (l *Lifecycle) acquireSlot(ctx context.Context) bool {
	select {
	case l.sem <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	case <-l.ctx.Done():
		return false
	}
}
