// Package ticket writes a probe's result as Markdown for a bug report: a
// GitHub issue on a mail library, or a provider's support form. Maintainers
// of mail libraries ask for the same three things before they can help: the
// full transcript, the configuration, and whether SMTP AUTH is offered at
// all. The ticket has them, with the verdict first and the permalink last,
// and nothing secret: no password, no token, not even their length.
package ticket

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Link is where the full report lives.
type Link struct {
	// URL is the permalink, absolute.
	URL string
	// LocalOnly says the dashboard listens on loopback only, so the link
	// opens on this machine and nowhere else; the ticket says so.
	LocalOnly bool
}

// Markdown renders r as ticket text.
func Markdown(r probe.Result, link Link) string {
	var b strings.Builder
	title := "SMTP test"
	if d := r.Diagnosis; d != nil {
		title = d.Title
	}
	fmt.Fprintf(&b, "### SMTP: %s\n\n", prose(title))
	verdict(&b, r)
	settings(&b, r)
	findings(&b, r)
	transcript(&b, r)
	if link.URL != "" {
		fmt.Fprintf(&b, "Full report: %s\n", link.URL)
		if link.LocalOnly {
			b.WriteString("(This link works only on the machine that ran the test: its smtpdoctor dashboard listens on loopback.)\n")
		}
	}
	return b.String()
}

func verdict(b *strings.Builder, r probe.Result) {
	outcome := string(r.Outcome)
	if outcome == "" {
		outcome = string(r.Status)
	}
	d := r.Diagnosis
	if d == nil {
		fmt.Fprintf(b, "**Verdict:** %s\n\n", outcome)
		return
	}
	fmt.Fprintf(b, "**Verdict:** %s — %s (`%s`)\n\n", outcome, prose(d.Title), d.Code)
	if d.Summary != "" {
		fmt.Fprintf(b, "%s\n\n", prose(d.Summary))
	}
	if len(d.Remediation) > 0 {
		b.WriteString("**What to do**\n\n")
		for i, step := range d.Remediation {
			fmt.Fprintf(b, "%d. %s\n", i+1, prose(step))
		}
		b.WriteString("\n")
	}
}

func settings(b *strings.Builder, r probe.Result) {
	s := r.Settings
	b.WriteString("**Settings** (no password)\n\n| | |\n| --- | --- |\n")
	row := func(k, v string) { fmt.Fprintf(b, "| %s | %s |\n", k, v) }
	if s.Host != "" {
		// Pasted text (kind explain) may name no server at all.
		row("Server", code(hostPort(s.Host, s.Port)))
		row("Security", securityWords(s.Security, r.TLS))
	}
	if s.User != "" {
		row("Username", code(s.User))
		mech := strings.ToUpper(string(s.Mech))
		if r.Auth != nil && r.Auth.Mechanism != "" {
			mech = r.Auth.Mechanism + " (used)"
		}
		row("Mechanism", mech)
	} else {
		row("Username", "none (no AUTH attempted)")
	}
	if s.From != "" {
		row("MAIL FROM", code(s.From))
	}
	if s.To != "" {
		row("RCPT TO", code(s.To))
	}
	row("SMTP AUTH offered", authOffered(r))
	if t := r.TLS; t != nil && t.Version != "" {
		cert := "verified"
		if !t.Verified {
			cert = "not verified: " + t.VerifyError
		}
		row("TLS", t.Version+", certificate "+cell(cert))
	}
	when := "—"
	if !r.StartedAt.IsZero() {
		when = r.StartedAt.UTC().Format(time.DateTime) + " UTC"
	}
	if r.Origin != "" {
		when += " from " + cell(r.Origin)
	}
	row("Tested", when)
	b.WriteString("\n")
}

