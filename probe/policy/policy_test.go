package policy

import (
	"net/netip"
	"strings"
	"testing"
)

// refusedByDefault are addresses the default policy must refuse, each with
// a word its refusal must give. The special-purpose ones follow the IANA
// IPv4 and IPv6 Special-Purpose Address Registries.
var refusedByDefault = map[string]string{
	"127.0.0.1:587":          "loopback",
	"[::1]:587":              "loopback",
	"169.254.169.254:587":    "metadata",
	"[fd00:ec2::254]:587":    "metadata",
	"100.100.100.200:587":    "metadata",
	"0.0.0.0:587":            "unspecified",
	"0.1.2.3:25":             "unspecified",
	"[::]:587":               "unspecified",
	"169.254.1.1:25":         "link-local",
	"[fe80::1]:25":           "link-local",
	"[fe80::1%eth0]:25":      "link-local",
	"224.0.0.1:25":           "multicast",
	"[ff02::1]:25":           "multicast",
	"255.255.255.255:25":     "broadcast",
	"[::ffff:127.0.0.1]:587": "loopback",
	"192.0.0.1:25":           "IETF protocol assignments",
	"192.0.0.8:25":           "IETF protocol assignments",
	"192.0.2.10:587":         "documentation",
	"198.51.100.7:587":       "documentation",
	"203.0.113.9:587":        "documentation",
	"198.18.0.1:587":         "benchmarking",
	"198.19.255.254:587":     "benchmarking",
	"192.88.99.1:587":        "6to4 relay",
	"240.0.0.1:587":          "future use",
	"254.1.2.3:587":          "future use",
	"[2001:db8::1]:465":      "documentation",
	"[3fff::1]:465":          "documentation",
	"[100::1]:25":            "discard-only",
	"[100:0:0:1::1]:25":      "dummy",
	"[2001::1]:25":           "Teredo",
	"[2001:2::1]:25":         "benchmarking",
	"[2001:10::1]:25":        "ORCHID",
	"[2001:100::1]:25":       "IETF protocol assignments",
	"[5f00::1]:25":           "segment routing",
	"[fec0::1]:25":           "site-local",
	"[64:ff9b:1::a00:1]:25":  "local-use NAT64",
	// Addresses that carry an IPv4 address are judged by it.
	"[64:ff9b::7f00:1]:587":       "NAT64 address (64:ff9b::/96, RFC 6052) carrying 127.0.0.1, which is a loopback",
	"[64:ff9b::a9fe:a9fe]:587":    "carrying 169.254.169.254, which is a cloud metadata",
	"[64:ff9b::c612:1]:587":       "carrying 198.18.0.1, which is reserved for benchmarking",
	"[2002:7f00:1::1]:587":        "6to4 address (2002::/16, RFC 3056) carrying 127.0.0.1",
	"[2002:a9fe:a9fe::]:587":      "carrying 169.254.169.254",
	"[::127.0.0.1]:587":           "IPv4-compatible",
	"[::169.254.169.254]:587":     "IPv4-compatible",
	"[::ffff:169.254.169.254]:25": "metadata",
}

// allowedByDefault are globally reachable addresses (or private ones, which
// the default allows), including the registries' carve-outs.
var allowedByDefault = []string{
	"93.184.215.14:587", "10.1.2.3:587", "192.168.1.5:25", "172.16.0.1:25", "100.64.0.1:587",
	"[2606:4700::1111]:465", "[fd12::1]:587", "192.0.0.9:25", "192.0.0.10:25", "[2001:1::1]:25",
	"[2001:3::1]:25", "[2001:4:112::1]:25", "[2001:20::1]:25", "[2001:30::1]:25",
	"[64:ff9b::5db8:d70e]:587", "[2002:5db8:d70e::1]:587", "[64:ff9b::a01:203]:587",
	"[::ffff:93.184.215.14]:587", "192.31.196.1:25", "192.175.48.1:25",
}

func TestRefusesByDefault(t *testing.T) {
	p := New(Config{})
	for a, why := range refusedByDefault {
		err := p.CheckAddr(netip.MustParseAddrPort(a))
		if err == nil {
			t.Errorf("%s allowed", a)
			continue
		}
		if !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), "--allow-targets") {
			t.Errorf("%s: %q does not say %q and how to allow it", a, err, why)
		}
	}
	for _, a := range allowedByDefault {
		if err := p.CheckAddr(netip.MustParseAddrPort(a)); err != nil {
			t.Errorf("%s refused: %v", a, err)
		}
	}
	if err := p.CheckAddr(netip.MustParseAddrPort("93.184.215.14:22")); err == nil || !strings.Contains(err.Error(), "--allow-ports") {
		t.Errorf("port 22 allowed or unexplained: %v", err)
	}
}

