package report

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// rejected is a finished failed login as the lifecycle stores it.
func rejected() probe.Result {
	return probe.Result{
		ID: "abc", Status: probe.StatusDone, Outcome: probe.OutcomeFailure,
		Settings:  probe.Settings{Host: "smtp.example.com", Port: 587, Security: probe.SecurityStartTLS, User: "me@example.com", Mech: probe.MechAuto},
		StartedAt: time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC), DurationMS: 1250, Origin: "ops-laptop",
		Diagnosis: &probe.Diagnosis{Code: probe.CodeAuthCredentialsRejected, Severity: probe.SeverityError,
			Title: "The password was refused", Summary: "The server said 535.\nIt means the password is wrong.",
			Remediation: []string{"Check the password.", "Reset it."}},
		Findings: []probe.Finding{{Code: probe.CodeTLSCertUntrusted, Severity: probe.SeverityWarning, Title: "Untrusted certificate", Detail: "self-signed"}},
		Steps:    []probe.Step{{Name: probe.StepAuth, Status: probe.StepFailed, DurationMS: 40, Detail: "535 5.7.8"}},
		Transcript: []probe.Line{
			{AtMS: 0, Dir: probe.DirServer, Text: "220 smtp.example.com ESMTP"},
			{AtMS: 40, Dir: probe.DirServer, Text: "535 5.7.8 Authentication credentials invalid"},
		},
	}
}

func TestTextPutsTheVerdictFirstThenTheEvidence(t *testing.T) {
	out := Text(rejected(), Options{Link: "https://doctor.example/p/abc"})
	order := []string{
		"smtpdoctor  smtp.example.com:587  security starttls  as me@example.com (mechanism auto)",
		"2026-11-30 17:00:00 UTC, from ops-laptop, took 1.25s",
		"https://doctor.example/p/abc",
		"FAILURE  The password was refused  [auth.credentials_rejected]",
		"  The server said 535.\n  It means the password is wrong.",
		"What to do", "  1. Check the password.", "  2. Reset it.",
		"Also found", "Untrusted certificate [tls.cert_untrusted, warning]: self-signed",
		"Steps", "failed   auth", "Transcript", "S: 220 smtp.example.com ESMTP", "S: 535 5.7.8",
	}
	at := 0
	for _, want := range order {
		i := strings.Index(out[at:], want)
		if i < 0 {
			t.Fatalf("report lacks %q after byte %d:\n%s", want, at, out)
		}
		at += i + len(want)
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("plain report has colour sequences:\n%q", out)
	}
	if strings.Contains(out, "status ") {
		t.Errorf("a finished attempt names its status:\n%s", out)
	}
}

func TestColorOnlyWhenAsked(t *testing.T) {
	out := Text(rejected(), Options{Color: true})
	if !strings.Contains(out, "\x1b[31m\x1b[1mFAILURE\x1b[0m") {
		t.Errorf("coloured report does not mark the failure red:\n%q", out)
	}
}

// A hostile server, or a stored result from before escaping was complete,
// must not reach the terminal raw: no escape sequence acts, no bidi
// override turns "denied" around, no zero-width character hides.
func TestServerTextIsShownNotActedUpon(t *testing.T) {
	r := rejected()
	r.Settings.Host = "smtp.example.com\x1b[2J"
	r.Diagnosis.Title = "refused \u202edeined"
	r.Diagnosis.Summary = "line one\x07\nline two\u200b"
	r.Findings[0].Detail = "csi \u009b2J"
	r.Transcript = append(r.Transcript, probe.Line{Dir: probe.DirServer, Text: "220 evil \x1b]0;pwned\x07\x1b[2J banner"})
	r.TLS = &probe.TLSInfo{Version: "TLS 1.3", Chain: []probe.Certificate{{Subject: "CN=\u2066evil\u2069"}}}
	out := Text(r, Options{})
	for _, raw := range []string{"\x1b", "\x07", "\u202e", "\u200b", "\u009b", "\u2066", "\u2069"} {
		if strings.Contains(out, raw) {
			t.Errorf("report passes %q raw:\n%q", raw, out)
		}
	}
	for _, shown := range []string{`\x1b]0;pwned\x07\x1b[2J banner`, `refused \u202edeined`, `line one\x07` + "\n  " + `line two\u200b`, `csi \u009b2J`, `CN=\u2066evil\u2069`, `smtp.example.com\x1b[2J`} {
		if !strings.Contains(out, shown) {
			t.Errorf("report does not show %q:\n%s", shown, out)
		}
	}
}

func TestUnfinishedAttemptSaysSo(t *testing.T) {
	out := Text(probe.Result{Status: probe.StatusInterrupted, Settings: probe.Settings{Host: "smtp.example.com", Port: 465, Security: probe.SecurityTLS, From: "a@example.com"}}, Options{})
	for _, want := range []string{"status interrupted", "envelope from a@example.com to —"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	for _, absent := range []string{"Steps", "Transcript", "What to do", "0001-01-01"} {
		if strings.Contains(out, absent) {
			t.Errorf("report of an empty attempt has %q:\n%s", absent, out)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReturnsTheWriteError(t *testing.T) {
	if err := Write(failingWriter{}, rejected(), Options{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Write to a failing writer = %v", err)
	}
}

func TestOrDash(t *testing.T) {
	if OrDash("") != "—" || OrDash("x") != "x" {
		t.Errorf("OrDash: %q %q", OrDash(""), OrDash("x"))
	}
}
