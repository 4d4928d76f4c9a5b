package web

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// The target policy keeps the dashboard from being used to reach what it
// should not (server-side request forgery): this machine itself, link-local networks and
// the cloud metadata service, and services on ports that are not mail
// submission. The port is checked while validating the form; addresses are
// checked by the probe on the very IP it is about to dial
// (probe.Options.Policy), so a name that resolves differently the second
// time (DNS rebinding) cannot slip past.

// DefaultPorts are the SMTP ports the dashboard probes unless widened:
// 25 (relay, RFC 5321), 465 (implicit TLS, RFC 8314), 587 (submission,
// RFC 6409) and 2525 (a common alternative).
var DefaultPorts = PortSet{{25, 25}, {465, 465}, {587, 587}, {2525, 2525}}

// PortSet is a set of TCP ports as inclusive ranges. The zero value means
// DefaultPorts.
type PortSet [][2]int

// ParsePortSet reads "25,465,587,2525" or "1-65535" or a mix.
func ParsePortSet(s string) (PortSet, error) {
	var ps PortSet
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil || a < 1 || a > 65535 {
			return nil, fmt.Errorf("port %q: want a number from 1 to 65535", lo)
		}
		b := a
		if isRange {
			b, err = strconv.Atoi(strings.TrimSpace(hi))
			if err != nil || b < a || b > 65535 {
				return nil, fmt.Errorf("port range %q: want LOW-HIGH within 1-65535", part)
			}
		}
		ps = append(ps, [2]int{a, b})
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("no ports in %q", s)
	}
	return ps, nil
}

// Contains reports whether port is in the set.
func (ps PortSet) Contains(port int) bool {
	if len(ps) == 0 {
		ps = DefaultPorts
	}
	for _, r := range ps {
		if port >= r[0] && port <= r[1] {
			return true
		}
	}
	return false
}

func (ps PortSet) String() string {
	if len(ps) == 0 {
		ps = DefaultPorts
	}
	var parts []string
	for _, r := range ps {
		if r[0] == r[1] {
			parts = append(parts, strconv.Itoa(r[0]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", r[0], r[1]))
		}
	}
	return strings.Join(parts, ",")
}

// Cloud metadata services. 169.254.169.254 is link-local and refused
// anyway; AWS's IPv6 endpoint sits in the unique-local range, which is
// otherwise treated as private and allowed, so it is named here.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"),
	netip.MustParseAddr("fd00:ec2::254"),
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
}

// targetPolicy decides which targets a probe may reach.
type targetPolicy struct {
	allow       []netip.Prefix
	allowAll    bool
	ports       PortSet
	denyPrivate bool
	// sandbox reports whether an address is the built-in sandbox, which is
	// on loopback and always allowed while it runs. Nil when it is off.
	sandbox func(netip.AddrPort) bool
}

// checkPort refuses ports outside the allowed set, saying how to widen it.
// Sandbox addresses are exempt: they live on whatever port the sandbox got.
func (p *targetPolicy) checkPort(host string, port int) error {
	if p.ports.Contains(port) || p.isSandboxHost(host, port) {
		return nil
	}
	return fmt.Errorf("port %d is not allowed by this dashboard's target policy (allowed: %s); "+
		"an operator can allow it by starting smtpdoctor with --allow-ports %s,%d",
		port, p.ports, p.ports, port)
}

func (p *targetPolicy) isSandboxHost(host string, port int) bool {
	if p.sandbox == nil || port < 1 || port > 65535 {
		return false
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		addrs = append(addrs, a)
	} else if strings.EqualFold(host, "localhost") {
		addrs = append(addrs, netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback())
	}
	return slices.ContainsFunc(addrs, func(a netip.Addr) bool {
		return p.sandbox(netip.AddrPortFrom(a, uint16(port)))
	})
}

// checkAddr is probe.Options.Policy: it is asked about every address right
// before it is dialled. The error text ends up in the result and on the
// page, so it says what was refused, why, and how an operator allows it.
func (p *targetPolicy) checkAddr(ap netip.AddrPort) error {
	a := ap.Addr().Unmap()
	ap = netip.AddrPortFrom(a, ap.Port())
	if p.sandbox != nil && p.sandbox(ap) {
		return nil
	}
	if !p.ports.Contains(int(ap.Port())) {
		return p.checkPort(a.String(), int(ap.Port()))
	}
	if p.allowAll || slices.ContainsFunc(p.allow, func(pf netip.Prefix) bool { return pf.Contains(a) }) {
		return nil
	}
	why := ""
	switch {
	case slices.Contains(metadataAddrs, a):
		why = "a cloud metadata service"
	case a.IsLoopback():
		why = "a loopback address (this machine)"
	case a.IsUnspecified(), a.Is4() && a.As4()[0] == 0:
		why = "an unspecified address"
	case a.IsLinkLocalUnicast():
		why = "a link-local address"
	case a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		why = "a multicast or broadcast address"
	case p.denyPrivate && (a.IsPrivate() || cgnat.Contains(a)):
		why = "a private network address, and this dashboard is set to refuse those"
	}
	if why == "" {
		return nil
	}
	bits := 32
	if a.Is6() {
		bits = 128
	}
	return fmt.Errorf("%s is %s; this dashboard's target policy refuses it. "+
		"An operator can allow it by starting smtpdoctor with --allow-targets %s",
		ap, why, netip.PrefixFrom(a, bits))
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")
