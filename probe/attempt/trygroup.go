package attempt

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/discover"
)

// GroupStore is a Store that also keeps try-all groups, so that a try-all
// has a permalink of its own that survives a restart. Package store's
// *Store is one.
type GroupStore interface {
	SaveTryGroup(ctx context.Context, g discover.Group) error
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

// TryAllGroup runs a try-all as one admitted job, like TryAll, and keeps
// it as a group with a new id. The combinations discovery found on the
// host (a provider's 465, an SRV record's port) are tried first, then the
// usual ones. It fails like TryAll; the group is not kept then.
func (l *Lifecycle) TryAllGroup(ctx context.Context, req TryAllRequest) (discover.Group, error) {
	gs, ok := l.cfg.Store.(GroupStore)
	if !ok {
		return discover.Group{}, ErrNoGroupStore
	}
	g := discover.Group{ID: NewID(), StartedAt: time.Now().UTC(), Input: req.Input, Discovery: req.Discovery,
		Matrix: discover.Matrix{Host: req.Host, Best: -1}}
	if req.Host != "" {
		usual := l.cfg.TryCombos
		if req.Combos != nil {
			usual = req.Combos
		}
		res, err := l.tryAll(ctx, req.Host, groupCombos(req.Discovery, req.Host, usual))
		if err != nil {
			return discover.Group{}, err
		}
		g.Matrix, g.IDs = res.Matrix, res.IDs
		g.Interrupted = l.ctx.Err() != nil
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	if err := gs.SaveTryGroup(sctx, g); err != nil {
		return g, fmt.Errorf("store the try-all %s: %w", g.ID, err)
	}
	return g, nil
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
