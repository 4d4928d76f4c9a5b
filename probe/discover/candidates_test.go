package discover_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
)

// fakeDNS answers SRV and MX lookups from maps, the way *net.Resolver
// reports them: a *net.DNSError with IsNotFound for names without records.
// Real DNS servers are not cheap to stand up here; this is the seam.
type fakeDNS struct {
	srv  map[string][]*net.SRV // "_submission._tcp.example.com"
	mx   map[string][]*net.MX
	fail error // returned for every lookup when set
	asks []string
}

func (f *fakeDNS) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	owner := "_" + service + "._" + proto + "." + name
	f.asks = append(f.asks, "SRV "+owner)
	if f.fail != nil {
		return "", nil, f.fail
	}
	if recs, ok := f.srv[owner]; ok {
		return owner + ".", recs, nil
	}
	return "", nil, &net.DNSError{Err: "no such host", Name: owner, IsNotFound: true}
}

func (f *fakeDNS) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	f.asks = append(f.asks, "MX "+name)
	if f.fail != nil {
		return nil, f.fail
	}
	if recs, ok := f.mx[name]; ok {
		return recs, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

var _ discover.Resolver = (*net.Resolver)(nil)

// brief renders candidates as "host:port/security source" for comparison.
func brief(cs []discover.Candidate) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.Host+":"+strconv.Itoa(c.Port)+"/"+string(c.Security)+" "+c.Source)
	}
	return strings.Join(parts, "\n")
}

func TestDiscover(t *testing.T) {
	tests := []struct {
		name  string
		input string
		dns   fakeDNS
		want  string
		note  string // a substring of some note, when one is expected
	}{
		{
			name:  "srv records of both services, ordered by priority then implicit TLS then weight",
			input: "alice@example.com",
			dns: fakeDNS{srv: map[string][]*net.SRV{
				"_submission._tcp.example.com": {
					{Target: "backup.example.com.", Port: 587, Priority: 10, Weight: 0},
					{Target: "mail.example.com.", Port: 587, Priority: 0, Weight: 1},
					{Target: "mail2.example.com.", Port: 587, Priority: 0, Weight: 5},
				},
				"_submissions._tcp.example.com": {
					{Target: "mail.example.com.", Port: 465, Priority: 0, Weight: 1},
				},
			}},
			want: "mail.example.com:465/tls srv-submissions\n" +
				"mail2.example.com:587/starttls srv-submission\n" +
				"mail.example.com:587/starttls srv-submission\n" +
				"backup.example.com:587/starttls srv-submission",
		},
		{
			name:  "a root target says the service is not offered",
			input: "example.org",
			dns: fakeDNS{srv: map[string][]*net.SRV{
				"_submission._tcp.example.org":  {{Target: ".", Port: 0}},
				"_submissions._tcp.example.org": {{Target: "smtp.example.org.", Port: 465}},
			}},
			want: "smtp.example.org:465/tls srv-submissions",
			note: "_submission._tcp.example.org says example.org offers no submission service",
		},
		{
			name:  "a known provider's address, the SRV duplicate kept once in its SRV place",
			input: "Someone@GMail.com",
			dns: fakeDNS{srv: map[string][]*net.SRV{
				"_submission._tcp.gmail.com": {{Target: "smtp.gmail.com.", Port: 587, Priority: 5}},
			}},
			want: "smtp.gmail.com:587/starttls srv-submission\n" +
				"smtp.gmail.com:465/tls provider:gmail",
		},
		{
			name:  "a custom domain whose MX is Google's gets Google's endpoints, then the MX hosts",
			input: "bob@custom.example",
			dns: fakeDNS{mx: map[string][]*net.MX{
				"custom.example": {
					{Host: "alt1.aspmx.l.google.com.", Pref: 5},
					{Host: "aspmx.l.google.com.", Pref: 1},
				},
			}},
			want: "smtp.gmail.com:587/starttls provider:gmail\n" +
				"smtp.gmail.com:465/tls provider:gmail\n" +
				"aspmx.l.google.com:25/starttls mx\n" +
				"alt1.aspmx.l.google.com:25/starttls mx",
		},
		{
			name:  "null MX",
			input: "nomail.example",
			dns:   fakeDNS{mx: map[string][]*net.MX{"nomail.example": {{Host: ".", Pref: 0}}}},
			want:  "",
			note:  "null MX",
		},
		{
			name:  "records naming something that is not a host are dropped",
			input: "odd.example",
			dns: fakeDNS{
				srv: map[string][]*net.SRV{"_submission._tcp.odd.example": {{Target: "bad host\r\n.example.", Port: 587}}},
				mx:  map[string][]*net.MX{"odd.example": {{Host: "mx.odd.example.", Pref: 10}, {Host: "<script>.", Pref: 1}}},
			},
			want: "mx.odd.example:25/starttls mx",
		},
		{
			name:  "an internationalised domain is looked up in its A-label form",
			input: "anna@bücher.example",
			dns:   fakeDNS{mx: map[string][]*net.MX{"xn--bcher-kva.example": {{Host: "mx.xn--bcher-kva.example.", Pref: 10}}}},
			want:  "mx.xn--bcher-kva.example:25/starttls mx",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := discover.Discover(t.Context(), &tc.dns, tc.input)
			if err != nil {
				t.Fatalf("Discover(%q): %v", tc.input, err)
			}
			if got := brief(d.Candidates); got != tc.want {
				t.Errorf("candidates:\n%s\nwant:\n%s", got, tc.want)
			}
			if tc.note != "" && !strings.Contains(strings.Join(d.Notes, "\n"), tc.note) {
				t.Errorf("notes %q lack %q", d.Notes, tc.note)
			}
			for _, c := range d.Candidates {
				if c.Note == "" {
					t.Errorf("%s:%d has no note", c.Host, c.Port)
				}
				if (c.Source == discover.SourceMX) == c.Submission {
					t.Errorf("%s:%d from %s: Submission = %v", c.Host, c.Port, c.Source, c.Submission)
				}
			}
		})
	}
}

