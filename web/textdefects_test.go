package web

import (
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/static"
)

// The breakdown names each diagnosis by its title, totals every row and
// column, has a legend for its scale, and keeps a code in one piece: it
// was split by <wbr> with spaces around it, so a copied code read
// "auth. credentials_rejected".
func TestBreakdownReadsRight(t *testing.T) {
	e := newEnv(t, Config{})
	for range 2 {
		e.storedAttempt(func(r *probe.Result) { r.Diagnosis.Code = probe.CodeAuthCredentialsRejected })
	}
	e.storedAttempt(func(r *probe.Result) {
		r.Outcome = probe.OutcomeSuccess
		r.Diagnosis = &probe.Diagnosis{Code: probe.CodeOK, Title: "Everything worked"}
	})
	_, body := e.get("/breakdown")
	for _, want := range []string{
		`<code class="code-name">auth.credentials_rejected</code>`,
		`<span class="code-title">Everything worked</span>`,
		`<p class="heat-legend"`,
		`<th scope="row">All diagnoses</th>`,
		`<td class="num"><strong>3</strong></td>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("breakdown lacks %s", want)
		}
	}
	if strings.Contains(body, "<wbr") || strings.Contains(body, "Darker cells") {
		t.Errorf("codes split, or the scale described by a colour that dark mode inverts")
	}
}

// A refused connection's error was shown five times on its permalink: the
// summary, "Where it failed", the step's detail, the transcript, and the
// per-address row. The page keeps it in the summary and under "Where it
// failed"; the step points there, and a single address gets no row.
func TestRefusedErrorNotRepeated(t *testing.T) {
	e := newEnv(t, Config{})
	const why = "could not connect: 192.0.2.1:587: refused (dial tcp 192.0.2.1:587: connect: connection refused)"
	id := e.storedAttempt(func(r *probe.Result) {
		r.StartedAt = time.Now().UTC()
		r.Diagnosis = &probe.Diagnosis{Code: probe.CodeNetRefused, Title: "Connection refused", Summary: "Nothing listens there. The probe saw: " + why + "."}
		r.Failure = &probe.Failure{Step: probe.StepConnect, Code: probe.CodeNetRefused, Err: why}
		r.Steps = []probe.Step{{Name: probe.StepResolve, Status: probe.StepOK}, {Name: probe.StepConnect, Status: probe.StepFailed, Detail: why}}
		r.Transcript = []probe.Line{{Dir: probe.DirNote, Text: "connecting to 192.0.2.1:587"}}
		r.Network = &probe.NetworkInfo{Addresses: []probe.AddressAttempt{{Address: "192.0.2.1:587", Result: "refused", Error: "dial tcp 192.0.2.1:587: connect: connection refused"}}}
	})
	_, body := e.get("/p/" + id)
	// The ticket text is a copy of the report for pasting elsewhere; the
	// page around it is what is read.
	if i, j := strings.Index(body, "<textarea"), strings.Index(body, "</textarea>"); i >= 0 && j > i {
		body = body[:i] + body[j:]
	}
	if n := strings.Count(body, "dial tcp 192.0.2.1:587: connect: connection refused"); n != 2 {
		t.Errorf("the error is on the page %d times, want 2 (summary and where it failed)", n)
	}
	if !strings.Contains(body, "see “Where it failed”") {
		t.Errorf("the failed step does not point to where it failed")
	}
}

// Transcript lines wrap between words; only a token longer than the line
// breaks (word-break: break-all broke "Authentication" mid-word).
func TestTranscriptBreaksOnlyLongTokens(t *testing.T) {
	e := newEnv(t, Config{})
	_, css := e.get(static.URL("app.css"))
	for _, line := range strings.Split(css, "\n") {
		if strings.Contains(line, "ol.transcript") && strings.Contains(line, "break-all") {
			t.Errorf("transcript lines break anywhere: %s", line)
		}
	}
	if !strings.Contains(css, "ol.transcript li .text { overflow-wrap: anywhere; word-break: normal;") {
		t.Errorf("no rule that breaks only long tokens in the transcript")
	}
}
