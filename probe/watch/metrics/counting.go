package metrics

import (
	"context"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
)

// Counting wraps the lifecycle's store so that every attempt is counted
// once, when it is saved finished: every kind goes through the lifecycle's
// Save, so no caller has to remember to count. (A wait that ran out stores
// the unfinished attempt with CreateIfAbsent, then Save stores it finished:
// still one count.)
func (m *Metrics) Counting(st attempt.Store) attempt.Store { return countingStore{st, m} }

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
