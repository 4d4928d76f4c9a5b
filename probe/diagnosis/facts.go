package diagnosis

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/provider"
)

// Facts is the view of a Result that rules read: the failure taken apart,
// the reply text normalised once, and the facts about TLS, AUTH and the
// provider that decide between look-alike replies.
type Facts struct {
	R *probe.Result

	Step     string     // failed step; "ehlo_tls" is folded into "ehlo"
	Command  string     // as sent, redacted
	Code     probe.Code // diagnosis code the probe established, if any
	Reply    int        // 0 when the server sent no reply
	Enhanced string     // "5.7.8", from the failure or the first line
	Lines    []string
	// Text is every reply line, enhanced codes stripped, joined by spaces
	// and lower-cased, so that phrases split across lines still match.
	Text string

	Provider    provider.Provider
	HasProvider bool
	// UserProvider hosts the username's address domain (alice@gmail.com);
	// it suggests settings when the server itself gave no clue.
	UserProvider    provider.Provider
	HasUserProvider bool

	TLSActive       bool // a TLS session was up when the failure happened
	StartTLSOffered bool // the plaintext EHLO advertised STARTTLS
	AuthBeforeTLS   []string
	AuthAfterTLS    []string
	AuthAttempted   bool // a username was given, so AUTH was asked for
	AuthSucceeded   bool
	Mech            string // as used, upper case
	OAuth           bool   // the mechanism is XOAUTH2 or OAUTHBEARER
	Hints           map[probe.Code]bool

	wordList []string // the reply's words, once split (signs.go)
	// intercept is set when another operator's server answered for the
	// provider whose host was typed (intercept.go).
	intercept *interception
	// ms is the Microsoft 365 refusal the reply is, if any (microsoft.go).
	ms *msRefusal

	// Primary is the diagnosis once chosen; findings read it.
	Primary probe.Code
}

func newFacts(r *probe.Result) *Facts {
	f := &Facts{R: r, Hints: map[probe.Code]bool{}}
	if fl := r.Failure; fl != nil {
		f.Step = fl.Step
		if f.Step == probe.StepEHLOTLS {
			f.Step = probe.StepEHLO
		}
		f.Command = fl.Command
		f.Code = fl.Code
		f.Reply = fl.Reply
		f.Lines = fl.Lines
		f.Enhanced = fl.Enhanced
		if f.Enhanced == "" && len(fl.Lines) > 0 {
			f.Enhanced = leadingEnhanced(fl.Lines[0])
		}
		f.Text = strings.ToLower(strings.Join(stripEnhanced(fl.Lines), " "))
	}
	if r.TLS != nil && r.TLS.Version != "" {
		f.TLSActive = true
	}
	if r.Server != nil {
		for _, e := range r.Server.Extensions {
			if strings.EqualFold(firstField(e), "STARTTLS") {
				f.StartTLSOffered = true
			}
		}
	}
	if a := r.Auth; a != nil {
		f.AuthBeforeTLS = a.OfferedBeforeTLS
		f.AuthAfterTLS = a.OfferedAfterTLS
		f.AuthSucceeded = a.Succeeded
		f.Mech = strings.ToUpper(a.Mechanism)
	}
	f.AuthAttempted = r.Settings.User != ""
	if f.Mech == "" && r.Settings.Mech != "" && r.Settings.Mech != probe.MechAuto {
		f.Mech = strings.ToUpper(string(r.Settings.Mech))
	}
	f.OAuth = f.Mech == "XOAUTH2" || f.Mech == "OAUTHBEARER" || (r.Auth != nil && len(r.Auth.OAuthError) > 0)
	for _, o := range r.Observations {
		f.Hints[o.Code] = true
	}

	var banner []string
	var ehloDomain string
	if r.Server != nil {
		banner, ehloDomain = r.Server.Banner, r.Server.EHLODomain
	}
	f.Provider, f.HasProvider = provider.Recognise(r.Settings.Host, banner, ehloDomain, f.Lines)
	if f.HasProvider && markerClash(r.Settings.Host, banner, ehloDomain, f.Provider) {
		// Only a banner marker named it, and another product's marker
		// matches the same banner: naming either could be wrong, and
		// wrong advice is worse than general advice.
		f.Provider, f.HasProvider = provider.Provider{}, false
	}
	// Microsoft 365 and Outlook.com share servers and reply texts; the
	// user's address tells them apart.
	if q, ok := provider.ForEmailDomain(r.Settings.User); ok {
		f.UserProvider, f.HasUserProvider = q, true
		if f.HasProvider && f.Provider.Kind == provider.KindService && f.Provider.Family != "" && q.Family == f.Provider.Family {
			f.Provider = q
		}
	}
	if in, ok := detectInterception(r); ok {
		// The typed host's provider did not answer: its advice would
		// mislead. The software that did answer may be named.
		f.intercept = &in
		f.Provider, f.HasProvider = in.Software, in.HasSoft
	}
	f.ms = microsoftRefusal(f)
	return f
}

