package discover

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/provider"
)

// Sources of a candidate. A provider's is "provider:" and its key.
const (
	SourceSRVSubmissions = "srv-submissions" // _submissions._tcp, implicit TLS (RFC 8314 §5.1)
	SourceSRVSubmission  = "srv-submission"  // _submission._tcp, STARTTLS (RFC 6186 §3.1)
	SourceMX             = "mx"
	SourceProviderPrefix = "provider:"
)

// Candidate is one place to try submitting mail.
type Candidate struct {
	Host     string         `json:"host"`
	Port     int            `json:"port"`
	Security probe.Security `json:"security"`
	Source   string         `json:"source"`
	// Note says why this candidate is here, or what to expect of it.
	Note string `json:"note,omitempty"`
	// Submission is false for MX hosts on port 25: they receive mail for
	// the domain and usually offer no AUTH.
	Submission bool `json:"submission"`
}

// Discovery is what Discover found for one domain.
type Discovery struct {
	Domain     string      `json:"domain"`
	Candidates []Candidate `json:"candidates"`
	// Notes are facts worth showing beside the candidates: a service the
	// domain says it does not offer, a lookup that failed.
	Notes []string `json:"notes,omitempty"`
}

// Candidates is Discover's candidate list.
func Candidates(ctx context.Context, r Resolver, input string) ([]Candidate, error) {
	d, err := Discover(ctx, r, input)
	return d.Candidates, err
}

// Discover finds submission candidates for an email address or a domain,
// best first: what the domain publishes in SRV records (its owner's own
// word), then the provider the address domain belongs to, then a provider
// recognised from the MX hosts, then the MX hosts themselves. Duplicates
// keep their first, better-founded place. Lookups that find nothing are
// normal; an error is returned only for input that is not a domain, or when
// nothing was found and a lookup failed.
func Discover(ctx context.Context, r Resolver, input string) (Discovery, error) {
	domain, err := Domain(input)
	if err != nil {
		return Discovery{}, err
	}
	if r == nil {
		r = net.DefaultResolver
	}
	d := Discovery{Domain: domain}
	var lookupErrs []error

	srv, notes, errs := lookupSRV(ctx, r, domain)
	d.Notes = append(d.Notes, notes...)
	lookupErrs = append(lookupErrs, errs...)
	d.add(srv...)

	if p, ok := provider.ForEmailDomain(domain); ok {
		d.add(providerCandidates(p, fmt.Sprintf("%s hosts %s addresses", p.Name, domain))...)
	}

	mxs, err := r.LookupMX(ctx, domain)
	switch {
	case err != nil && !notFound(err):
		lookupErrs = append(lookupErrs, fmt.Errorf("MX %s: %w", domain, err))
		d.Notes = append(d.Notes, fmt.Sprintf("The MX lookup for %s failed: %v", domain, err))
	case nullMX(mxs):
		// RFC 7505 §3: a single MX of "." means no mail is accepted.
		d.Notes = append(d.Notes, fmt.Sprintf("%s publishes a null MX (RFC 7505): it accepts no mail at all.", domain))
	default:
		slices.SortStableFunc(mxs, func(a, b *net.MX) int { return cmp.Compare(a.Pref, b.Pref) })
		for _, mx := range mxs {
			host, ok := hostName(mx.Host)
			if !ok {
				continue
			}
			if p, ok := provider.ForHost(host); ok {
				d.add(providerCandidates(p, fmt.Sprintf("%s's mail is handled by %s (MX %s)", domain, p.Name, host))...)
			}
		}
		for _, mx := range mxs {
			host, ok := hostName(mx.Host)
			if !ok {
				continue
			}
			d.add(Candidate{
				Host: host, Port: 25, Security: probe.SecurityStartTLS, Source: SourceMX,
				Note: "An MX host receives mail for the domain; on port 25 it usually offers no AUTH. " +
					"Self-hosted servers often run submission on the same host on 587 or 465.",
			})
		}
	}

	if len(d.Candidates) == 0 && len(lookupErrs) > 0 {
		return d, fmt.Errorf("discover: %s: %w", domain, errors.Join(lookupErrs...))
	}
	return d, nil
}

