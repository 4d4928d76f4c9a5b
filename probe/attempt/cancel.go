package attempt

import (
	"errors"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// ErrNotRunning is returned by Cancel for an attempt that is not queued or
// running in this process: finished already, or never started here.
var ErrNotRunning = errors.New("attempt: not running here")

// Cancel stops an attempt queued or running in this process, at once: its
// connection closes and it is saved as interrupted, diagnosed
// probe.cancelled ("you cancelled the test"), with the steps that
// finished. It returns ErrNotRunning when there is nothing to stop.
func (l *Lifecycle) Cancel(id string) error {
	j := l.lookup(id)
	if j == nil {
		return ErrNotRunning
	}
	j.mu.Lock()
	if j.done {
		j.mu.Unlock()
		return ErrNotRunning
	}
	j.cancelled = true
	j.mu.Unlock()
	j.cancel()
	return nil
}

func (j *job) wasCancelled() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.cancelled
}

// cancelledResult marks a result as stopped by the person who started it:
// the step it waited in is named, and the diagnosis (probe.cancelled)
// says so instead of blaming the server for the silence.
func cancelledResult(r probe.Result) probe.Result {
	step := ""
	for i := len(r.Steps) - 1; i >= 0; i-- {
		if r.Steps[i].Status == probe.StepRunning || r.Steps[i].Status == probe.StepFailed {
			step = r.Steps[i].Name
			r.Steps[i].Status = probe.StepSkipped
			r.Steps[i].Detail = "cancelled"
			break
		}
	}
	cmd := ""
	if r.Failure != nil {
		step, cmd = r.Failure.Step, r.Failure.Command
	}
	r.Failure = &probe.Failure{Step: step, Command: cmd, Code: probe.CodeProbeCancelled, Err: "cancelled from the dashboard"}
	return r
}

// skippedResult marks an attempt that never got a probe slot by the time
// it had to start (Request.StartBy): diagnosed probe.skipped.
func skippedResult(r probe.Result) probe.Result {
	r.Failure = &probe.Failure{Code: probe.CodeProbeSkipped, Err: "no free probe slot by the time it had to start"}
	return r
}

// StepTimeout is how long each step of a probe may wait (a reply, the
// connect), for pages that show a wait against its limit.
func (l *Lifecycle) StepTimeout() time.Duration { return l.cfg.StepTimeout }
