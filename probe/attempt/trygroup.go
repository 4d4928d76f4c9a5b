package attempt

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
)

// A try-all kept as a group runs in the background, like Start's probes,
// so its page can show each row as it goes: every row is an attempt of its
// own, queued and stored before the group's id is handed out, run as a job
// of this process (Watch, Get and Cancel work on it as on any probe), and
// stored when it ends. The group is stored when it starts (Running) and
// again when every row has ended, with its best row. The whole group is
// still one admitted job: one slot in the pool and one of its host's
// places, whatever the number of rows.

// GroupStore is a Store that also keeps try-all groups, so that a try-all
// has a permalink of its own that survives a restart. Package store's
// *Store is one.
type GroupStore interface {
	SaveTryGroup(ctx context.Context, g discover.Group) error
	TryGroup(ctx context.Context, id string) (discover.Group, error)
}

// TryAllRequest is a try-all to run and keep as a group.
type TryAllRequest struct {
	// Input is what the person typed: an email address, a domain or a
	// host; it is kept with the group.
	Input string
	// Host is the host to try. Empty when discovery found no submission
	// server: the group is still kept, so its page can say so.
	Host string
	// Discovery is what discovery found, when Input was an address or a
	// domain.
	Discovery *discover.Discovery
	// Combos replace the lifecycle's TryCombos for this try-all (the
	// sandbox's own ports); nil keeps them.
	Combos []discover.Combo
}

// ErrNoGroupStore is returned by TryAllGroup when the store cannot keep
// groups.
var ErrNoGroupStore = errors.New("attempt: the store does not keep try-all groups")

// TryAllGroup admits a try-all as one job, stores it as a running group
// with a new id and runs it in the background; the group it returns is
// Running, with an attempt id for every row. The combinations discovery
// found on the host (a provider's 465, an SRV record's port) are tried
// first, then the usual ones. It fails like Start: at a bound, while
// shutting down, or when the store cannot be written; the group is not
// kept then.
func (l *Lifecycle) TryAllGroup(ctx context.Context, req TryAllRequest) (discover.Group, error) {
	gs := l.cfg.Groups
	if gs == nil {
		return discover.Group{}, ErrNoGroupStore
	}
	g := discover.Group{ID: NewID(), StartedAt: time.Now().UTC(), Input: req.Input, Discovery: req.Discovery,
		Matrix: discover.Matrix{Host: req.Host, Best: -1}}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	if req.Host == "" {
		if err := gs.SaveTryGroup(sctx, g); err != nil {
			return g, fmt.Errorf("store the try-all %s: %w", g.ID, err)
		}
		return g, nil
	}
	usual := l.cfg.TryCombos
	if req.Combos != nil {
		usual = req.Combos
	}
	t := l.resolveTarget(ctx, req.Host)
	if err := l.admit(t); err != nil {
		return discover.Group{}, err
	}
	gj := l.newGroupJob(g, t, groupCombos(req.Discovery, req.Host, usual))
	// Every id handed out is stored first: the rows', then the group's.
	for _, rj := range gj.rows {
		r, _, _ := rj.snapshot()
		if err := l.cfg.Store.Save(sctx, r); err != nil {
			l.dropGroup(gj)
			return discover.Group{}, fmt.Errorf("store a row of the new try-all: %w: %w", ErrNotStored, err)
		}
	}
	started, _, _ := gj.snapshot()
	if err := gs.SaveTryGroup(sctx, started); err != nil {
		l.dropGroup(gj)
		return discover.Group{}, fmt.Errorf("store the try-all %s: %w: %w", g.ID, ErrNotStored, err)
	}
	go l.runGroup(gj, gs)
	return started, nil
}

