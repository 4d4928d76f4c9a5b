// Package discover finds where to submit mail when all the user knows is an
// email address or a domain, and maps what a host answers on the usual
// submission ports. Candidates reads the domain's own SRV records
// (RFC 6186, RFC 8314 §5.1), the built-in provider table and the domain's
// MX hosts; TryAll probes one host on 465, 587, 25 and 2525 at once and
// reports, per port, whether it answers, offers STARTTLS, and offers AUTH
// before and after TLS.
package discover

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/net/idna"
)

// Resolver is the seam for the DNS lookups discovery needs; *net.Resolver
// satisfies it.
type Resolver interface {
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
}

// Domain returns the mail domain of an email address or a domain name, in
// its ASCII (A-label) form without a trailing dot.
func Domain(input string) (string, error) {
	s := strings.TrimSpace(input)
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return "", fmt.Errorf("discover: %q has no domain", input)
	}
	ascii, err := idna.Lookup.ToASCII(s)
	if err != nil {
		return "", fmt.Errorf("discover: domain of %q: %w", input, err)
	}
	ascii = strings.ToLower(ascii)
	if len(ascii) > 253 || !strings.Contains(ascii, ".") {
		return "", fmt.Errorf("discover: %q is not a mail domain", input)
	}
	for _, label := range strings.Split(ascii, ".") {
		if !validLabel(label) {
			return "", fmt.Errorf("discover: %q is not a mail domain", input)
		}
	}
	return ascii, nil
}

// validLabel checks an LDH label (RFC 1123 §2.1), allowing "_" as found in
// real-world names.
func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// notFound says a lookup found nothing, as opposed to failing: NXDOMAIN or
// no records of the type.
func notFound(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}
