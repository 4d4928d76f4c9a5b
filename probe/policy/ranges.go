package policy

import "net/netip"

// The address blocks the policy knows, from the IANA IPv4 and IPv6
// Special-Purpose Address Registries (RFC 6890; iana-ipv4-special-registry
// and iana-ipv6-special-registry), plus multicast and the cloud metadata
// services, which the registries do not list. A block the registries mark
// "Globally Reachable: False" is refused; one marked True inside such a
// block (the anycast services in 192.0.0.0/24 and 2001::/23) is a
// carve-out that stays allowed. The longest matching prefix decides.

type kind int

const (
	refusedKind kind = iota // never probed unless --allow-targets names it
	private                 // allowed unless DenyPrivate
	reachable               // globally reachable: a carve-out of a refused block
)

type block struct {
	prefix netip.Prefix
	kind   kind
	name   string // completes "ADDRESS is ..."
}

func b(prefix string, k kind, name string) block {
	return block{prefix: netip.MustParsePrefix(prefix), kind: k, name: name}
}

var blocks = []block{
	// Cloud metadata services. 169.254.169.254 is link-local and would be
	// refused anyway; AWS's IPv6 endpoint sits in the unique-local range
	// and Alibaba's in the shared address space, both otherwise private
	// and allowed, so they are named here.
	b("169.254.169.254/32", refusedKind, "a cloud metadata service"),
	b("fd00:ec2::254/128", refusedKind, "a cloud metadata service"),
	b("100.100.100.200/32", refusedKind, "a cloud metadata service"),

	// IPv4 Special-Purpose Address Registry.
	b("0.0.0.0/8", refusedKind, `an unspecified address ("this network", RFC 791 §3.2)`),
	b("10.0.0.0/8", private, "a private network address (RFC 1918)"),
	// The shared address space sits between an ISP's carrier-grade NAT
	// and its customers: never on the internet, often the ISP's own
	// equipment, so it is treated like a private range.
	b("100.64.0.0/10", private, "a private network address (shared address space for carrier-grade NAT, RFC 6598)"),
	b("127.0.0.0/8", refusedKind, "a loopback address (this machine)"),
	b("169.254.0.0/16", refusedKind, "a link-local address (RFC 3927)"),
	b("172.16.0.0/12", private, "a private network address (RFC 1918)"),
	b("192.0.0.0/24", refusedKind, "reserved for IETF protocol assignments (RFC 6890 §2.1), not reachable on the internet"),
	b("192.0.0.9/32", reachable, "the Port Control Protocol anycast address (RFC 7723)"),
	b("192.0.0.10/32", reachable, "the TURN anycast address (RFC 8155)"),
	b("192.0.2.0/24", refusedKind, "reserved for documentation (TEST-NET-1, RFC 5737)"),
	b("192.88.99.0/24", refusedKind, "the retired 6to4 relay anycast block (RFC 7526)"),
	b("192.168.0.0/16", private, "a private network address (RFC 1918)"),
	b("198.18.0.0/15", refusedKind, "reserved for benchmarking (RFC 2544)"),
	b("198.51.100.0/24", refusedKind, "reserved for documentation (TEST-NET-2, RFC 5737)"),
	b("203.0.113.0/24", refusedKind, "reserved for documentation (TEST-NET-3, RFC 5737)"),
	b("224.0.0.0/4", refusedKind, "a multicast address (RFC 5771)"),
	b("240.0.0.0/4", refusedKind, "reserved for future use (RFC 1112 §4)"),
	b("255.255.255.255/32", refusedKind, "the limited broadcast address (RFC 919 §7)"),

	// IPv6 Special-Purpose Address Registry. IPv4-mapped addresses
	// (::ffff:0:0/96) are unmapped before they get here.
	b("::/128", refusedKind, "an unspecified address (RFC 4291 §2.5.2)"),
	b("::1/128", refusedKind, "a loopback address (this machine)"),
	b("::/96", refusedKind, "an IPv4-compatible address, deprecated by RFC 4291 §2.5.5.1"),
	// The well-known NAT64 prefix 64:ff9b::/96 is globally reachable
	// and judged by the IPv4 address inside it. Where a local-use prefix
	// puts that address depends on the prefix length the network chose
	// (RFC 6052 §2.2), which cannot be known from here.
	b("64:ff9b:1::/48", refusedKind, "a local-use NAT64 address (RFC 8215) whose IPv4 address inside cannot be known"),
	b("100::/64", refusedKind, "a discard-only address (RFC 6666)"),
	b("100:0:0:1::/64", refusedKind, "a dummy address (RFC 9780)"),
	b("2001::/23", refusedKind, "reserved for IETF protocol assignments (RFC 2928), not reachable on the internet"),
	b("2001::/32", refusedKind, "a Teredo tunnel address (RFC 4380)"),
	b("2001:1::1/128", reachable, "the Port Control Protocol anycast address (RFC 7723)"),
	b("2001:1::2/128", reachable, "the TURN anycast address (RFC 8155)"),
	b("2001:1::3/128", reachable, "the DNS-SD service registration anycast address (RFC 9665)"),
	b("2001:2::/48", refusedKind, "reserved for benchmarking (RFC 5180)"),
	b("2001:3::/32", reachable, "the AMT block (RFC 7450)"),
	b("2001:4:112::/48", reachable, "the AS112 block (RFC 7535)"),
	b("2001:10::/28", refusedKind, "the retired ORCHID block (RFC 4843)"),
	b("2001:20::/28", reachable, "the ORCHIDv2 block (RFC 7343)"),
	b("2001:30::/28", reachable, "the drone remote ID block (RFC 9374)"),
	b("2001:db8::/32", refusedKind, "reserved for documentation (RFC 3849)"),
	// 6to4 (2002::/16) is judged by the IPv4 address inside it.
	b("3fff::/20", refusedKind, "reserved for documentation (RFC 9637)"),
	b("5f00::/16", refusedKind, "a segment routing identifier (RFC 9602), not reachable on the internet"),
	b("fc00::/7", private, "a private network address (unique local, RFC 4193)"),
	b("fe80::/10", refusedKind, "a link-local address (RFC 4291 §2.5.6)"),
	b("fec0::/10", refusedKind, "a site-local address, deprecated by RFC 3879"),
	b("ff00::/8", refusedKind, "a multicast address (RFC 4291 §2.7)"),
}

