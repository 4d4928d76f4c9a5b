package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"

	"golang.org/x/term"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// palette is the report's ANSI colours; the zero value prints plain text.
type palette struct{ red, yellow, green, dim, bold, reset string }

func useColor(mode string, w io.Writer, e env) palette {
	on := false
	switch mode {
	case "always":
		on = true
	case "never":
	default:
		// https://no-color.org: any value of NO_COLOR turns colour off.
		if f, ok := w.(*os.File); ok && e.get("NO_COLOR") == "" && e.get("TERM") != "dumb" {
			on = term.IsTerminal(int(f.Fd()))
		}
	}
	if !on {
		return palette{}
	}
	return palette{red: "\x1b[31m", yellow: "\x1b[33m", green: "\x1b[32m", dim: "\x1b[2m", bold: "\x1b[1m", reset: "\x1b[0m"}
}

// writeReport prints the human report: the verdict first, then what to do,
// then the evidence. Everything the server sent goes through clean, because
// a hostile banner could otherwise carry terminal escape sequences.
func writeReport(w io.Writer, r probe.Result, p palette) {
	s := r.Settings
	fmt.Fprintf(w, "%ssmtpdoctor%s  %s:%d  security %s", p.bold, p.reset, clean(s.Host), s.Port, s.Security)
	if s.User != "" {
		fmt.Fprintf(w, "  as %s", clean(s.User))
	}
	fmt.Fprintf(w, "\n%s%s, from %s, took %s%s\n\n", p.dim, r.StartedAt.UTC().Format("2006-01-02 15:04:05 MST"), orUnknown(r.Origin), time.Duration(r.DurationMS)*time.Millisecond, p.reset)

	colour, mark := p.green, "OK"
	switch r.Outcome {
	case probe.OutcomeWarning:
		colour, mark = p.yellow, "WARNING"
	case probe.OutcomeFailure:
		colour, mark = p.red, "FAILURE"
	}
	if d := r.Diagnosis; d != nil {
		fmt.Fprintf(w, "%s%s%s  %s%s%s  [%s]\n", colour+p.bold, mark, p.reset, p.bold, clean(d.Title), p.reset, d.Code)
		fmt.Fprintf(w, "%s\n", indent(clean(d.Summary), "  "))
		if len(d.Remediation) > 0 {
			fmt.Fprintf(w, "\n%sWhat to do%s\n", p.bold, p.reset)
			for i, step := range d.Remediation {
				fmt.Fprintf(w, "  %d. %s\n", i+1, indent(clean(step), "     ")[5:])
			}
		}
		for _, l := range d.Links {
			fmt.Fprintf(w, "  see: %s %s\n", clean(l.Title), clean(l.URL))
		}
	}
	if len(r.Findings) > 0 {
		fmt.Fprintf(w, "\n%sAlso found%s\n", p.bold, p.reset)
		for _, f := range r.Findings {
			fmt.Fprintf(w, "  - %s [%s]: %s\n", clean(f.Title), f.Code, clean(f.Detail))
		}
	}

	fmt.Fprintf(w, "\n%sSteps%s\n", p.bold, p.reset)
	for _, st := range r.Steps {
		c := p.green
		switch st.Status {
		case probe.StepFailed:
			c = p.red
		case probe.StepWarning:
			c = p.yellow
		case probe.StepSkipped, probe.StepRunning:
			c = p.dim
		}
		fmt.Fprintf(w, "  %s%-8s%s %-9s %6d ms  %s\n", c, st.Status, p.reset, st.Name, st.DurationMS, clean(st.Detail))
	}
	if t := r.TLS; t != nil {
		fmt.Fprintf(w, "\n%sTLS%s  %s, %s (%s)\n", p.bold, p.reset, t.Version, t.CipherSuite, t.Mode)
		if t.Verified {
			fmt.Fprintf(w, "  certificate verified for %s\n", clean(t.ServerName))
		} else if t.VerifyError != "" {
			fmt.Fprintf(w, "  %scertificate NOT verified:%s %s\n", p.yellow, p.reset, clean(t.VerifyError))
		}
		for i, c := range t.Chain {
			fmt.Fprintf(w, "  [%d] %s, issued by %s, valid %s to %s\n      sha256 %s\n", i, clean(c.Subject), clean(c.Issuer),
				c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"), c.SHA256)
		}
	}

	fmt.Fprintf(w, "\n%sTranscript%s (passwords redacted)\n", p.bold, p.reset)
	for _, l := range r.Transcript {
		tag := map[probe.Direction]string{probe.DirClient: "C:", probe.DirServer: "S:", probe.DirNote: "--"}[l.Dir]
		c := ""
		if l.Dir == probe.DirNote {
			c = p.dim
		}
		fmt.Fprintf(w, "  %s%6d ms %s %s%s\n", c, l.AtMS, tag, clean(l.Text), p.reset)
	}
	if r.TranscriptCut {
		fmt.Fprintln(w, "  (transcript cut: the server sent more than smtpdoctor keeps)")
	}
}

// clean makes untrusted text safe for a terminal: control characters,
// escape sequences included, are shown as \xNN instead of acted upon, and
// characters that change how text reads without being seen (bidirectional
// overrides, zero-width characters) as ⟨U+XXXX⟩.
func clean(s string) string {
	if strings.IndexFunc(s, isControl) < 0 && strings.IndexFunc(s, isHidden) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case isControl(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case isControl(r) || isHidden(r):
			fmt.Fprintf(&b, "⟨U+%04X⟩", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }

// isHidden: format characters (bidi controls, zero-width spaces and
// joiners, tags) and the line and paragraph separators.
func isHidden(r rune) bool { return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) }

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown machine"
	}
	return s
}
