package store

import (
	"context"
	"sync"
)

// Watch returns a channel that receives a value whenever the attempt id
// may have changed: written by this process, or, on PostgreSQL, by any
// replica sharing the database (announced with NOTIFY, received with
// LISTEN). A page open on one replica thereby follows a probe that another
// runs. The channel holds at most one pending signal (several writes in
// quick succession may wake the watcher once), so a watcher re-reads the
// attempt with Get after each wake-up rather than counting them. It is
// closed when ctx ends.
func (s *Store) Watch(ctx context.Context, id string) <-chan struct{} {
	return s.changes.watch(ctx, id)
}

// hub fans attempt changes out to watchers.
type hub struct {
	mu       sync.Mutex
	watchers map[string]map[chan struct{}]struct{}
}

func newHub() *hub {
	return &hub{watchers: map[string]map[chan struct{}]struct{}{}}
}

func (h *hub) watch(ctx context.Context, id string) <-chan struct{} {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.watchers[id] == nil {
		h.watchers[id] = map[chan struct{}]struct{}{}
	}
	h.watchers[id][ch] = struct{}{}
	h.mu.Unlock()
	context.AfterFunc(ctx, func() {
		h.mu.Lock()
		delete(h.watchers[id], ch)
		if len(h.watchers[id]) == 0 {
			delete(h.watchers, id)
		}
		h.mu.Unlock()
		close(ch)
	})
	return ch
}

// signal wakes the watchers of ids, without waiting for any of them.
func (h *hub) signal(ids ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		for ch := range h.watchers[id] {
			select {
			case ch <- struct{}{}:
			default: // a wake-up is pending already
			}
		}
	}
}

// signalAll wakes every watcher: after a gap in which changes may have
// been missed.
func (h *hub) signalAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, chans := range h.watchers {
		for ch := range chans {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}
