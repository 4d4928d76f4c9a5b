package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// heldLeases are the places (limits.go) this replica holds, for its
// heartbeat to renew. Only places not yet released are renewed: one whose
// release failed to reach the database still frees itself at its ttl.
type heldLeases struct {
	mu  sync.Mutex
	ttl map[leaseKey]time.Duration
}

type leaseKey struct {
	key  string
	slot int
}

func (h *heldLeases) add(key string, slot int, ttl time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ttl == nil {
		h.ttl = map[leaseKey]time.Duration{}
	}
	h.ttl[leaseKey{key, slot}] = ttl
}

func (h *heldLeases) forget(key string, slot int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.ttl, leaseKey{key, slot})
}

// renewChunk bounds the places renewed by one statement (three parameters
// each, well under either database's limit).
const renewChunk = 200

// renew moves the expiry of every place held to its ttl from now, by the
// database's clock. A place another replica freed meanwhile (this one was
// declared gone) is not taken back: the UPDATE finds no row.
func (h *heldLeases) renew(ctx context.Context, s *Store) error {
	h.mu.Lock()
	keys := make([]leaseKey, 0, len(h.ttl))
	ttls := make([]time.Duration, 0, len(h.ttl))
	for k, ttl := range h.ttl {
		keys = append(keys, k)
		ttls = append(ttls, ttl)
	}
	h.mu.Unlock()
	for start := 0; start < len(keys); start += renewChunk {
		end := min(start+renewChunk, len(keys))
		rows := make([]string, 0, end-start)
		args := make([]any, 0, 3*(end-start)+1)
		for i := start; i < end; i++ {
			// The casts type the parameters for PostgreSQL, which
			// would read a bare parameter in VALUES as text.
			rows = append(rows, `(?, CAST(? AS INTEGER), CAST(? AS BIGINT))`)
			args = append(args, keys[i].key, keys[i].slot, ttls[i].Milliseconds())
		}
		args = append(args, s.owner)
		// VALUES names its columns column1, column2, ... in both
		// databases.
		if _, err := s.write.ExecContext(ctx, `UPDATE leases SET expires_at = `+s.d.nowMS()+` + v.column3
			FROM (VALUES `+strings.Join(rows, ", ")+`) AS v
			WHERE leases.key = v.column1 AND leases.slot = v.column2 AND leases.holder = ?`, args...); err != nil {
			return fmt.Errorf("renew the places this replica holds: %w", err)
		}
	}
	return nil
}
