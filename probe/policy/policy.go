// Package policy decides which targets the dashboard may probe, so that it
// cannot be used to reach what it should not (server-side request forgery):
// this machine itself, link-local networks and the cloud metadata service,
// addresses the IANA special-purpose registries say are not globally
// reachable, and services on ports that are not mail submission. The port is
// checked while validating what was typed (CheckPort); addresses are checked
// by the probe on the very IP it is about to dial (CheckAddr, given as
// probe.Options.Policy), so a name that resolves differently the second time
// (DNS rebinding) cannot slip past. IPv6 addresses that carry an IPv4
// address inside (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged by
// the IPv4 address too, because that is where the packets end up.
//
// The package knows no HTTP; the dashboard, the lifecycle and the monitors'
// webhooks all ask the same Policy.
package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Config is what the operator widened or narrowed. The zero value is the
// default policy.
type Config struct {
	// AllowTargets are address ranges allowed even though the default
	// policy refuses them (loopback, link-local, special-purpose...).
	AllowTargets []netip.Prefix
	// AllowAll turns the address checks off (ports are still checked).
	AllowAll bool
	// Ports are the ports probes may use; nil means DefaultPorts.
	Ports PortSet
	// DenyPrivate refuses private ranges too (RFC 1918, fc00::/7 and the
	// shared address space 100.64.0.0/10), which are allowed by default
	// so that an office relay can be tested.
	DenyPrivate bool
	// Sandbox reports whether an address is the built-in sandbox, which
	// lives on loopback and is always allowed while it runs. Nil when off.
	Sandbox func(netip.AddrPort) bool
}

// Policy answers whether a target may be probed. It is immutable and safe
// for concurrent use.
type Policy struct {
	cfg Config
}

// New returns the policy for cfg. Port ranges are assumed valid
// (ParsePortSet makes them so); an invalid one never matches.
func New(cfg Config) *Policy {
	cfg.AllowTargets = slices.Clone(cfg.AllowTargets)
	cfg.Ports = slices.Clone(cfg.Ports)
	return &Policy{cfg: cfg}
}

// Ports is the set of allowed ports.
func (p *Policy) Ports() PortSet { return p.cfg.Ports }

// CheckPort refuses ports outside the allowed set, saying how to widen it.
// The sandbox's addresses are exempt: they live on whatever port the
// sandbox got.
func (p *Policy) CheckPort(host string, port int) error {
	if p.cfg.Ports.Contains(port) || p.IsSandbox(host, port) {
		return nil
	}
	return fmt.Errorf("port %d is not allowed by this dashboard's target policy (allowed: %s); "+
		"an operator can allow it by starting smtpdoctor with --allow-ports %s,%d",
		port, p.cfg.Ports, p.cfg.Ports, port)
}

// IsSandbox reports whether host:port, as typed, is the built-in sandbox.
func (p *Policy) IsSandbox(host string, port int) bool {
	if p.cfg.Sandbox == nil || port < 1 || port > 65535 {
		return false
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		addrs = append(addrs, a)
	} else if strings.EqualFold(host, "localhost") {
		addrs = append(addrs, netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback())
	}
	return slices.ContainsFunc(addrs, func(a netip.Addr) bool {
		return p.cfg.Sandbox(netip.AddrPortFrom(a, uint16(port)))
	})
}

// CheckAddr is asked about every address right before it is dialled. The
// error text ends up in the result and on the page, so it says what was
// refused, why, and how an operator allows it.
func (p *Policy) CheckAddr(ap netip.AddrPort) error {
	a := ap.Addr().Unmap().WithZone("")
	ap = netip.AddrPortFrom(a, ap.Port())
	if p.cfg.Sandbox != nil && p.cfg.Sandbox(ap) {
		return nil
	}
	if !p.cfg.Ports.Contains(int(ap.Port())) {
		return p.CheckPort(a.String(), int(ap.Port()))
	}
	if p.cfg.AllowAll {
		return nil
	}
	if why := p.refusal(a); why != "" {
		return refused(ap, a, why)
	}
	// The packets of a NAT64 or 6to4 address go to the IPv4 address
	// inside it: 64:ff9b::7f00:1 is 127.0.0.1 once translated.
	if v4, how, ok := EmbeddedIPv4(a); ok {
		if why := p.refusal(v4); why != "" {
			return refused(ap, v4, fmt.Sprintf("%s carrying %s, which is %s", how, v4, why))
		}
	}
	return nil
}

// refusal says why a is refused, or "" when it is allowed.
func (p *Policy) refusal(a netip.Addr) string {
	if slices.ContainsFunc(p.cfg.AllowTargets, func(pf netip.Prefix) bool { return pf.Contains(a) }) {
		return ""
	}
	b, ok := lookup(a)
	switch {
	case !ok, b.kind == reachable:
		return ""
	case b.kind == private && !p.cfg.DenyPrivate:
		return ""
	case b.kind == private:
		return b.name + ", and this dashboard is set to refuse private networks"
	}
	return b.name
}

// refused is the error for ap; allow is the address an operator would
// allow to change the answer (the dialled one, or the IPv4 address inside).
func refused(ap netip.AddrPort, allow netip.Addr, why string) error {
	return fmt.Errorf("%s is %s; this dashboard's target policy refuses it. "+
		"An operator can allow it by starting smtpdoctor with --allow-targets %s",
		ap, why, netip.PrefixFrom(allow, allow.BitLen()))
}
