package diagnosis

import (
	"fmt"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/provider"
)

// A server that is not the one asked for: hosting providers and some
// networks redirect outgoing SMTP to their own server, which then answers
// for smtp.gmail.com with its own banner and certificate. Everything that
// follows (a refused password, a certificate error) is that server's
// doing, so it is said first. Only a host the provider table knows is
// judged: for an unknown name, a server under another domain is as often
// the customer's hosted mail as an interception.

// interception is what answered instead of the provider asked for.
type interception struct {
	Expected provider.Provider
	Names    []string // names the answering server gave (banner, EHLO, certificate)
	Operator string   // its registrable domain, or the software it runs
	Software provider.Provider
	HasSoft  bool
}

// answeringNames are the names the server gave itself: the first word of
// the banner, the EHLO domain and the certificate's names.
func answeringNames(r *probe.Result) []string {
	var out []string
	add := func(n string) {
		n = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(n), "."))
		n = strings.TrimPrefix(n, "*.")
		if strings.Contains(n, ".") && !strings.ContainsAny(n, "[]: ") && !containsString(out, n) {
			out = append(out, n)
		}
	}
	if r.Server != nil {
		if len(r.Server.Banner) > 0 {
			add(firstField(r.Server.Banner[0]))
		}
		add(r.Server.EHLODomain)
	}
	if r.TLS != nil && len(r.TLS.Chain) > 0 {
		for _, n := range r.TLS.Chain[0].DNSNames {
			add(n)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// registrable is the name's registrable domain ("mail.example.co.uk" →
// "example.co.uk"), or "".
func registrable(name string) string {
	d, err := publicsuffix.EffectiveTLDPlusOne(strings.TrimPrefix(name, "*."))
	if err != nil {
		return ""
	}
	return d
}

// expectedDomains are the registrable domains of a provider's own hosts.
func expectedDomains(p provider.Provider) []string {
	var out []string
	for _, h := range p.Hosts {
		if d := registrable(strings.ReplaceAll(h, "*", "x")); d != "" && !containsString(out, d) {
			out = append(out, d)
		}
	}
	for _, e := range p.Submission {
		if d := registrable(e.Host); d != "" && !containsString(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// detectInterception reports a server that belongs to someone other than
// the provider whose host was typed.
func detectInterception(r *probe.Result) (interception, bool) {
	expected, ok := provider.ForHost(r.Settings.Host)
	if !ok || expected.Kind != provider.KindService || r.Server == nil || (len(r.Server.Banner) == 0 && r.Server.EHLODomain == "") {
		return interception{}, false
	}
	same := func(q provider.Provider) bool {
		return q.Key == expected.Key || (q.Family != "" && q.Family == expected.Family)
	}
	names := answeringNames(r)
	own := expectedDomains(expected)
	var foreign []string
	for _, n := range names {
		if q, ok := provider.ForHost(n); ok && same(q) {
			return interception{}, false
		}
		d := registrable(n)
		if d == "" {
			continue
		}
		if containsString(own, d) || d == registrable(r.Settings.Host) {
			return interception{}, false
		}
		foreign = append(foreign, n)
	}
	// The provider's own banner markers ("gsmtp") vouch for it.
	text := strings.ToLower(strings.Join(append(append([]string{}, r.Server.Banner...), r.Server.EHLODomain), "\n"))
	if markersIn(text, expected.BannerMarkers) {
		return interception{}, false
	}
	soft, isSoft := provider.Recognise("", r.Server.Banner, r.Server.EHLODomain, nil)
	if isSoft && same(soft) {
		return interception{}, false
	}
	isSoft = isSoft && soft.Kind == provider.KindSoftware
	if len(foreign) == 0 && !isSoft {
		return interception{}, false
	}
	in := interception{Expected: expected, Names: foreign, Software: soft, HasSoft: isSoft}
	switch {
	case len(foreign) > 0:
		in.Operator = registrable(foreign[0])
	default:
		in.Operator = "a server running " + soft.Name
	}
	return in, true
}

// interceptSummary says what answered, and that what followed is its doing.
func interceptSummary(f *Facts) string {
	in := f.intercept
	if in == nil {
		return "The server that answered at " + f.target() + " is not the one asked for: it belongs to another operator."
	}
	var what []string
	if r := f.R.Server; r != nil && len(r.Banner) > 0 {
		what = append(what, "its greeting was \"220 "+plain(strings.Join(r.Banner, " "), 200)+"\"")
	}
	if f.R.TLS != nil && len(f.R.TLS.Chain) > 0 && len(f.R.TLS.Chain[0].DNSNames) > 0 {
		what = append(what, "its certificate is for "+plain(strings.Join(f.R.TLS.Chain[0].DNSNames, ", "), 200))
	}
	s := "You asked for " + f.target() + " (" + in.Expected.Name + "), but the server that answered is not " + in.Expected.Name + "'s: " + joinAnd(what) + ". It belongs to " + plain(in.Operator, 120) + ". Something on the way, most often the hosting provider of the machine that runs the test, redirects outgoing SMTP to its own mail server."
	if f.R.Failure != nil {
		s += " What happened next is that server's doing: " + f.answered() + "."
	}
	return s
}

// interceptSteps are the ways around an interception.
func interceptSteps(f *Facts) []string {
	in := f.intercept
	if in == nil {
		in = &interception{Expected: provider.Provider{Name: "the provider"}}
	}
	var alts []string
	for _, e := range in.Expected.Endpoints("") {
		if e.Port == f.R.Settings.Port {
			continue
		}
		mode := "STARTTLS"
		if e.Security == probe.SecurityTLS {
			mode = "implicit TLS"
		}
		if a := fmt.Sprintf("port %d (%s)", e.Port, mode); !containsString(alts, a) {
			alts = append(alts, a)
		}
	}
	if len(alts) == 0 {
		alts = []string{"port 465 (implicit TLS)", "port 587 (STARTTLS)"}
	}
	return []string{
		"Do not send your " + in.Expected.Name + " password to this server: it belongs to someone else. If a login was already tried, change that password.",
		"Try " + strings.Join(alts, " or ") + ": hosting providers usually redirect port 25 and often 587, less often 465.",
		"Or send through the hosting provider's own SMTP relay (their server name and a mailbox hosted with them), as their documentation describes.",
		"Or ask the hosting provider to unblock outgoing SMTP from this machine to " + hostOr(f) + " (on cPanel servers the setting is WHM → Tweak Settings → \"Restrict outgoing SMTP to root, exim, and mailman\"; with CSF it is SMTP_BLOCK).",
	}
}
