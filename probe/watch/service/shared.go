package service

import (
	"context"
	"errors"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

// Several replicas may share one database (PostgreSQL). Each then runs
// the same Service over the same monitors, and two things keep them one
// dashboard: every due run is claimed in the database before it runs (the
// monitor's stored next run moves forward in one statement, so exactly one
// replica runs it, and so alerts for what it finds go out once), and each
// replica re-reads the monitors now and then, so that one created, edited
// or deleted through another replica is run, changed or dropped here too,
// and the state a run starts from is the one the last run stored, whoever
// ran it.

// SharedStore is a Store that other replicas share (package store's
// *Store on PostgreSQL).
type SharedStore interface {
	Store
	// Shared reports whether other replicas use the same database.
	Shared() bool
	// ClaimMonitorRun moves the monitor's stored next run from a time at
	// or before now to next, and reports whether this call did; if not,
	// stored is the next run another replica set.
	ClaimMonitorRun(ctx context.Context, id string, now, next time.Time) (claimed bool, stored time.Time, err error)
}

// A claim moves the stored next run at least claimAheadTenths of an
// interval ahead, and the run it claimed must begin within
// startWithinTenths (attempt.Request.StartBy) or is skipped. So the next
// claim, by any replica, comes at least 0.9 of an interval after this one,
// this run began at most 0.4 after it, and two runs of one monitor are
// always at least half an interval apart, however slow the machine or the
// database is.
const (
	claimAheadTenths  = 9
	startWithinTenths = 4
)

// syncEvery is how often a replica re-reads the monitors from a shared
// store.
const syncEvery = 15 * time.Second

func (s *Service) shared() (SharedStore, bool) {
	sh, ok := s.cfg.Store.(SharedStore)
	return sh, ok && sh.Shared()
}

// claim decides whether this replica runs monitor m's due run. When it
// does, it returns the monitor as stored (its state as the last run left
// it, on whichever replica). When another replica claimed the run, it
// follows that replica's schedule and returns false.
func (s *Service) claim(ctx context.Context, e *entry, m watch.Monitor) (watch.Monitor, bool) {
	sh, ok := s.shared()
	if !ok {
		return m, true
	}
	next, _ := s.sched.Due(m.ID) // fire set it already
	// A replica that fires late (a restart, a stale schedule after a
	// re-read) has a next run at or before now: claiming with it would leave
	// the run due at once for every other replica, which would run it
	// again. The claim always moves the run most of an interval ahead.
	now := time.Now()
	next = later(next, now.Add(m.WithDefaults().Interval*claimAheadTenths/10))
	claimed, stored, err := sh.ClaimMonitorRun(ctx, m.ID, now, next)
	if err != nil {
		s.log.Error("monitor: claim its run", "monitor", m.ID, "error", err)
		return m, false
	}
	if !claimed {
		// Run by another replica; run next when it set.
		s.sched.Set(m.ID, later(stored, time.Now().Add(time.Second)))
		return m, false
	}
	fresh, err := sh.GetMonitor(ctx, m.ID)
	if err != nil {
		s.log.Error("monitor: read its stored state", "monitor", m.ID, "error", err)
		return m, true
	}
	fresh = fresh.WithDefaults()
	fresh.NextRunAt = next
	s.mu.Lock()
	e.m = fresh
	e.sortName = newEntry(fresh).sortName
	s.mu.Unlock()
	return fresh, true
}

// syncLoop re-reads the monitors from a shared store every syncEvery.
func (s *Service) syncLoop(ctx context.Context) {
	t := time.NewTicker(syncEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.sync(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Error("monitor: re-read the monitors other replicas share", "error", err)
		}
	}
}

// sync brings this replica's monitors in line with the store: new ones
// are scheduled at their stored next run, deleted ones dropped, and the
// others take their stored settings, state and next run (unless running
// here now: their run will store them).
func (s *Service) sync(ctx context.Context) error {
	ms, err := s.cfg.Store.Monitors(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	seen := make(map[string]bool, len(ms))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range ms {
		m = m.WithDefaults()
		seen[m.ID] = true
		e := s.monitors[m.ID]
		if e != nil && e.running {
			continue
		}
		if e == nil {
			s.monitors[m.ID] = newEntry(m)
		} else {
			e.m, e.sortName = m, newEntry(m).sortName
		}
		s.sched.Set(m.ID, later(m.NextRunAt, now))
	}
	for id, e := range s.monitors {
		if !seen[id] && !e.running {
			delete(s.monitors, id)
			s.sched.Remove(id)
		}
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
