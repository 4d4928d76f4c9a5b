package metrics

import (
	"context"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
)

// Counting wraps the lifecycle's store so that every attempt is counted
// once, when it is saved finished: every kind goes through the lifecycle's
// Save, so no caller has to remember to count. (A wait that ran out stores
// the unfinished attempt with CreateIfAbsent, then Save stores it finished:
// still one count.)
func (m *Metrics) Counting(st attempt.Store) attempt.Store {
	c := countingStore{st, m}
	if sh, ok := st.(attempt.SharedStore); ok {
		return sharedCountingStore{c, sh}
	}
	return c
}

type countingStore struct {
	attempt.Store
	m *Metrics
}

func (c countingStore) Save(ctx context.Context, r probe.Result) error {
	err := c.Store.Save(ctx, r)
	if err == nil && (r.Status == probe.StatusDone || r.Status == probe.StatusInterrupted) {
		c.m.CountAttempt(string(r.Kind), r)
	}
	return err
}

// sharedCountingStore is countingStore over a store that other replicas
// share: it keeps what the lifecycle needs of such a store (places under
// the per-target bound, following other replicas' attempts), which
// wrapping would otherwise hide.
type sharedCountingStore struct {
	countingStore
	shared attempt.SharedStore
}

func (s sharedCountingStore) Shared() bool { return s.shared.Shared() }

func (s sharedCountingStore) HoldPlace(ctx context.Context, key string, limit int, ttl time.Duration) (func(context.Context) error, bool, error) {
	return s.shared.HoldPlace(ctx, key, limit, ttl)
}

func (s sharedCountingStore) Watch(ctx context.Context, id string) <-chan struct{} {
	return s.shared.Watch(ctx, id)
}