// markerClash reports whether p was recognised by banner markers alone
// (no host name of p was seen) while another provider of another family
// has a marker in the same banner.
func markerClash(host string, banner []string, ehloDomain string, p provider.Provider) bool {
	names := []string{host, ehloDomain}
	for _, b := range banner {
		names = append(names, firstField(b))
	}
	for _, n := range names {
		if q, ok := provider.ForHost(n); ok && q.Key == p.Key {
			return false
		}
	}
	text := strings.ToLower(strings.Join(append(append([]string{}, banner...), ehloDomain), "\n"))
	if !markersIn(text, p.BannerMarkers) {
		return false // recognised by a reply marker, not the banner
	}
	for _, q := range provider.All() {
		if q.Key == p.Key || (q.Family != "" && q.Family == p.Family) {
			continue
		}
		if markersIn(text, q.BannerMarkers) {
			return true
		}
	}
	return false
}

func markersIn(text string, markers []string) bool {
	for _, m := range markers {
		if m != "" && strings.Contains(text, strings.ToLower(m)) {
			return true
		}
	}
	return false
}

// is reports whether the provider (or software) recognised is one of keys.
func (f *Facts) is(keys ...string) bool {
	if !f.HasProvider {
		return false
	}
	for _, k := range keys {
		if f.Provider.Key == k {
			return true
		}
	}
	return false
}

// class is the first digit of the reply code.
func (f *Facts) class() int { return f.Reply / 100 }

// has reports whether the reply text holds any of the phrases.
func (f *Facts) has(phrases ...string) bool {
	for _, p := range phrases {
		if strings.Contains(f.Text, p) {
			return true
		}
	}
	return false
}

// phrase returns the first of phrases the reply text holds.
func (f *Facts) phrase(phrases ...string) (string, bool) {
	for _, p := range phrases {
		if strings.Contains(f.Text, p) {
			return p, true
		}
	}
	return "", false
}

// quote is the server's reply as one line of plain text in quotes: the
// code, the enhanced code once, and every line's words. The transcript
// keeps the exact bytes; this is for reading.
func (f *Facts) quote() string {
	if f.Reply == 0 {
		return ""
	}
	return `"` + replyLine(f.Reply, f.Lines) + `"`
}

// replyLine renders a reply on one line, dropping the enhanced code that
// RFC 2034 repeats on continuation lines.
func replyLine(code int, lines []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", code)
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if i > 0 {
			l = strings.TrimSpace(strings.TrimPrefix(l, leadingEnhanced(l)))
		}
		if l != "" {
			b.WriteByte(' ')
			b.WriteString(l)
		}
	}
	return plain(b.String(), 600)
}

// plain keeps text printable and bounded: server text is untrusted, and a
// summary is one paragraph.
func plain(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return '?'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}

// reason is the probe's own description of a failure with no reply.
func (f *Facts) reason() string {
	if f.R.Failure == nil || f.R.Failure.Err == "" {
		return ""
	}
	return plain(f.R.Failure.Err, 400)
}

// detail is the probe's reason as a sentence of its own.
func (f *Facts) detail() string {
	if r := f.reason(); r != "" {
		if f.R.Kind == probe.KindExplain {
			return sentence("The pasted text says: " + r)
		}
		return sentence("The probe saw: " + r)
	}
	return ""
}

// answered says what the server replied and to what, or that it did not:
// "it answered "535 5.7.8 ..." in reply to AUTH PLAIN [redacted]".
func (f *Facts) answered() string {
	if f.Reply == 0 {
		s := "no reply came " + f.after()
		if r := f.reason(); r != "" {
			s += " (" + r + ")"
		}
		return s
	}
	return "it answered " + f.quote() + " " + f.at()
}

