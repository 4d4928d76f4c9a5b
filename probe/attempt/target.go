package attempt

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// PerTarget protects a server from being hammered (providers lock an
// account after repeated failed logins), so it counts servers, not
// spellings: 127.0.0.1, ::ffff:127.0.0.1 and localhost are one target. A
// target is counted under its name and under every address the name
// resolves to, and admission needs a free place under each. The name is
// resolved once, at admission, and the probe is given that very answer
// (a pinned resolver), so a name that resolves one way for admission and
// another way for the dial (DNS rebinding) cannot slip past the count.

// target is a host as admission counts it.
type target struct {
	name string   // as typed, for messages
	keys []string // the name, lower case, and each address
	// pin, when set, answers the probe's lookup of the name with the
	// lookup admission made; nil for an address literal.
	pin *pinnedResolver
}

// resolveTarget looks host up for admission. A failed lookup still yields
// a target (counted by its name); the probe then reports that same failure.
func (l *Lifecycle) resolveTarget(ctx context.Context, host string) target {
	t := target{name: host}
	name := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if a, err := netip.ParseAddr(strings.Trim(name, "[]")); err == nil {
		t.keys = []string{a.Unmap().WithZone("").String()}
		return t
	}
	t.keys = []string{name}
	// The lookup outlives a client that hangs up, as the attempt does,
	// and takes no longer than the probe's own would.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.cfg.StepTimeout)
	defer cancel()
	addrs, err := l.resolver().LookupNetIP(lctx, "ip", name)
	t.pin = &pinnedResolver{name: name, addrs: addrs, err: err, next: l.resolver()}
	for _, a := range addrs {
		if k := a.Unmap().WithZone("").String(); !slices.Contains(t.keys, k) {
			t.keys = append(t.keys, k)
		}
	}
	return t
}

func (l *Lifecycle) resolver() probe.Resolver {
	if l.cfg.Resolver != nil {
		return l.cfg.Resolver
	}
	return net.DefaultResolver
}

// pinnedResolver answers a lookup of the name (in any case, with or
// without the final dot) with the answer admission got, and asks next
// about any other name.
type pinnedResolver struct {
	name  string
	addrs []netip.Addr
	err   error
	next  probe.Resolver
}

func (p *pinnedResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if strings.TrimSuffix(strings.ToLower(host), ".") != p.name || network != "ip" {
		return p.next.LookupNetIP(ctx, network, host)
	}
	return slices.Clone(p.addrs), p.err
}

// options are the probe options for an attempt of t.
func (t target) options(o probe.Options) probe.Options {
	if t.pin != nil {
		o.Resolver = t.pin
	}
	return o
}