// lookup finds the most specific block holding a.
func lookup(a netip.Addr) (block, bool) {
	var best block
	found := false
	for _, bl := range blocks {
		if bl.prefix.Contains(a) && (!found || bl.prefix.Bits() > best.prefix.Bits()) {
			best, found = bl, true
		}
	}
	return best, found
}

var (
	nat64WellKnown = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour      = netip.MustParsePrefix("2002::/16")
	v4Compatible   = netip.MustParsePrefix("::/96")
)

// EmbeddedIPv4 returns the IPv4 address an IPv6 address carries to, and
// what kind of address it is: the well-known NAT64 prefix (RFC 6052 §2.1,
// the last 32 bits), 6to4 (RFC 3056 §2, bits 16-47) or IPv4-compatible
// (RFC 4291 §2.5.5.1, the last 32 bits). IPv4-mapped addresses should be
// unmapped by the caller (netip.Addr.Unmap); they are reported too.
func EmbeddedIPv4(a netip.Addr) (netip.Addr, string, bool) {
	if !a.Is6() {
		return netip.Addr{}, "", false
	}
	x := a.As16()
	last := netip.AddrFrom4([4]byte(x[12:16]))
	switch {
	case a.Is4In6():
		return last, "an IPv4-mapped address", true
	case nat64WellKnown.Contains(a):
		return last, "a NAT64 address (64:ff9b::/96, RFC 6052)", true
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte(x[2:6])), "a 6to4 address (2002::/16, RFC 3056)", true
	case v4Compatible.Contains(a) && a != netip.IPv6Unspecified() && a != netip.IPv6Loopback():
		return last, "an IPv4-compatible address (::/96, RFC 4291 §2.5.5.1)", true
	}
	return netip.Addr{}, "", false
}
