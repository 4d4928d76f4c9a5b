// Package provider is the one table of mail providers and mail server
// software that smtpdoctor knows by name: how to recognise them (host names,
// greeting banners, the markers they leave in replies), where their
// submission endpoints are, what they expect as a username, and where their
// own documentation lives. The diagnosis uses it to tailor advice, the web
// form uses it for presets, and discovery uses it to map an email domain to
// settings. It holds facts, not wording: the advice itself is written in
// probe/diagnosis.
package provider

import (
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Kind separates hosted services from server software someone runs.
type Kind string

const (
	KindService  Kind = "service"  // a hosted mailbox or sending service (Gmail, SES)
	KindSoftware Kind = "software" // server software anyone can run (Postfix, Exim)
)

// Endpoint is one submission endpoint. Host may contain the placeholder
// "{region}" (Amazon SES); see Provider.Endpoints.
type Endpoint struct {
	Host     string         `json:"host"`
	Port     int            `json:"port"`
	Security probe.Security `json:"security"`
}

// Provider is one provider or server software.
type Provider struct {
	Key  string `json:"key"` // stable identifier, e.g. "gmail"
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Family groups providers that share servers and reply texts but differ
	// in advice (Microsoft 365 and Outlook.com). Empty when alone.
	Family string `json:"family,omitempty"`

	// Hosts are patterns for the submission host, the MX host, and the
	// name a server gives in its banner or EHLO reply, matched against the
	// lower-cased name; "*" stands for one or more characters and spans
	// labels, so "*.gmail.com" matches "smtp.gmail.com".
	Hosts []string `json:"hosts,omitempty"`
	// BannerMarkers are case-insensitive substrings of the greeting or
	// the EHLO domain line that name the server ("ESMTP Postfix").
	BannerMarkers []string `json:"banner_markers,omitempty"`
	// BannerExcludes are greeting words of other products that contain
	// one of BannerMarkers: a greeting with any of them is not this one
	// (1&1's "Nemesis ESMTP Service ready" is not go-smtp's "ESMTP
	// Service Ready").
	BannerExcludes []string `json:"banner_excludes,omitempty"`
	// ReplyMarkers are case-insensitive substrings of any reply line that
	// only this provider writes ("- gsmtp"). They must not be plain email
	// domains: replies quote addresses.
	ReplyMarkers []string `json:"reply_markers,omitempty"`

	// EmailDomains are the consumer address domains whose mail this
	// provider hosts (gmail.com); hosted custom domains cannot be listed.
	EmailDomains []string `json:"email_domains,omitempty"`
	// Submission are the endpoints for authenticated submission, the
	// preferred first.
	Submission []Endpoint `json:"submission,omitempty"`
	// Regions fill the "{region}" placeholder of Submission hosts.
	Regions []string `json:"regions,omitempty"`

	// UsernameHint says what the username is, in words.
	UsernameHint string `json:"username_hint,omitempty"`
	// UsernameIsAddress is true when the username must be the full email
	// address (so "alice" instead of "alice@example.com" is a likely cause).
	UsernameIsAddress bool `json:"username_is_address,omitempty"`
	// PasswordHint says what goes in the password field, in words.
	PasswordHint string `json:"password_hint,omitempty"`

	// AppPasswordURL is where a user creates an app password (or the
	// service's SMTP credential), when the provider has them.
	AppPasswordURL string `json:"app_password_url,omitempty"`
	// DocsURL is the provider's own page about SMTP settings or submission.
	DocsURL string `json:"docs_url,omitempty"`
	// AuthDocsURL is the provider's page about SMTP authentication being
	// enabled, disabled or refused, when there is a specific one.
	AuthDocsURL string `json:"auth_docs_url,omitempty"`
	// OAuthDocsURL explains XOAUTH2/OAUTHBEARER for this provider.
	OAuthDocsURL string `json:"oauth_docs_url,omitempty"`
	// SenderDocsURL explains verifying senders/identities or Send As.
	SenderDocsURL string `json:"sender_docs_url,omitempty"`
	// StatusURL is the provider's public service status page.
	StatusURL string `json:"status_url,omitempty"`

	// Replies are this provider's own phrasings of its refusals, with the
	// diagnosis each means. The diagnosis consults them before its generic
	// rules whenever this provider is recognised (by host, banner or reply
	// marker), so a provider that says "authorization code required" in
	// its own words is read right without teaching the generic rules that
	// phrase. See ReplyPattern.
	Replies []ReplyPattern `json:"replies,omitempty"`
	// Advice is this provider's own remediation, by diagnosis code: the
	// steps its users take, on its own settings pages. The diagnosis puts
	// them before the generic steps of the code (or instead of them, with
	// Replace).
	Advice []Advice `json:"advice,omitempty"`
}

// Advice is the provider's own steps for one diagnosis code.
type Advice struct {
	Code  probe.Code `json:"code"`
	Steps []string   `json:"steps"`
	// Replace drops the generic steps of the code: the provider's own
	// say everything, and the generic ones would mislead (an "app
	// password" step for a sending service that uses API keys).
	Replace bool `json:"replace,omitempty"`
}

// AdviceFor returns the provider's own advice for a diagnosis code.
func (p Provider) AdviceFor(code probe.Code) (Advice, bool) {
	for _, a := range p.Advice {
		if a.Code == code {
			a.Steps = append([]string(nil), a.Steps...)
			return a, true
		}
	}
	return Advice{}, false
}

// ReplyPattern is one reply a provider really sends, and what it means.
// It matches a failed step's reply when every field that is set holds:
//
//   - Step is the step the reply came at (probe.StepAuth, probe.StepMail,
//     probe.StepRcpt, probe.StepData, ...); empty matches any step.
//   - Words are lower-case substrings of the reply text (every line, the
//     enhanced codes stripped, joined by spaces); all must appear. Keep
//     them short and stable: the provider's wording drifts over time.
//   - Code is the three-digit reply code; 0 matches any.
//   - Why is the diagnosis code the reply means (probe.CodeAuthAppPasswordRequired).
//   - Source is the URL where the reply text was seen (a public bug
//     report, the provider's own documentation); required.
//
// Patterns are tried in table order and the first that matches wins, so
// put a narrower pattern before a broader one. The diagnosis records the
// pattern it used (provider key, Why, the matched words) in the result's
// diagnosis.rule, so a wrong pattern is easy to find.
type ReplyPattern struct {
	Step   string     `json:"step,omitempty"`
	Words  []string   `json:"words"`
	Code   int        `json:"code,omitempty"`
	Why    probe.Code `json:"why"`
	Source string     `json:"source"`
}

// Match reports whether the pattern holds for a reply: its step, its
// code and its text lower-cased (as described on ReplyPattern).
func (rp ReplyPattern) Match(step string, code int, text string) bool {
	if len(rp.Words) == 0 {
		return false
	}
	if rp.Step != "" && rp.Step != step {
		return false
	}
	if rp.Code != 0 && rp.Code != code {
		return false
	}
	for _, w := range rp.Words {
		if !strings.Contains(text, strings.ToLower(w)) {
			return false
		}
	}
	return true
}

// Endpoints returns the submission endpoints with "{region}" filled in.
// An empty region uses the first of Regions.
func (p Provider) Endpoints(region string) []Endpoint {
	if region == "" && len(p.Regions) > 0 {
		region = p.Regions[0]
	}
	out := make([]Endpoint, len(p.Submission))
	for i, e := range p.Submission {
		e.Host = strings.ReplaceAll(e.Host, "{region}", region)
		out[i] = e
	}
	return out
}

// All returns every known provider, services first, in a stable order.
// The slice is a copy; callers may keep or change it.
func All() []Provider {
	out := make([]Provider, len(table))
	for i, p := range table {
		out[i] = clone(p)
	}
	return out
}

// ByKey finds a provider by its Key.
func ByKey(key string) (Provider, bool) {
	for _, p := range table {
		if p.Key == key {
			return clone(p), true
		}
	}
	return Provider{}, false
}

// ForEmailDomain finds the provider that hosts addresses at domain
// ("gmail.com"), or an address's domain when given a whole address.
func ForEmailDomain(domain string) (Provider, bool) {
	if i := strings.LastIndexByte(domain, '@'); i >= 0 {
		domain = domain[i+1:]
	}
	domain = normalHost(domain)
	if domain == "" {
		return Provider{}, false
	}
	for _, p := range table {
		for _, d := range p.EmailDomains {
			if d == domain {
				return clone(p), true
			}
		}
	}
	return Provider{}, false
}

// ForHost finds the provider whose submission or MX hosts match host
// ("aspmx.l.google.com", "smtp.office365.com"): for discovery, which
// knows a domain's MX hosts but has no conversation to read.
func ForHost(host string) (Provider, bool) {
	return byHost(normalHost(host))
}

// Recognise names the provider or server software behind a conversation,
// from the host the user typed, the greeting lines, the domain in the EHLO
// reply and any reply lines. Evidence is weighed in this order, because
// names are harder to fake by accident than words: the host typed, then the
// names the server gives itself, then markers of hosted services in the
// greeting or replies, then server software markers in the greeting. Hosted
// services win over software because the advice for them is specific.
func Recognise(host string, banner []string, ehloDomain string, replyLines []string) (Provider, bool) {
	if p, ok := byHost(normalHost(host)); ok {
		return p, true
	}
	names := []string{normalHost(ehloDomain)}
	for _, b := range banner {
		names = append(names, normalHost(firstWord(b)))
	}
	for _, n := range names {
		if p, ok := byHost(n); ok {
			return p, true
		}
	}
	bannerText := strings.ToLower(strings.Join(append(append([]string{}, banner...), ehloDomain), "\n"))
	replyText := strings.ToLower(strings.Join(replyLines, "\n"))
	for _, kind := range []Kind{KindService, KindSoftware} {
		for _, p := range table {
			if p.Kind != kind {
				continue
			}
			banner := containsAny(bannerText, p.BannerMarkers) && !containsAny(bannerText, p.BannerExcludes)
			if banner || containsAny(replyText, p.ReplyMarkers) {
				return clone(p), true
			}
		}
	}
	return Provider{}, false
}

func byHost(h string) (Provider, bool) {
	if h == "" {
		return Provider{}, false
	}
	for _, p := range table {
		for _, pat := range p.Hosts {
			if matchHost(pat, h) {
				return clone(p), true
			}
		}
	}
	return Provider{}, false
}

// matchHost matches a lower-case host name against a pattern in which
// each "*" stands for one or more characters, dots included.
func matchHost(pat, h string) bool {
	first, rest, star := strings.Cut(pat, "*")
	if !star {
		return pat == h
	}
	if !strings.HasPrefix(h, first) {
		return false
	}
	h = h[len(first):]
	for {
		mid, more, another := strings.Cut(rest, "*")
		if !another {
			// rest is the last piece; the star before it takes at
			// least one character.
			return len(h) > len(rest) && strings.HasSuffix(h, rest)
		}
		if len(h) < 1 {
			return false
		}
		i := strings.Index(h[1:], mid)
		if i < 0 {
			return false
		}
		h, rest = h[1+i+len(mid):], more
	}
}

func containsAny(text string, markers []string) bool {
	for _, m := range markers {
		if strings.Contains(text, strings.ToLower(m)) {
			return true
		}
	}
	return false
}

func normalHost(h string) string {
	return strings.ToLower(probe.BareHost(h))
}

func firstWord(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i]
	}
	return s
}

// clone copies the slices so callers cannot change the table.
func clone(p Provider) Provider {
	p.Hosts = append([]string(nil), p.Hosts...)
	p.BannerMarkers = append([]string(nil), p.BannerMarkers...)
	p.BannerExcludes = append([]string(nil), p.BannerExcludes...)
	p.ReplyMarkers = append([]string(nil), p.ReplyMarkers...)
	p.EmailDomains = append([]string(nil), p.EmailDomains...)
	p.Submission = append([]Endpoint(nil), p.Submission...)
	p.Regions = append([]string(nil), p.Regions...)
	p.Replies = append([]ReplyPattern(nil), p.Replies...)
	for i := range p.Replies {
		p.Replies[i].Words = append([]string(nil), p.Replies[i].Words...)
	}
	p.Advice = append([]Advice(nil), p.Advice...)
	for i := range p.Advice {
		p.Advice[i].Steps = append([]string(nil), p.Advice[i].Steps...)
	}
	return p
}
