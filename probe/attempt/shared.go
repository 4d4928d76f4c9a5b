package attempt

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// SharedStore is a Store that several replicas share (package store's
// *Store on PostgreSQL). With one, the per-target bound counts the probes
// of every replica, not only this one's, and attempts running on another
// replica can be followed through the store.
type SharedStore interface {
	Store
	// Shared reports whether other replicas use the same database.
	Shared() bool
	// HoldPlace takes one of limit places under key, or reports ok
	// false when all are held; a place held past ttl (its holder died)
	// is free again.
	HoldPlace(ctx context.Context, key string, limit int, ttl time.Duration) (release func(context.Context) error, ok bool, err error)
	// Watch signals whenever the attempt id may have changed, written by
	// any replica, until ctx ends.
	Watch(ctx context.Context, id string) <-chan struct{}
}

// shared is the store as a SharedStore, when other replicas share it.
func (l *Lifecycle) shared() (SharedStore, bool) {
	s, ok := l.cfg.Store.(SharedStore)
	return s, ok && s.Shared()
}

// sharedTimeout bounds one exchange with the shared store about places.
const sharedTimeout = 5 * time.Second

// holdShared takes one of the target's places under each of its keys in
// the shared store, on top of this replica's own count (admitHere): all of
// them, or none. The store renews the places while this replica lives, and
// frees them when another replica declares this one gone (a crash); the
// ttl, longer than any probe, a try-all's included, is the last resort
// when no replica is left to notice.
func (l *Lifecycle) holdShared(t target) error {
	sh, ok := l.shared()
	if !ok || l.cfg.PerTarget == Unlimited {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	ttl := max(10*time.Minute, 5*l.cfg.TotalTimeout)
	var held []func(context.Context) error
	giveBack := func() {
		for _, release := range held {
			release(ctx)
		}
	}
	for _, k := range t.keys {
		release, ok, err := sh.HoldPlace(ctx, "per-target:"+k, l.cfg.PerTarget, ttl)
		if err != nil {
			giveBack()
			return fmt.Errorf("count the tests of %s across replicas: %w", t.name, err)
		}
		if !ok {
			giveBack()
			what := t.name
			if k != strings.ToLower(t.name) {
				what += " (" + k + ")"
			}
			return &CapacityError{
				Msg:        fmt.Sprintf("%d tests of %s are already running on this dashboard's replicas, as many as it allows at once per server; try again when they finish", l.cfg.PerTarget, what),
				RetryAfter: 5 * time.Second,
			}
		}
		held = append(held, release)
	}
	l.mu.Lock()
	for i, k := range t.keys {
		l.holds[k] = append(l.holds[k], held[i])
	}
	l.mu.Unlock()
	return nil
}

// releaseShared gives back one of the target's shared places under each
// of its keys. The places of one key are alike, so any of this replica's
// will do.
func (l *Lifecycle) releaseShared(t target) {
	var releases []func(context.Context) error
	l.mu.Lock()
	for _, k := range t.keys {
		hs := l.holds[k]
		if len(hs) == 0 {
			continue
		}
		releases = append(releases, hs[len(hs)-1])
		if l.holds[k] = hs[:len(hs)-1]; len(l.holds[k]) == 0 {
			delete(l.holds, k)
		}
	}
	l.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	for _, release := range releases {
		if err := release(ctx); err != nil {
			// The place frees itself when its ttl runs out.
			l.log.Warn("give back a shared per-target place", "target", t.name, "err", err)
		}
	}
}

// waitStored waits for an attempt that runs on another replica, through
// the shared store, until it finishes or ctx ends.
func (l *Lifecycle) waitStored(ctx context.Context, id string, r probe.Result) (probe.Result, bool, error) {
	sh, ok := l.shared()
	if !ok || !IsLive(r) {
		return r, !IsLive(r), nil
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changed := sh.Watch(wctx, id)
	for {
		// Read after watching, so a change between the two is not missed.
		cur, err := l.stored(ctx, id)
		if err != nil {
			return r, false, err
		}
		if !IsLive(cur) {
			return cur, true, nil
		}
		r = cur
		select {
		case <-ctx.Done():
			return r, false, nil
		case <-changed:
		}
	}
}

// Follow watches an attempt that does not run in this process, for live
// pages: the channel signals each time it may have changed (re-read it
// with Get), and closes when ctx ends. ok is false when the store is not
// shared: an attempt not running here then cannot change any more.
func (l *Lifecycle) Follow(ctx context.Context, id string) (changes <-chan struct{}, ok bool) {
	sh, shared := l.shared()
	if !shared {
		return nil, false
	}
	return sh.Watch(ctx, id), true
}
