package attempt

import (
	"context"
	"sync"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
)

// groupJob is a try-all in flight in this process: its rows' jobs, and a
// broadcast channel closed (and replaced) whenever a row changes or the
// group ends, for live pages, as job's is for one attempt.
type groupJob struct {
	id     string
	target target
	combos []discover.Combo
	rows   []*job
	// ctx is the parent of every row's; cancel stops the whole group,
	// the wait for its slot included.
	ctx    context.Context
	cancel context.CancelFunc

	mu sync.Mutex
	// group is the group as started, then as finished.
	group     discover.Group
	changed   chan struct{}
	done      bool
	cancelled bool
}

// bump tells the group's watchers that something changed.
func (gj *groupJob) bump() {
	gj.mu.Lock()
	defer gj.mu.Unlock()
	close(gj.changed)
	gj.changed = make(chan struct{})
}

// snapshot is the group as it is now: a finished row summed up, a row
// still queued or running with its attempt's progress in Result.
func (gj *groupJob) snapshot() (discover.Group, <-chan struct{}, bool) {
	gj.mu.Lock()
	g, changed, done := gj.group, gj.changed, gj.done
	gj.mu.Unlock()
	if done {
		return g, changed, true
	}
	// The channel was taken first: a row that changes after it is read
	// below still wakes the watcher.
	g.Matrix.Rows = make([]discover.Row, len(gj.rows))
	for i, rj := range gj.rows {
		r, _, ended := rj.snapshot()
		if ended {
			g.Matrix.Rows[i] = discover.RowOf(gj.combos[i], r)
		} else {
			g.Matrix.Rows[i] = discover.Row{Port: gj.combos[i].Port, Security: gj.combos[i].Security, Result: r}
		}
	}
	return g, changed, false
}

// final is the group once every row has ended.
func (gj *groupJob) final(interrupted bool) discover.Group {
	g, _, _ := gj.snapshot()
	g.Running = false
	g.Matrix.Best = discover.BestRow(g.Matrix.Rows)
	g.Interrupted = interrupted
	gj.mu.Lock()
	g.Cancelled = gj.cancelled
	gj.mu.Unlock()
	return g
}

func (gj *groupJob) finished(g discover.Group) {
	gj.mu.Lock()
	defer gj.mu.Unlock()
	gj.group = g
	gj.done = true
	close(gj.changed)
	gj.changed = make(chan struct{})
}

func (l *Lifecycle) lookupGroup(id string) *groupJob {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.groups[id]
}

// LiveGroup follows one try-all running in this process, for live pages.
// It stays readable after the group ends: its last snapshot is the group
// as stored.
type LiveGroup struct{ gj *groupJob }

// Snapshot returns the group as it is now (a row still running carries its
// attempt's progress in Result), a channel closed at its next change, and
// whether it has finished.
func (v *LiveGroup) Snapshot() (g discover.Group, changed <-chan struct{}, done bool) {
	return v.gj.snapshot()
}

// WatchGroup follows a try-all running in this process; nil when it does
// not run here (finished before, or run by another replica): read it with
// Group.
func (l *Lifecycle) WatchGroup(id string) *LiveGroup {
	gj := l.lookupGroup(id)
	if gj == nil {
		return nil
	}
	return &LiveGroup{gj}
}

// CancelGroup stops a try-all running in this process, every row at once,
// as Cancel stops one attempt: rows that ended are kept as they are, the
// others are saved as cancelled with the steps they finished, and the
// group ends with what it has. It returns ErrNotRunning when there is
// nothing to stop.
func (l *Lifecycle) CancelGroup(id string) error {
	gj := l.lookupGroup(id)
	if gj == nil {
		return ErrNotRunning
	}
	gj.mu.Lock()
	if gj.done {
		gj.mu.Unlock()
		return ErrNotRunning
	}
	gj.cancelled = true
	gj.mu.Unlock()
	for _, rj := range gj.rows {
		// A row that has ended is not running: nothing to do for it.
		_ = l.Cancel(rj.id())
	}
	gj.cancel()
	return nil
}