// authOffered answers the maintainers' question "is SMTP AUTH enabled?"
// from what the server advertised (RFC 4954 §3), before and after TLS.
func authOffered(r probe.Result) string {
	a := r.Auth
	if a == nil || len(a.OfferedBeforeTLS)+len(a.OfferedAfterTLS) == 0 {
		if r.Server != nil && (len(r.Server.Extensions) > 0 || len(r.Server.ExtensionsTLS) > 0) {
			return "no (the server's EHLO lists no AUTH)"
		}
		return "unknown (the conversation ended before EHLO)"
	}
	var parts []string
	if len(a.OfferedBeforeTLS) > 0 {
		parts = append(parts, strings.Join(a.OfferedBeforeTLS, " ")+" before TLS")
	}
	if len(a.OfferedAfterTLS) > 0 {
		parts = append(parts, strings.Join(a.OfferedAfterTLS, " ")+" after TLS")
	}
	return "yes: " + cell(strings.Join(parts, "; "))
}

func findings(b *strings.Builder, r probe.Result) {
	if len(r.Findings) == 0 {
		return
	}
	b.WriteString("**Also found**\n\n")
	for _, f := range r.Findings {
		fmt.Fprintf(b, "- %s (`%s`): %s\n", prose(f.Title), f.Code, prose(f.Detail))
	}
	b.WriteString("\n")
}

func transcript(b *strings.Builder, r probe.Result) {
	if len(r.Transcript) == 0 {
		return
	}
	var t strings.Builder
	for _, l := range r.Transcript {
		dir := "--"
		switch l.Dir {
		case probe.DirClient:
			dir = "C:"
		case probe.DirServer:
			dir = "S:"
		}
		fmt.Fprintf(&t, "%7d ms %s %s\n", l.AtMS, dir, scrub(l.Text))
	}
	if r.TranscriptCut {
		t.WriteString("(transcript cut at its size limit)\n")
	}
	// A fence longer than any run of backticks in the text, so a server
	// reply cannot close it (CommonMark §4.5).
	fence := strings.Repeat("`", max(3, longestRun(t.String(), '`')+1))
	fmt.Fprintf(b, "<details><summary>Transcript (C: client, S: server; secrets redacted)</summary>\n\n%s\n%s%s\n\n</details>\n\n", fence, t.String(), fence)
}

// secretLength matches the probe's redaction note "password 13
// characters": a length narrows a guess, so a ticket leaves it out.
var secretLength = regexp.MustCompile(`\b(password|token) \d+ characters?\b`)

// scrub removes what a ticket must not carry from text that is shown as it
// is: the length of a secret.
func scrub(s string) string {
	return secretLength.ReplaceAllString(s, "$1 withheld")
}

// inline keeps text that came from elsewhere on one line.
func inline(s string) string {
	return strings.Join(strings.Fields(scrub(s)), " ")
}

// markdownEscaper backslash-escapes the punctuation that means something in
// Markdown (CommonMark §2.4 lets any ASCII punctuation be escaped), so that
// a server's reply quoted in a summary stays text: no link, no image that
// loads from elsewhere, no heading, no HTML.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
	`!`, `\!`, `|`, `\|`, `#`, `\#`, `&`, `\&`, `~`, `\~`)

// prose is text from the result (ours or the server's) as one line of
// Markdown that reads as written.
func prose(s string) string { return markdownEscaper.Replace(inline(s)) }

// cell is prose for a table cell (prose already escapes the pipe).
func cell(s string) string { return prose(s) }

// code is inline code that a backtick in the value cannot end early.
func code(s string) string {
	s = inline(s)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return strings.ReplaceAll(fence+pad+s+pad+fence, "|", `\|`)
}

func longestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

func hostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}

func securityWords(s probe.Security, t *probe.TLSInfo) string {
	switch s {
	case probe.SecurityStartTLS:
		return "STARTTLS"
	case probe.SecurityTLS:
		return "implicit TLS (SSL/TLS)"
	case probe.SecurityNone:
		return "none (plaintext)"
	}
	switch {
	case t != nil && t.Mode == "implicit":
		return "auto: implicit TLS"
	case t != nil:
		return "auto: STARTTLS"
	}
	return "auto"
}
