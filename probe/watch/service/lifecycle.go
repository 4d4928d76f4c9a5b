package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
)

// LifecycleProber runs monitor probes through the attempt lifecycle: each
// run is an attempt of kind monitor, linked to its monitor, admitted under
// the same global and per-target bounds as every other probe, numbered,
// diagnosed and stored. It is stored queued before it starts (not only
// once it ends), so a run cut short by a crash is found at the next start
// and marked interrupted, like any probe. A lifecycle at a bound answers
// *Busy.
func LifecycleProber(l *attempt.Lifecycle) Prober {
	return func(ctx context.Context, monitorID string, set probe.Settings, sec probe.Secret, startBy time.Time) (probe.Result, error) {
		started, err := l.Start(ctx, attempt.Request{Kind: probe.KindMonitor, MonitorID: monitorID, Settings: set,
			Secret: sec, StartBy: startBy})
		var ce *attempt.CapacityError
		switch {
		case errors.As(err, &ce):
			return probe.Result{}, &Busy{RetryAfter: ce.RetryAfter, Msg: ce.Msg}
		case errors.Is(err, attempt.ErrShuttingDown):
			return probe.Result{}, &Busy{RetryAfter: time.Minute, Msg: err.Error()}
		case err != nil:
			return probe.Result{}, err
		}
		// A wait that ends with ctx (the service closing) leaves the
		// attempt to the lifecycle's shutdown, which finishes it or marks
		// it interrupted; this run then counts for nothing.
		r, done, err := l.Wait(ctx, started.ID)
		if err != nil {
			return r, fmt.Errorf("wait for monitor attempt %s: %w", started.ID, err)
		}
		if !done {
			r.Status = probe.StatusInterrupted
		}
		return r, nil
	}
}