// Group returns the try-all with this id as it is now: live when it runs
// in this process, else as stored. A stored group still running (on
// another replica sharing the store) has its rows read from their
// attempts, which that replica keeps writing. The store's not-found error
// comes back wrapped.
func (l *Lifecycle) Group(ctx context.Context, id string) (discover.Group, error) {
	if gj := l.lookupGroup(id); gj != nil {
		g, _, _ := gj.snapshot()
		return g, nil
	}
	gs := l.cfg.Groups
	if gs == nil {
		return discover.Group{}, ErrNoGroupStore
	}
	g, err := gs.TryGroup(ctx, id)
	if err != nil || !g.Running {
		return g, err
	}
	return l.runningElsewhere(ctx, g)
}

// runningElsewhere fills in the rows of a stored running group from their
// attempts. When every row has ended the group is over, even if it was
// never stored as finished: the replica that ran it stopped first (its
// attempts were then marked interrupted) or could not write the end. It
// is then summed up from its rows as the replica would have.
func (l *Lifecycle) runningElsewhere(ctx context.Context, g discover.Group) (discover.Group, error) {
	live := false
	rows := make([]discover.Row, len(g.Matrix.Rows))
	for i, row := range g.Matrix.Rows {
		rows[i] = row
		if i >= len(g.IDs) || g.IDs[i] == "" {
			continue
		}
		r, err := l.Get(ctx, g.IDs[i])
		if err != nil {
			return g, err
		}
		if IsLive(r) {
			live = true
			rows[i].Result = r
			continue
		}
		rows[i] = discover.RowOf(discover.Combo{Port: row.Port, Security: row.Security}, r)
		if r.Status == probe.StatusInterrupted {
			if r.Diagnosis != nil && r.Diagnosis.Code == probe.CodeProbeCancelled {
				g.Cancelled = true
			} else {
				g.Interrupted = true
			}
		}
	}
	g.Matrix.Rows = rows
	if live {
		g.Cancelled, g.Interrupted = false, false
		return g, nil
	}
	g.Running = false
	g.Matrix.Best = discover.BestRow(rows)
	return g, nil
}

// FollowGroup watches a try-all that does not run in this process, for
// live pages: the channel signals each time the group or one of its rows
// may have changed (re-read it with Group), and closes when ctx ends. ok
// is false when the store is not shared: a group not running here then
// cannot change any more.
func (l *Lifecycle) FollowGroup(ctx context.Context, g discover.Group) (changes <-chan struct{}, ok bool) {
	sh, shared := l.shared()
	if !shared {
		return nil, false
	}
	out := make(chan struct{}, 1)
	var wg sync.WaitGroup
	for _, id := range append([]string{g.ID}, g.IDs...) {
		if id == "" {
			continue
		}
		in := sh.Watch(ctx, id)
		wg.Go(func() {
			for range in {
				select {
				case out <- struct{}{}:
				default: // a wake-up is pending already
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out, true
}

// WaitGroup blocks until the try-all finishes or ctx ends, and returns its
// latest state and whether it has finished. A group running on another
// replica is followed through the shared store.
func (l *Lifecycle) WaitGroup(ctx context.Context, id string) (discover.Group, bool, error) {
	if gj := l.lookupGroup(id); gj != nil {
		for {
			g, changed, done := gj.snapshot()
			if done {
				return g, true, nil
			}
			select {
			case <-ctx.Done():
				return g, false, nil
			case <-changed:
			}
		}
	}
	g, err := l.Group(ctx, id)
	if err != nil || !g.Running {
		return g, err == nil, err
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changes, ok := l.FollowGroup(wctx, g)
	if !ok {
		return g, false, nil
	}
	for {
		// Read after watching, so a change between the two is not missed.
		cur, err := l.Group(ctx, id)
		if err != nil {
			return g, false, err
		}
		if g = cur; !g.Running {
			return g, true, nil
		}
		select {
		case <-ctx.Done():
			return g, false, nil
		case <-changes:
		}
	}
}
