package web

import (
	"net/netip"
	"strings"
	"testing"
)

func TestPolicyRefusesByDefault(t *testing.T) {
	p := &targetPolicy{}
	for _, a := range []string{
		"127.0.0.1:587", "[::1]:587", "169.254.169.254:587", "[fd00:ec2::254]:587", "0.0.0.0:587",
		"[::]:587", "169.254.1.1:25", "[fe80::1]:25", "224.0.0.1:25", "[::ffff:127.0.0.1]:587",
		"255.255.255.255:25", "0.1.2.3:25",
	} {
		err := p.checkAddr(netip.MustParseAddrPort(a))
		if err == nil {
			t.Errorf("%s allowed", a)
			continue
		}
		if !strings.Contains(err.Error(), "--allow-targets") {
			t.Errorf("%s: %q does not say how to allow it", a, err)
		}
	}
	for _, a := range []string{"192.0.2.10:587", "10.1.2.3:587", "192.168.1.5:25", "[2001:db8::1]:465"} {
		if err := p.checkAddr(netip.MustParseAddrPort(a)); err != nil {
			t.Errorf("%s refused: %v", a, err)
		}
	}
	if err := p.checkAddr(netip.MustParseAddrPort("192.0.2.10:22")); err == nil || !strings.Contains(err.Error(), "--allow-ports") {
		t.Errorf("port 22 allowed or unexplained: %v", err)
	}
}

func TestPolicyWidening(t *testing.T) {
	loop := netip.MustParseAddrPort("127.0.0.1:587")
	if err := (&targetPolicy{allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}).checkAddr(loop); err != nil {
		t.Errorf("allowed prefix refused: %v", err)
	}
	if err := (&targetPolicy{allowAll: true}).checkAddr(loop); err != nil {
		t.Errorf("allow-all refused: %v", err)
	}
	sb := netip.MustParseAddrPort("127.0.0.1:40000")
	p := &targetPolicy{sandbox: func(ap netip.AddrPort) bool { return ap == sb }}
	if err := p.checkAddr(sb); err != nil {
		t.Errorf("sandbox refused: %v", err)
	}
	if err := p.checkPort("127.0.0.1", 40000); err != nil {
		t.Errorf("sandbox port refused: %v", err)
	}
	if err := p.checkAddr(netip.MustParseAddrPort("127.0.0.1:40001")); err == nil {
		t.Errorf("loopback next to the sandbox allowed")
	}
	deny := &targetPolicy{denyPrivate: true}
	for _, a := range []string{"10.0.0.1:587", "192.168.0.1:587", "[fd12::1]:587", "100.64.0.1:587"} {
		if err := deny.checkAddr(netip.MustParseAddrPort(a)); err == nil {
			t.Errorf("DenyPrivate: %s allowed", a)
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