// Every block in the table is a network prefix and wins over wider ones.
func TestBlocksAreMasked(t *testing.T) {
	for _, bl := range blocks {
		if bl.prefix != bl.prefix.Masked() {
			t.Errorf("%s is not a network prefix", bl.prefix)
		}
		if got, _ := lookup(bl.prefix.Addr()); got.prefix.Bits() < bl.prefix.Bits() {
			t.Errorf("lookup(%s) = %s, wider than %s", bl.prefix.Addr(), got.prefix, bl.prefix)
		}
	}
}

func TestWidening(t *testing.T) {
	loop := netip.MustParseAddrPort("127.0.0.1:587")
	if err := New(Config{AllowTargets: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}).CheckAddr(loop); err != nil {
		t.Errorf("allowed prefix refused: %v", err)
	}
	// Allowing the IPv4 address allows it however it is wrapped.
	allow127 := New(Config{AllowTargets: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	for _, a := range []string{"[::ffff:127.0.0.1]:587", "[64:ff9b::7f00:1]:587", "[2002:7f00:1::]:587"} {
		if err := allow127.CheckAddr(netip.MustParseAddrPort(a)); err != nil {
			t.Errorf("%s refused with 127.0.0.1 allowed: %v", a, err)
		}
	}
	if err := New(Config{AllowAll: true}).CheckAddr(loop); err != nil {
		t.Errorf("allow-all refused: %v", err)
	}
	if err := New(Config{AllowAll: true}).CheckAddr(netip.MustParseAddrPort("127.0.0.1:22")); err == nil {
		t.Errorf("allow-all opened port 22 too")
	}
	sb := netip.MustParseAddrPort("127.0.0.1:40000")
	p := New(Config{Sandbox: func(ap netip.AddrPort) bool { return ap == sb }})
	if err := p.CheckAddr(sb); err != nil {
		t.Errorf("sandbox refused: %v", err)
	}
	if err := p.CheckPort("127.0.0.1", 40000); err != nil {
		t.Errorf("sandbox port refused: %v", err)
	}
	if !p.IsSandbox("localhost", 40000) || p.IsSandbox("localhost", 40001) {
		t.Errorf("IsSandbox does not match exactly the sandbox")
	}
	if err := p.CheckAddr(netip.MustParseAddrPort("127.0.0.1:40001")); err == nil {
		t.Errorf("loopback next to the sandbox allowed")
	}
	deny := New(Config{DenyPrivate: true})
	for _, a := range []string{
		"10.0.0.1:587", "192.168.0.1:587", "[fd12::1]:587", "100.64.0.1:587", "172.31.255.255:25",
		"[::ffff:10.0.0.1]:587", "[64:ff9b::a00:1]:587", "[2002:c0a8:1::1]:587",
	} {
		err := deny.CheckAddr(netip.MustParseAddrPort(a))
		if err == nil {
			t.Errorf("DenyPrivate: %s allowed", a)
		} else if !strings.Contains(err.Error(), "private") {
			t.Errorf("DenyPrivate: %s: %q does not say private", a, err)
		}
	}
	if err := deny.CheckAddr(netip.MustParseAddrPort("93.184.215.14:587")); err != nil {
		t.Errorf("DenyPrivate refused a public address: %v", err)
	}
}

func TestEmbeddedIPv4(t *testing.T) {
	for in, want := range map[string]string{
		"64:ff9b::192.0.2.33": "192.0.2.33", // RFC 6052 §2.4's example
		"2002:c000:221::1":    "192.0.2.33",
		"::192.0.2.33":        "192.0.2.33",
		"::ffff:192.0.2.33":   "192.0.2.33",
	} {
		got, _, ok := EmbeddedIPv4(netip.MustParseAddr(in))
		if !ok || got.String() != want {
			t.Errorf("EmbeddedIPv4(%s) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"::", "::1", "2001:db8::1", "192.0.2.33", "64:ff9b:1::1"} {
		if got, _, ok := EmbeddedIPv4(netip.MustParseAddr(in)); ok {
			t.Errorf("EmbeddedIPv4(%s) = %v, want none", in, got)
		}
	}
}

func TestParsePortSet(t *testing.T) {
	ps, err := ParsePortSet("25, 465,1000-2000")
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[int]bool{25: true, 465: true, 1000: true, 1500: true, 2000: true, 587: false, 2001: false} {
		if ps.Contains(p) != want {
			t.Errorf("Contains(%d) = %v", p, !want)
		}
	}
	for _, bad := range []string{"", "0", "65536", "2000-1000", "x", "1-"} {
		if _, err := ParsePortSet(bad); err == nil {
			t.Errorf("ParsePortSet(%q) accepted", bad)
		}
	}
	if got := ps.String(); got != "25,465,1000-2000" {
		t.Errorf("String() = %q", got)
	}
}