// sentence ends s with a full stop unless it ends a sentence already.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// after names the last command for failures without a reply: "after
// AUTH PLAIN [redacted]".
func (f *Facts) after() string {
	if c := strings.TrimSpace(f.Command); c != "" {
		return "after the client sent " + commandWords(c)
	}
	return "during the " + stepWords(f.Step) + " step"
}

// target is host:port as the user gave it.
func (f *Facts) target() string {
	s := f.R.Settings
	if s.Host == "" {
		return "the server"
	}
	if s.Port == 0 {
		return s.Host
	}
	return net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
}

// at names where the failure happened, for sentences: "at AUTH PLAIN".
func (f *Facts) at() string {
	if c := strings.TrimSpace(f.Command); c != "" {
		return "in reply to " + commandWords(c)
	}
	return "at the " + stepWords(f.Step) + " step"
}

// commandWords quotes a command for a sentence. The probe's redaction
// note (user, password length) is for the transcript; in a summary it only
// made the sentence long enough to be cut in the middle.
func commandWords(c string) string {
	if i := strings.Index(c, " [redacted"); i > 0 {
		c = c[:i] + " (credentials redacted)"
	}
	return plain(c, 80)
}

func stepWords(step string) string {
	switch step {
	case probe.StepResolve:
		return "DNS lookup"
	case probe.StepConnect:
		return "connect"
	case probe.StepTLS:
		return "TLS handshake"
	case probe.StepGreeting:
		return "greeting"
	case probe.StepEHLO, probe.StepEHLOTLS:
		return "EHLO"
	case probe.StepStartTLS:
		return "STARTTLS"
	case probe.StepAuth:
		return "AUTH"
	case probe.StepMail:
		return "MAIL FROM"
	case probe.StepRcpt:
		return "RCPT TO"
	case probe.StepData:
		return "DATA"
	case probe.StepQuit:
		return "QUIT"
	case "":
		return "unknown"
	}
	return step
}

// who is whom to escalate to: the recognised service, the administrator
// of recognised server software, or either.
func (f *Facts) who() string {
	switch {
	case f.HasProvider && f.Provider.Kind == provider.KindService:
		return f.Provider.Name
	case f.HasProvider:
		return "the server's administrator"
	}
	return "your mail provider or the server's administrator"
}

// when is the probe's start time for escalation messages.
func (f *Facts) when() string {
	if f.R.StartedAt.IsZero() {
		return "the time of this test"
	}
	return f.R.StartedAt.UTC().Format(time.RFC3339)
}

// escalate is the step that says what to send when asking for help, so
// that the provider's support can find the attempt in their logs.
func (f *Facts) escalate(who string) string {
	var what []string
	what = append(what, "the permalink of this report")
	if q := f.quote(); q != "" {
		what = append(what, "the server's reply "+q)
	} else if r := f.reason(); r != "" {
		what = append(what, "what happened ("+r+")")
	}
	what = append(what, "the time "+f.when())
	if f.R.Server != nil && f.R.Server.Address != "" {
		what = append(what, "the server address "+f.R.Server.Address)
	}
	return fmt.Sprintf("If it still fails, contact %s and send %s.", who, joinAnd(what))
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// leadingEnhanced returns the RFC 3463 code at the start of s, or "".
func leadingEnhanced(s string) string {
	s = strings.TrimSpace(s)
	w := firstField(s)
	parts := strings.Split(w, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || (parts[0] != "2" && parts[0] != "4" && parts[0] != "5") {
		return ""
	}
	for _, p := range parts[1:] {
		if p == "" || len(p) > 3 {
			return ""
		}
		for _, c := range p {
			if c < '0' || c > '9' {
				return ""
			}
		}
	}
	return w
}

func stripEnhanced(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		l = strings.TrimSpace(l)
		out[i] = strings.TrimSpace(strings.TrimPrefix(l, leadingEnhanced(l)))
	}
	return out
}

func firstField(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i]
	}
	return s
}

// enhancedDetail is "7.8" for "5.7.8": the subject and detail, which mean
// the same in the 4 and 5 classes (RFC 3463 §2).
func enhancedDetail(e string) string {
	if i := strings.IndexByte(e, '.'); i >= 0 {
		return e[i+1:]
	}
	return ""
}
