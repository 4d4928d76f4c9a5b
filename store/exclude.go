package store

import (
	"context"
	"fmt"
)

// countExcluding counts f without its excluded servers: the counts of
// everything, less those of each excluded server. Each part is read from
// the daily tables as any count is, so leaving out the sandbox costs a few
// lookups rather than a walk of every attempt. The excluded servers must
// be distinct.
func (s *Store) countExcluding(ctx context.Context, f Filter) (Counts, error) {
	ex := f.Exclude
	f.Exclude = nil
	c, err := s.Count(ctx, f)
	if err != nil || c.Capped {
		return c, err
	}
	for _, t := range ex {
		g := f
		g.Host, g.Port = t.Host, t.Port
		sub, err := s.Count(ctx, g)
		if err != nil {
			return c, fmt.Errorf("store: count without %s:%d: %w", t.Host, t.Port, err)
		}
		c.Total -= sub.Total
		for o, n := range sub.ByOutcome {
			c.ByOutcome[o] -= n
		}
		for code, n := range sub.ByCode {
			if c.ByCode[code] -= n; c.ByCode[code] <= 0 {
				delete(c.ByCode, code)
			}
		}
	}
	return c, nil
}
