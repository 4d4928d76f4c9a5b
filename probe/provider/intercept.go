package provider

import (
	"net/netip"
	"strings"
)

// Interception is a server that answered a known provider's host name but
// gave the names of another operator: typically a web host that redirects
// all outbound port 25/587 traffic to its own Exim (cPanel's "SMTP
// Restrictions"), or an antivirus or firewall that proxies SMTP.
type Interception struct {
	// Expected is the provider the typed host belongs to.
	Expected Provider
	// Answered is the name the answering server gave: its greeting, its
	// EHLO reply or its certificate.
	Answered string
	// Operator is who that name belongs to, when the table knows
	// (a hoster, or server software recognised from the greeting).
	Operator   Provider
	OperatorOK bool
}

// Intercepted reports whether the server that answered for host belongs to
// another operator than the provider host names. It only speaks when it is
// sure: the typed host must be a hosted service in the table; no name the
// server gave may belong to that service (or its family); and the evidence
// must be strong: a certificate whose names are all someone else's, or a
// greeting from an operator or software the table knows. A server that
// merely gives an unfamiliar name in plaintext is not called an
// interception, since providers rename their machines.
func Intercepted(host string, banner []string, ehloDomain string, certNames []string) (Interception, bool) {
	expected, ok := byHost(normalHost(host))
	if !ok || expected.Kind != KindService {
		return Interception{}, false
	}
	var greeting []string
	if len(banner) > 0 {
		greeting = append(greeting, firstWord(banner[0]))
	}
	greeting = append(greeting, ehloDomain)
	greetNames := dnsNames(greeting)
	certs := dnsNames(certNames)
	for _, n := range append(append([]string{}, greetNames...), certs...) {
		if p, ok := operatorOf(n); ok && sameOperator(p, expected) {
			return Interception{}, false
		}
	}
	in := Interception{Expected: expected}
	switch {
	case len(greetNames) > 0:
		in.Answered = greetNames[0]
	case len(certs) > 0:
		in.Answered = certs[0]
	default:
		return Interception{}, false
	}
	// Who answered: a name the table knows, else the greeting's markers
	// (cPanel's Exim, Exim, Postfix ...).
	for _, n := range append(append([]string{}, greetNames...), certs...) {
		if p, ok := operatorOf(n); ok {
			in.Operator, in.OperatorOK = p, true
			break
		}
	}
	if !in.OperatorOK {
		if p, ok := Recognise("", banner, ehloDomain, nil); ok && !sameOperator(p, expected) {
			in.Operator, in.OperatorOK = p, true
		}
	}
	if len(certs) == 0 && !in.OperatorOK {
		return Interception{}, false
	}
	return in, true
}

// operatorOf finds whose name n is. A certificate's "*.example.com" was
// reduced to example.com, which host patterns like "*.example.com" do not
// match on their own: a name under it is tried too.
func operatorOf(n string) (Provider, bool) {
	if p, ok := byHost(n); ok {
		return p, true
	}
	return byHost("host." + n)
}

func sameOperator(a, b Provider) bool {
	return a.Key == b.Key || (a.Family != "" && a.Family == b.Family)
}

// dnsNames keeps the host names among names: lower-cased, a leading
// wildcard label dropped ("*.example.com" stands for the operator
// example.com), IP literals and bare words left out.
func dnsNames(names []string) []string {
	var out []string
	for _, n := range names {
		n = strings.TrimPrefix(normalHost(n), "*.")
		if !strings.Contains(n, ".") {
			continue
		}
		if _, err := netip.ParseAddr(n); err == nil {
			continue
		}
		out = append(out, n)
	}
	return out
}