func TestDiscoverAsksTheDomainOfTheAddress(t *testing.T) {
	dns := &fakeDNS{}
	if _, err := discover.Candidates(t.Context(), dns, "  Alice@Example.COM. "); err != nil {
		t.Fatal(err)
	}
	want := "SRV _submissions._tcp.example.com\nSRV _submission._tcp.example.com\nMX example.com"
	if got := strings.Join(dns.asks, "\n"); got != want {
		t.Errorf("lookups:\n%s\nwant:\n%s", got, want)
	}
}

func TestDiscoverFailures(t *testing.T) {
	timeout := &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}

	// Nothing found and the lookups failed: an error, with the notes.
	d, err := discover.Discover(t.Context(), &fakeDNS{fail: timeout}, "example.net")
	if err == nil || !errors.Is(err, timeout) {
		t.Fatalf("err = %v, want the lookup timeout", err)
	}
	if len(d.Notes) != 3 {
		t.Errorf("notes = %q, want one per failed lookup", d.Notes)
	}

	// The provider table still answers when DNS does not.
	cs, err := discover.Candidates(t.Context(), &fakeDNS{fail: timeout}, "x@outlook.com")
	if err != nil {
		t.Fatalf("provider domain with failing DNS: %v", err)
	}
	if len(cs) == 0 || cs[0].Source != "provider:outlook" || cs[0].Security != probe.SecurityStartTLS {
		t.Errorf("candidates = %s", brief(cs))
	}

	// Nothing found, nothing failed: no candidates, no error.
	cs, err = discover.Candidates(t.Context(), &fakeDNS{}, "quiet.example")
	if err != nil || len(cs) != 0 {
		t.Errorf("got %s, %v; want nothing and no error", brief(cs), err)
	}
}

func TestDomain(t *testing.T) {
	for in, want := range map[string]string{
		"example.com":           "example.com",
		"a@b@Example.com":       "example.com",
		"user@sub.example.org.": "sub.example.org",
		"ü@münchen.example":     "xn--mnchen-3ya.example",
	} {
		if got, err := discover.Domain(in); err != nil || got != want {
			t.Errorf("Domain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "alice@", "localhost", "bad domain.com", "x@-a.com", "a..b", strings.Repeat("a", 64) + ".com", "evil.com\r\nRCPT"} {
		if got, err := discover.Domain(in); err == nil {
			t.Errorf("Domain(%q) = %q, want an error", in, got)
		}
	}
}