// lookupSRV reads _submissions._tcp and _submission._tcp. RFC 6186 §3.4
// (extended to _submissions by RFC 8314 §5.1) has clients order the records
// of both services by priority together; between equal priorities implicit
// TLS goes first, as RFC 8314 §3 recommends it, and then the heavier weight.
func lookupSRV(ctx context.Context, r Resolver, domain string) ([]Candidate, []string, []error) {
	type record struct {
		*net.SRV
		implicit bool
	}
	var records []record
	var notes []string
	var errs []error
	for _, svc := range []struct {
		name     string
		implicit bool
	}{{"submissions", true}, {"submission", false}} {
		owner := "_" + svc.name + "._tcp." + domain
		_, addrs, err := r.LookupSRV(ctx, svc.name, "tcp", domain)
		if err != nil {
			if !notFound(err) {
				errs = append(errs, fmt.Errorf("SRV %s: %w", owner, err))
				notes = append(notes, fmt.Sprintf("The SRV lookup for %s failed: %v", owner, err))
			}
			continue
		}
		// RFC 2782 / RFC 6186 §4: a single record with target "." says
		// the service is decidedly not available.
		if len(addrs) == 1 && isRoot(addrs[0].Target) {
			notes = append(notes, fmt.Sprintf("%s says %s offers no %s service.", owner, domain, svc.name))
			continue
		}
		for _, a := range addrs {
			if _, ok := hostName(a.Target); !ok || a.Port == 0 {
				continue
			}
			records = append(records, record{a, svc.implicit})
		}
	}
	slices.SortStableFunc(records, func(a, b record) int {
		if c := cmp.Compare(a.Priority, b.Priority); c != 0 {
			return c
		}
		if a.implicit != b.implicit {
			if a.implicit {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.Weight, a.Weight)
	})
	out := make([]Candidate, 0, len(records))
	for _, rec := range records {
		host, _ := hostName(rec.Target)
		c := Candidate{Host: host, Port: int(rec.Port), Submission: true}
		if rec.implicit {
			c.Security, c.Source = probe.SecurityTLS, SourceSRVSubmissions
			c.Note = fmt.Sprintf("Published by %s as _submissions._tcp: implicit TLS.", domain)
		} else {
			c.Security, c.Source = probe.SecurityStartTLS, SourceSRVSubmission
			c.Note = fmt.Sprintf("Published by %s as _submission._tcp: STARTTLS.", domain)
		}
		out = append(out, c)
	}
	return out, notes, errs
}

func providerCandidates(p provider.Provider, why string) []Candidate {
	var out []Candidate
	for _, e := range p.Endpoints("") {
		note := why + "."
		if p.UsernameHint != "" {
			note += " Username: " + p.UsernameHint + "."
		}
		out = append(out, Candidate{
			Host: e.Host, Port: e.Port, Security: e.Security,
			Source: SourceProviderPrefix + p.Key, Note: note, Submission: true,
		})
	}
	return out
}

// add appends candidates not yet listed (same host, port and security).
func (d *Discovery) add(cs ...Candidate) {
	for _, c := range cs {
		if !slices.ContainsFunc(d.Candidates, func(o Candidate) bool {
			return o.Host == c.Host && o.Port == c.Port && o.Security == c.Security
		}) {
			d.Candidates = append(d.Candidates, c)
		}
	}
}

func nullMX(mxs []*net.MX) bool {
	return len(mxs) == 1 && isRoot(mxs[0].Host)
}

// isRoot says a target is ".", the DNS root: "no service here".
func isRoot(s string) bool { return s == "." || s == "" }

// hostName lower-cases a DNS name from a record and drops the root dot. A
// name that is not a host name is refused: record data is as untrusted as
// any server text.
func hostName(s string) (string, bool) {
	h := strings.ToLower(strings.TrimSuffix(s, "."))
	if h == "" || len(h) > 253 {
		return "", false
	}
	for _, label := range strings.Split(h, ".") {
		if !validLabel(label) {
			return "", false
		}
	}
	return h, true
}
