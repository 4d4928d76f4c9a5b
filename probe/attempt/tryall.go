package attempt

import (
	"context"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
)

// "Try all ports" probes one host on every combination of TryCombos at
// once, without credentials, and reports what each answered. Choices, and
// why:
//
//   - No login, even when the person typed a password: four logins at once,
//     some on the wrong port, is how accounts get locked. The matrix says
//     which combination to use; a normal test there checks the password.
//   - One try-all is one admitted job: one place in the pool and one of
//     the target's PerTarget places (default 2, which would refuse four
//     separate probes of one host). Four connections without AUTH are no
//     burden to a server.
//   - Each probe is bounded by TryAllDeadline whatever the configured
//     timeouts: a try-all answers which port to use, and one silent port
//     must not hold the verdict for minutes.
//   - The same target policy as any probe: a refused combination shows as
//     policy.blocked_target in its row.
//   - Every combination is stored as a normal attempt with its own id, so
//     the matrix links to the evidence and the history shows it.

// TryAllDeadline bounds each probe of a try-all (and TryAll as a whole).
const TryAllDeadline = 30 * time.Second

// TryAllResult is a finished try-all.
type TryAllResult struct {
	discover.Matrix
	// IDs are the stored attempts, one per row of the matrix; "" where the
	// store refused the write (logged).
	IDs []string
}

// TryAll admits a try-all of host, runs it and stores every row. It fails
// like Start when the dashboard is at a bound or shutting down, and with
// ctx's error when ctx ends while the job waits for a slot.
func (l *Lifecycle) TryAll(ctx context.Context, host string) (TryAllResult, error) {
	return l.tryAll(ctx, host, l.cfg.TryCombos)
}

func (l *Lifecycle) tryAll(ctx context.Context, host string, combos []discover.Combo) (TryAllResult, error) {
	t := l.resolveTarget(ctx, host)
	if err := l.admit(t); err != nil {
		return TryAllResult{}, err
	}
	defer l.release(t, "")
	if !l.acquireSlot(ctx) {
		if err := ctx.Err(); err != nil {
			return TryAllResult{}, err
		}
		return TryAllResult{}, ErrShuttingDown
	}
	tctx, cancel := context.WithTimeout(ctx, TryAllDeadline)
	stop := context.AfterFunc(l.ctx, cancel) // Shutdown cancels it too
	started := time.Now().UTC()
	opts := t.options(l.probeOptions())
	opts.TotalTimeout = min(opts.TotalTimeout, TryAllDeadline)
	m := discover.TryAll(tctx, host, "", probe.Secret{}, discover.TryOptions{Probe: opts, Combos: combos})
	interrupted := l.ctx.Err() != nil
	stop()
	cancel()
	<-l.sem

	out := TryAllResult{Matrix: m, IDs: make([]string, len(m.Rows))}
	log := l.log.With("try_all", host)
	for i, row := range m.Rows {
		status := probe.StatusDone
		if interrupted {
			status = probe.StatusInterrupted
		}
		set := probe.Settings{Host: host, Port: row.Port, Security: row.Security, Mech: probe.MechAuto}
		// The caller may be gone; the attempts were made and are kept.
		res, err := l.record(ctx, row.Result, status, NewID(), probe.KindProbe, "", set, started)
		out.Rows[i].Result = res
		if err != nil {
			log.Error("store a try-all attempt", "err", err)
			continue
		}
		out.IDs[i] = res.ID
	}
	log.Info("try-all finished", "best", m.Best)
	return out, nil
}
