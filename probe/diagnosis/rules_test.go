package diagnosis

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/provider"
)

// contractCodes are the diagnosis codes the README's interface contract
// promises, spelled as it spells them.
var contractCodes = []probe.Code{
	"ok", "dns.no_such_host", "dns.failure", "net.refused", "net.timeout", "net.unreachable",
	"net.closed", "policy.blocked_target", "smtp.no_greeting", "smtp.not_smtp",
	"smtp.service_unavailable", "smtp.timeout", "tls.starttls_not_offered", "tls.starttls_failed",
	"tls.implicit_on_plain_port", "tls.plain_on_implicit_port", "tls.handshake_failed",
	"tls.protocol_too_old", "tls.cert_untrusted", "tls.cert_hostname_mismatch", "tls.cert_expired",
	"auth.not_offered", "auth.requires_tls", "auth.mechanism_unsupported", "auth.credentials_rejected",
	"auth.app_password_required", "auth.web_login_required", "auth.blocked_by_policy",
	"auth.oauth_token_invalid", "auth.temporary_failure", "auth.rate_limited", "auth.required",
	"sender.rejected", "relay.denied",
}

func TestEveryContractCodeHasARule(t *testing.T) {
	for _, c := range contractCodes {
		if ruleFor(c) == nil {
			t.Errorf("no rule for contract code %s", c)
		}
	}
	// And codes the probe itself can establish.
	for _, c := range []probe.Code{probe.CodeSMTPBadReply, probe.CodeProbeInterrupted, probe.CodeProbeError} {
		if ruleFor(c) == nil {
			t.Errorf("no rule for %s", c)
		}
	}
}

func TestRuleTableIsWellFormed(t *testing.T) {
	seen := map[probe.Code]bool{}
	sections := map[string]bool{}
	for _, s := range Guide() {
		sections[s.ID] = true
	}
	for _, r := range Rules() {
		if seen[r.Code] {
			t.Errorf("duplicate rule %s", r.Code)
		}
		seen[r.Code] = true
		if r.Title == "" || r.Summary == nil || r.Steps == nil {
			t.Errorf("%s: incomplete rule", r.Code)
		}
		if r.Severity != probe.SeverityError && r.Severity != probe.SeverityWarning && r.Severity != probe.SeverityInfo {
			t.Errorf("%s: severity %q", r.Code, r.Severity)
		}
		if !sections[r.Guide] {
			t.Errorf("%s: guide section %q does not exist", r.Code, r.Guide)
		}
	}
	for key, codes := range tailored {
		if _, ok := provider.ByKey(key); !ok {
			t.Errorf("tailoring for unknown provider %q", key)
		}
		for code := range codes {
			if ruleFor(code) == nil {
				t.Errorf("tailoring %s/%s for a code with no rule", key, code)
			}
		}
	}
}

// sampleResults are varied contexts to render every rule in: with and
// without a reply, provider, TLS, username.
func sampleResults() []*probe.Result {
	var out []*probe.Result
	for _, p := range provider.All() {
		host := "mail.example.com"
		if eps := p.Endpoints(""); len(eps) > 0 {
			host = eps[0].Host
		}
		r := result(host, probe.StepAuth, 535, "5.7.8 Authentication failed", "5.7.8 see the help page")
		if p.Kind == provider.KindSoftware {
			r.Server.Banner = []string{"mail.example.com ESMTP " + p.BannerMarkers[0]}
		}
		r.Observations = []probe.Observation{{Code: "input.username_not_address"}, {Code: "input.whitespace", Detail: "the password ends with a space"}}
		out = append(out, r)
	}
	out = append(out,
		with(result("mail.example.com", probe.StepConnect, 0), probeCode("net.timeout", "dial tcp 192.0.2.1:587: i/o timeout"), func(r *probe.Result) {
			r.Server, r.TLS, r.Auth = nil, nil, nil
			r.Settings.User = ""
			r.StartedAt = r.StartedAt.AddDate(0, 0, 0)
		}),
		with(result("mail.example.com", probe.StepMail, 550, "5.7.1 refused"), plaintext, noUser),
		with(result("192.0.2.1", "", 0), func(r *probe.Result) { r.Settings.Port = 0; r.Server = nil }),
		&probe.Result{Status: probe.StatusDone, Failure: &probe.Failure{}}, // as bare as it gets
	)
	return out
}

var (
	badFormat   = regexp.MustCompile(`%!|<nil>|\{[a-z_]+\}|\bnil\b|\( *\)|\s\)|\s[.,:;](?:\s|$)|\.\.(?:[^.]|$)`)
	doubleSpace = regexp.MustCompile(`\S  \S`)
)

