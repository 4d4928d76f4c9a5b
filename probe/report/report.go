// Package report writes a result as plain text for people: the terminal
// report of `smtpdoctor probe` and the dashboard's .txt export are this one
// rendering. The verdict comes first, then what to do, then the evidence.
package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Options say how a result is written. The zero value is plain text.
type Options struct {
	// Color writes ANSI colours, for a terminal.
	Color bool
	// Link is the result's permalink, written under the heading when set.
	Link string
}

// Text is the report as a string.
func Text(r probe.Result, o Options) string {
	var b strings.Builder
	Write(&b, r, o)
	return b.String()
}

// Write writes the report to w, and returns the first write error.
func Write(w io.Writer, r probe.Result, o Options) error {
	bw := bufio.NewWriter(w)
	p := PaletteFor(o.Color)
	e := probe.Escape
	explained := r.Kind == probe.KindExplain
	if explained {
		writeExplainedHeading(bw, r, o, p)
	} else {
		writeHeading(bw, r, o, p)
	}
	writeVerdict(bw, r, p)
	if len(r.Findings) > 0 {
		fmt.Fprintf(bw, "\n%sAlso found%s\n", p.Bold, p.Reset)
		for _, f := range r.Findings {
			fmt.Fprintf(bw, "  - %s [%s, %s]: %s\n", e(f.Title), f.Code, f.Severity, e(f.Detail))
		}
	}
	writeLogSummary(bw, r.LogSummary, p)
	writeSteps(bw, r.Steps, p)
	if explained {
		writeExplainedTLS(bw, r.TLS, p)
	} else {
		writeTLS(bw, r.TLS, p)
	}
	writeTranscript(bw, r, p)
	return bw.Flush()
}

func writeHeading(w io.Writer, r probe.Result, o Options, p Palette) {
	e := probe.Escape
	s := r.Settings
	fmt.Fprintf(w, "%ssmtpdoctor%s  %s:%d  security %s", p.Bold, p.Reset, e(s.Host), s.Port, e(string(s.Security)))
	if s.User != "" {
		fmt.Fprintf(w, "  as %s (mechanism %s)", e(s.User), e(string(s.Mech)))
	}
	fmt.Fprintln(w)
	if s.From != "" || s.To != "" {
		fmt.Fprintf(w, "envelope from %s to %s\n", e(OrDash(s.From)), e(OrDash(s.To)))
	}
	if !r.StartedAt.IsZero() {
		fmt.Fprintf(w, "%s%s, from %s, took %s%s\n", p.Dim, r.StartedAt.UTC().Format("2006-01-02 15:04:05 MST"),
			e(orUnknown(r.Origin)), time.Duration(r.DurationMS)*time.Millisecond, p.Reset)
	}
	if o.Link != "" {
		fmt.Fprintf(w, "%s\n", e(o.Link))
	}
	// The command line only ever writes finished results; a stored one may
	// still be on its way, or have been cut off.
	if r.Status != "" && r.Status != probe.StatusDone {
		fmt.Fprintf(w, "%sstatus %s%s\n", p.Yellow, r.Status, p.Reset)
	}
}

func writeVerdict(w io.Writer, r probe.Result, p Palette) {
	d := r.Diagnosis
	if d == nil {
		return
	}
	e := probe.Escape
	colour, mark := p.Green, "OK"
	switch r.Outcome {
	case probe.OutcomeWarning:
		colour, mark = p.Yellow, "WARNING"
	case probe.OutcomeFailure:
		colour, mark = p.Red, "FAILURE"
	}
	fmt.Fprintf(w, "\n%s%s%s  %s%s%s  [%s]\n", colour+p.Bold, mark, p.Reset, p.Bold, e(d.Title), p.Reset, d.Code)
	fmt.Fprintf(w, "  %s\n", lines(d.Summary, "  "))
	if len(d.Remediation) > 0 {
		fmt.Fprintf(w, "\n%sWhat to do%s\n", p.Bold, p.Reset)
		for i, step := range d.Remediation {
			fmt.Fprintf(w, "  %d. %s\n", i+1, lines(step, "     "))
		}
	}
	for _, l := range d.Links {
		fmt.Fprintf(w, "  see: %s %s\n", e(l.Title), e(l.URL))
	}
}

func writeSteps(w io.Writer, steps []probe.Step, p Palette) {
	if len(steps) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%sSteps%s\n", p.Bold, p.Reset)
	for _, st := range steps {
		c := p.Green
		switch st.Status {
		case probe.StepFailed:
			c = p.Red
		case probe.StepWarning:
			c = p.Yellow
		case probe.StepSkipped, probe.StepRunning:
			c = p.Dim
		}
		fmt.Fprintf(w, "  %s%-8s%s %-9s %6d ms  %s\n", c, st.Status, p.Reset, st.Name, st.DurationMS, probe.Escape(st.Detail))
	}
}

func writeTLS(w io.Writer, t *probe.TLSInfo, p Palette) {
	if t == nil {
		return
	}
	e := probe.Escape
	fmt.Fprintf(w, "\n%sTLS%s  %s, %s (%s)\n", p.Bold, p.Reset, e(t.Version), e(t.CipherSuite), t.Mode)
	if t.Verified {
		fmt.Fprintf(w, "  certificate verified for %s\n", e(t.ServerName))
	} else if t.VerifyError != "" {
		fmt.Fprintf(w, "  %scertificate NOT verified:%s %s\n", p.Yellow, p.Reset, e(t.VerifyError))
	}
	for i, c := range t.Chain {
		fmt.Fprintf(w, "  [%d] %s, issued by %s, valid %s to %s\n      sha256 %s\n", i, e(c.Subject), e(c.Issuer),
			c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"), e(c.SHA256))
	}
}

func writeTranscript(w io.Writer, r probe.Result, p Palette) {
	if len(r.Transcript) == 0 {
		return
	}
	if r.Kind == probe.KindExplain {
		fmt.Fprintf(w, "\n%sTranscript%s (as the pasted text shows it; C: client, S: server, --: other lines; secrets removed)\n", p.Bold, p.Reset)
	} else {
		fmt.Fprintf(w, "\n%sTranscript%s (C: client, S: server; passwords redacted)\n", p.Bold, p.Reset)
	}
	for _, l := range r.Transcript {
		c := ""
		if l.Dir == probe.DirNote {
			c = p.Dim
		}
		fmt.Fprintf(w, "  %s%6d ms %s %s%s\n", c, l.AtMS, DirTag(l.Dir), probe.Escape(l.Text), p.Reset)
	}
	if r.TranscriptCut {
		fmt.Fprintln(w, "  (transcript cut: the server sent more than smtpdoctor keeps)")
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown machine"
	}
	return s
}

// OrDash is s, or a dash when s is empty: how a report, a page or a
// table shows a value that is not there.
func OrDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// DirTag is how a transcript line's direction is tagged: "C:" for what
// smtpdoctor sent, "S:" for what the server sent, "--" for a note.
func DirTag(d probe.Direction) string {
	switch d {
	case probe.DirClient:
		return "C:"
	case probe.DirServer:
		return "S:"
	}
	return "--"
}
