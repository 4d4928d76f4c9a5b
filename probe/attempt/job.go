package attempt

import (
	"context"
	"sync"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// job is one attempt in flight in this process: its latest snapshot, and a
// broadcast channel closed (and replaced) at every change, for live pages.
type job struct {
	mu      sync.Mutex
	result  probe.Result
	changed chan struct{}
	done    bool
	// target is what admission counted the attempt under.
	target target
	// saveErr is why the finished result could not be stored, nil once
	// it is (see keepSaving).
	saveErr error
	// ctx is the probe's own context, cancel stops it: Cancel, from the
	// person who started it. cancelled says that is why it stopped.
	ctx       context.Context
	cancel    context.CancelFunc
	cancelled bool
	// notify, when set, is told of every change too: the try-all the
	// attempt is a row of.
	notify func()
	// startBy is the latest time the probe may begin (Request.StartBy).
	startBy time.Time
}

func (j *job) snapshot() (probe.Result, <-chan struct{}, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.result, j.changed, j.done
}

func (j *job) set(r probe.Result, done bool) {
	j.mu.Lock()
	j.result = r
	j.done = done
	close(j.changed)
	j.changed = make(chan struct{})
	notify := j.notify
	j.mu.Unlock()
	if notify != nil {
		notify()
	}
}

// finished marks the job done with its result, and whether storing it
// failed.
func (j *job) finished(r probe.Result, saveErr error) {
	j.mu.Lock()
	j.saveErr = saveErr
	j.mu.Unlock()
	j.set(r, true)
}

// saved clears the store failure once a retry went through.
func (j *job) saved() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.saveErr = nil
}

// unsaved is the error of the final write while it has not gone through.
func (j *job) unsaved() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.saveErr
}

// id is the attempt's id (set when the job is made, never changed).
func (j *job) id() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.result.ID
}