// TestEveryRuleRenders renders every rule's text, and every provider's
// tailoring, against varied results: no empty or broken step, no unfilled
// placeholder, no Go formatting artefacts.
func TestEveryRuleRenders(t *testing.T) {
	for _, r := range sampleResults() {
		for _, rule := range Rules() {
			f := newFacts(r)
			d := render(f, rule.Code)
			checkTitle(t, string(rule.Code), d.Title)
			texts := append([]string{d.Summary}, d.Remediation...)
			if len(d.Remediation) == 0 {
				t.Errorf("%s on %s: no remediation", rule.Code, r.Settings.Host)
			}
			if d.Summary == "" {
				t.Errorf("%s on %s: empty summary", rule.Code, r.Settings.Host)
			}
			for _, s := range texts {
				checkText(t, string(rule.Code)+" on "+r.Settings.Host, s)
			}
			// "Contact your provider" is never the only step.
			if len(d.Remediation) == 1 && strings.Contains(strings.ToLower(d.Remediation[0]), "contact") {
				t.Errorf("%s: the only step is to contact someone", rule.Code)
			}
			for _, l := range d.Links {
				if l.Title == "" || !(strings.HasPrefix(l.URL, "https://") || strings.HasPrefix(l.URL, "/guide#")) {
					t.Errorf("%s: bad link %+v", rule.Code, l)
				}
			}
		}
	}
}

func checkTitle(t *testing.T, where, s string) {
	t.Helper()
	if strings.TrimSpace(s) == "" || badFormat.MatchString(s) || strings.HasSuffix(s, ".") {
		t.Errorf("%s: bad title %q", where, s)
	}
}

func checkText(t *testing.T, where, s string) {
	t.Helper()
	switch {
	case strings.TrimSpace(s) == "":
		t.Errorf("%s: empty text", where)
	case badFormat.MatchString(s):
		t.Errorf("%s: broken text %q (%q)", where, s, badFormat.FindString(s))
	case doubleSpace.MatchString(s) && !strings.Contains(s, `"`):
		t.Errorf("%s: double space in %q", where, s)
	case !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, ".\"") && len(s) > 40:
		t.Errorf("%s: sentence does not end with a full stop: %q", where, s)
	}
}

func TestFindingsRender(t *testing.T) {
	r := with(result("smtp.gmail.com", probe.StepAuth, 535, "5.7.8 Username and Password not accepted."), plaintext,
		observe("input.whitespace", ""), observe("input.username_not_address", "the username has no @"),
		observe("input.app_password_spaces", ""), observe("input.password_non_ascii", ""),
		observe("tls.cert_untrusted", "x509: certificate signed by unknown authority"),
		observe("something.new", "a fact the probe learned later"),
		func(r *probe.Result) {
			r.Auth.Mechanism = "PLAIN"
			r.Network = &probe.NetworkInfo{Used: "192.0.2.10:587", Addresses: []probe.AddressAttempt{{Address: "[2001:db8::1]:587", Result: "timeout"}, {Address: "192.0.2.10:587", Result: "connected"}}}
		})
	Diagnose(r)
	codes := map[string]probe.Finding{}
	for _, f := range r.Findings {
		codes[string(f.Code)] = f
		checkTitle(t, "finding "+string(f.Code), f.Title)
		if f.Detail != "" {
			checkText(t, "finding "+string(f.Code), f.Detail)
		}
	}
	for _, want := range []string{"input.whitespace", "input.username_not_address", "input.app_password_spaces", "input.password_non_ascii", "tls.cert_untrusted", "something.new", "auth.plaintext", "net.address_failed"} {
		if _, ok := codes[want]; !ok {
			t.Errorf("finding %s missing; have %v", want, slices.Collect(mapKeys(codes)))
		}
	}
	if codes["input.username_not_address"].Severity != probe.SeverityWarning {
		t.Errorf("username hint for Gmail should be a warning, got %s", codes["input.username_not_address"].Severity)
	}
	if !strings.Contains(codes["input.username_not_address"].Detail, "the username has no @") {
		t.Errorf("the observation's own detail is lost: %q", codes["input.username_not_address"].Detail)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestGuide(t *testing.T) {
	g := Guide()
	ids := map[string]bool{}
	for _, s := range g {
		if ids[s.ID] {
			t.Errorf("duplicate section %s", s.ID)
		}
		ids[s.ID] = true
		if s.Title == "" || len(s.Paragraphs) == 0 {
			t.Errorf("section %s is empty", s.ID)
		}
		for _, p := range append(append([]string{}, s.Paragraphs...), s.List...) {
			checkText(t, "guide "+s.ID, p)
		}
		for _, l := range s.Links {
			if !strings.HasPrefix(l.URL, "https://") || l.Title == "" {
				t.Errorf("section %s: bad link %+v", s.ID, l)
			}
		}
	}
	// The reply codes people search for, and the usual causes, each have a section.
	for _, id := range []string{"causes", "code-530", "code-534", "code-535", "code-538", "code-454", "code-421", "ports-and-tls", "app-passwords", "oauth", "firewall", "contact-provider"} {
		if !ids[id] {
			t.Errorf("guide lacks section %s", id)
		}
	}
	// Every rule's code is listed in exactly the section it links to.
	listed := map[probe.Code]string{}
	for _, s := range g {
		for _, c := range s.Codes {
			listed[c] = s.ID
		}
	}
	for _, r := range Rules() {
		if listed[r.Code] != r.Guide {
			t.Errorf("%s is listed under %q, links to %q", r.Code, listed[r.Code], r.Guide)
		}
	}
}
