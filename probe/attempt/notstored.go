package attempt

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// ErrNotStored wraps a failure to write an attempt to the store (a full
// disk, a read-only or damaged database). Start returns it rather than an
// id that was never written: every id it hands out is stored.
var ErrNotStored = errors.New("the database could not store the test")

// A finished attempt whose final write failed stays in memory (Get and
// Watch serve it) and is written again with a growing pause, so that it
// reaches the store by itself once the disk has room again. It is given up
// only when the lifecycle stops; Store.Close then marks whatever it left
// unfinished in the store interrupted.
const (
	firstRetry = time.Second
	lastRetry  = 30 * time.Second
)

// keepSaving retries the final write of j's result until it succeeds or
// the lifecycle stops, then forgets the job.
func (l *Lifecycle) keepSaving(log *slog.Logger, j *job, r probe.Result) {
	defer l.forget(r.ID)
	for pause := firstRetry; ; pause = min(2*pause, lastRetry) {
		select {
		case <-l.ctx.Done():
			log.Error("gave up storing the finished attempt: the dashboard stopped")
			return
		case <-time.After(pause):
		}
		ctx, cancel := context.WithTimeout(l.ctx, saveTimeout)
		err := l.cfg.Store.Save(ctx, r)
		cancel()
		if err == nil {
			log.Info("stored the finished attempt after all")
			j.saved()
			return
		}
	}
}

// forget drops a job that no longer runs.
func (l *Lifecycle) forget(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.jobs, id)
}