// newGroupJob makes the group's job and a queued job per combination, and
// registers them, so that the group and each row can be followed here.
func (l *Lifecycle) newGroupJob(g discover.Group, t target, combos []discover.Combo) *groupJob {
	gj := &groupJob{id: g.ID, target: t, combos: combos, changed: make(chan struct{})}
	gj.ctx, gj.cancel = context.WithCancel(l.ctx)
	g.Running = true
	for _, c := range combos {
		g.Matrix.Rows = append(g.Matrix.Rows, discover.Row{Port: c.Port, Security: c.Security})
		rj := &job{changed: make(chan struct{}), target: t, notify: gj.bump}
		rj.ctx, rj.cancel = context.WithCancel(gj.ctx)
		rj.result = probe.Result{
			ID:         NewID(),
			Status:     probe.StatusQueued,
			Kind:       probe.KindProbe,
			Settings:   probe.Settings{Host: g.Matrix.Host, Port: c.Port, Security: c.Security, Mech: probe.MechAuto},
			StartedAt:  g.StartedAt,
			Origin:     l.cfg.Origin,
			Findings:   []probe.Finding{},
			Steps:      []probe.Step{},
			Transcript: []probe.Line{},
		}
		g.IDs = append(g.IDs, rj.result.ID)
		gj.rows = append(gj.rows, rj)
	}
	gj.group = g
	l.mu.Lock()
	l.groups[g.ID] = gj
	for _, rj := range gj.rows {
		l.jobs[rj.result.ID] = rj
	}
	l.mu.Unlock()
	return gj
}

// dropGroup undoes newGroupJob and admit for a group that never ran.
func (l *Lifecycle) dropGroup(gj *groupJob) {
	gj.cancel()
	l.mu.Lock()
	delete(l.groups, gj.id)
	for _, rj := range gj.rows {
		delete(l.jobs, rj.result.ID)
	}
	l.mu.Unlock()
	l.release(gj.target, "")
}

// runGroup waits for the group's slot, runs every row at once, then stores
// the group with its best row and tells its watchers.
func (l *Lifecycle) runGroup(gj *groupJob, gs GroupStore) {
	g, _, _ := gj.snapshot()
	defer l.release(gj.target, "")
	defer gj.cancel()
	log := l.log.With("try_all", g.ID, "host", g.Matrix.Host)
	if l.acquireSlot(gj.ctx) {
		opts := gj.target.options(l.probeOptions())
		opts.TotalTimeout = min(opts.TotalTimeout, TryAllDeadline)
		var wg sync.WaitGroup
		for _, rj := range gj.rows {
			wg.Go(func() {
				defer rj.cancel()
				// No credentials: see tryall.go for why a try-all never
				// signs in.
				l.runProbe(rj, probe.Secret{}, opts, log.With("attempt", rj.id()))
			})
		}
		wg.Wait()
		<-l.sem
	} else {
		// Cancelled or shut down while waiting for a slot.
		for _, rj := range gj.rows {
			r, _, _ := rj.snapshot()
			l.finish(log, rj, r, true)
			rj.cancel()
		}
	}
	final := gj.final(l.ctx.Err() != nil)
	ctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
	defer cancel()
	if err := gs.SaveTryGroup(ctx, final); err != nil {
		// Its page still ends: a stored group whose rows have all ended
		// is read as finished (Group).
		log.Error("store the finished try-all", "err", err)
	}
	gj.finished(final)
	l.forgetGroup(gj)
	log.Info("try-all finished", "best", final.Matrix.Best)
}

// forgetGroup drops a finished group and its rows from memory: from now
// on they are read from the store. A row whose final write failed stays
// until keepSaving stores it.
func (l *Lifecycle) forgetGroup(gj *groupJob) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.groups, gj.id)
	for _, rj := range gj.rows {
		if id := rj.id(); l.jobs[id] == rj && rj.unsaved() == nil {
			delete(l.jobs, id)
		}
	}
}

// groupCombos are the combinations to try on host: those discovery named
// for it first, in its order, then the usual ones not named yet.
func groupCombos(d *discover.Discovery, host string, usual []discover.Combo) []discover.Combo {
	var out []discover.Combo
	if d != nil {
		for _, c := range d.Candidates {
			cb := discover.Combo{Port: c.Port, Security: c.Security}
			if c.Host == host && c.Submission && !slices.Contains(out, cb) {
				out = append(out, cb)
			}
		}
	}
	for _, c := range usual {
		if !slices.ContainsFunc(out, func(o discover.Combo) bool { return o.Port == c.Port }) {
			out = append(out, c)
		}
	}
	return out
}
