package probe

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
)

// MaxHostLength is the longest host name DNS allows (RFC 1035 §2.3.4).
const MaxHostLength = 253

// ParseHost reads what a person types as the server: a host name, an IP
// address, "[v6]", or any of these with ":port". It returns the host as it
// goes on the wire (internationalised names in punycode, RFC 5891; IP
// addresses in canonical form) and the port text, "" when none was given.
// The errors are written to be shown to that person. Line breaks and other
// control characters are refused: the host reaches DNS, SNI and the EHLO
// of error messages, and CR LF in it would be SMTP command injection.
func ParseHost(h string) (host, port string, err error) {
	if strings.ContainsFunc(h, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", "", errControl
	}
	h = strings.TrimSpace(h)
	if h == "" {
		return "", "", errors.New("enter the server's host name, such as smtp.example.com")
	}
	if len(h) > MaxHostLength+8 {
		return "", "", fmt.Errorf("is longer than %d characters", MaxHostLength)
	}
	if strings.ContainsAny(h, " \t/@?#") {
		return "", "", errors.New("enter a host name only, such as smtp.example.com (no spaces, scheme or path)")
	}
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	} else if hh, pp, err := net.SplitHostPort(h); err == nil && pp != "" {
		h, port = hh, pp
	}
	if a, err := netip.ParseAddr(h); err == nil {
		if a.Zone() != "" {
			return "", "", errors.New("IPv6 zones are not supported")
		}
		return a.String(), port, nil
	}
	if strings.ContainsAny(h, " \t/@?#[]:") {
		return "", "", errors.New("enter a host name only, such as smtp.example.com (no spaces, scheme or path)")
	}
	ascii, err := idna.Lookup.ToASCII(strings.TrimSuffix(h, "."))
	if err != nil {
		return "", "", fmt.Errorf("is not a valid host name: %v", err)
	}
	if ascii == "" || len(ascii) > MaxHostLength {
		return "", "", fmt.Errorf("is not a valid host name (at most %d characters)", MaxHostLength)
	}
	return ascii, port, nil
}

// BareHost is h without surrounding space, IPv6 brackets or the DNS root
// dot: "[2001:db8::1]" and "mail.example.com." name what "2001:db8::1"
// and "mail.example.com" do, for dialling, SNI, the certificate check and
// recognising a provider alike.
func BareHost(h string) string {
	h = strings.TrimSpace(h)
	h = strings.TrimPrefix(strings.TrimSuffix(h, "]"), "[")
	return strings.TrimSuffix(h, ".")
}
