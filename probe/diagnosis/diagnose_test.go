package diagnosis

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// TestPrecedence pins the order between look-alike causes: the root cause
// must win over what it also looks like.
func TestPrecedence(t *testing.T) {
	tests := []struct {
		name, want, over string
		r                *probe.Result
	}{
		{"starttls required beats auth not offered (503 before TLS)", "auth.requires_tls", "auth.not_offered",
			with(result(plainH, probe.StepAuth, 503, "5.5.1 Error: authentication not enabled"), plaintext)},
		{"starttls required beats credentials (530 at AUTH)", "auth.requires_tls", "auth.credentials_rejected",
			with(result(plainH, probe.StepAuth, 530, "5.7.0 Must issue a STARTTLS command first"), plaintext)},
		{"starttls required beats auth required (530 at MAIL)", "auth.requires_tls", "auth.required",
			with(result(plainH, probe.StepMail, 530, "5.7.0 Must issue a STARTTLS command first"), plaintext, noUser)},
		{"policy beats credentials (5.7.139)", "auth.blocked_by_policy", "auth.credentials_rejected",
			result(m365, probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, basic authentication is disabled.")},
		{"policy beats oauth when SMTP AUTH is off for the mailbox", "auth.blocked_by_policy", "auth.oauth_token_invalid",
			with(result(m365, probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox."), mech(probe.MechXOAUTH2))},
		{"basic auth removed beats sender refused (550 5.7.30 at MAIL, any relay)", "auth.blocked_by_policy", "sender.rejected",
			result("relay.example.net", probe.StepMail, 550, "5.7.30 Basic authentication is not supported for Client Submission.")},
		{"app password beats credentials (534 5.7.9)", "auth.app_password_required", "auth.credentials_rejected",
			result(gmail, probe.StepAuth, 534, "5.7.9 Application-specific password required.")},
		{"backend failure beats credentials (535 generic failure)", "auth.temporary_failure", "auth.credentials_rejected",
			result(plainH, probe.StepAuth, 535, "5.7.8 Error: authentication failed: generic failure")},
		{"old TLS beats service unavailable (421 4.7.66)", "tls.protocol_too_old", "smtp.service_unavailable",
			result(m365, probe.StepAuth, 421, "4.7.66 TLS 1.0 and 1.1 are not supported.")},
		{"throttling beats temporary failure (454 at MAIL)", "auth.rate_limited", "auth.temporary_failure",
			result(plainH, probe.StepMail, 454, "Throttling failure: Maximum sending rate exceeded.")},
		{"rate limit beats service unavailable (421 too many errors)", "auth.rate_limited", "smtp.service_unavailable",
			result(plainH, probe.StepAuth, 421, "4.7.0 mail.example.com Error: too many errors")},
		{"the probe's own code wins over reply words", "auth.mechanism_unsupported", "auth.credentials_rejected",
			with(result(plainH, probe.StepAuth, 535, "5.7.8 Authentication failed"), probeCode("auth.mechanism_unsupported", "no mechanism in common"))},
		{"504 after TLS is a mechanism, not TLS", "auth.mechanism_unsupported", "auth.requires_tls",
			result(plainH, probe.StepAuth, 504, "5.5.4 Unrecognized authentication type")},
		{"unauthenticated sender without login is auth.required", "auth.required", "sender.rejected",
			with(result("smtp.sendgrid.net", probe.StepMail, 550, "Unauthenticated senders not allowed"), noUser)},
		{"user unknown beats relay", "recipient.rejected", "relay.denied",
			result(plainH, probe.StepRcpt, 550, "5.1.1 <bob@example.net>: Recipient address rejected: User unknown")},
		{"454 at STARTTLS is TLS, not auth", "tls.starttls_failed", "auth.temporary_failure",
			with(result(plainH, probe.StepStartTLS, 454, "4.7.0 TLS not available due to local problem"), plaintext)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			Diagnose(tt.r)
			if got := tt.r.Diagnosis.Code; string(got) != tt.want {
				t.Fatalf("code = %s, want %s (over %s)", got, tt.want, tt.over)
			}
		})
	}
}

func TestOutcome(t *testing.T) {
	ok := func(opts ...func(*probe.Result)) *probe.Result {
		r := result(gmail, "", 0)
		r.Auth.Succeeded = true
		return with(r, opts...)
	}
	certCarriedPast := func(r *probe.Result) {
		r.TLS.Verified = false
		r.TLS.VerifyCode = "tls.cert_untrusted"
		r.TLS.VerifyError = "x509: certificate signed by unknown authority (issuer CN=Internal CA)"
		r.Observations = append(r.Observations, probe.Observation{Code: "tls.cert_untrusted", Detail: "issuer CN=Internal CA is not trusted"})
	}
	tests := []struct {
		name     string
		r        *probe.Result
		code     probe.Code
		severity probe.Severity
		outcome  probe.Outcome
		finding  probe.Code // must be present
		absent   probe.Code // must not be present
	}{
		{name: "all good", r: ok(), code: "ok", severity: probe.SeverityInfo, outcome: probe.OutcomeSuccess, absent: "auth.not_tested"},
		{name: "no username: AUTH not tested", r: ok(noUser), code: "ok", severity: probe.SeverityInfo, outcome: probe.OutcomeSuccess, finding: "auth.not_tested"},
		{name: "untrusted certificate carried past leads", r: ok(certCarriedPast),
			code: "tls.cert_untrusted", severity: probe.SeverityWarning, outcome: probe.OutcomeWarning, absent: "tls.cert_untrusted"},
		{name: "expired beats untrusted when both carried past", r: ok(certCarriedPast, observe("tls.cert_expired", "expired 2026-01-01")),
			code: "tls.cert_expired", severity: probe.SeverityWarning, outcome: probe.OutcomeWarning, finding: "tls.cert_untrusted"},
		{name: "TLS 1.1 negotiated", r: ok(func(r *probe.Result) { r.TLS.Version = "TLS 1.1" }),
			code: "tls.protocol_too_old", severity: probe.SeverityWarning, outcome: probe.OutcomeWarning},
		{name: "hints after a successful login are info", r: ok(observe("input.whitespace", ""), observe("input.username_not_address", "")),
			code: "ok", severity: probe.SeverityInfo, outcome: probe.OutcomeSuccess, finding: "input.whitespace"},
		{name: "password sent in the clear is a warning", r: ok(plaintext),
			code: "ok", severity: probe.SeverityInfo, outcome: probe.OutcomeWarning, finding: "auth.plaintext"},
		{name: "failure with a carried-past certificate keeps the failure first",
			r:    with(result(plainH, probe.StepAuth, 535, "5.7.8 Authentication failed"), certCarriedPast),
			code: "auth.credentials_rejected", severity: probe.SeverityError, outcome: probe.OutcomeFailure, finding: "tls.cert_untrusted"},
		{name: "interrupted", r: func() *probe.Result { r := result(plainH, "", 0); r.Status = probe.StatusInterrupted; return r }(),
			code: "probe.interrupted", severity: probe.SeverityError, outcome: probe.OutcomeFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			Diagnose(tt.r)
			d := tt.r.Diagnosis
			if d.Code != tt.code || d.Severity != tt.severity || tt.r.Outcome != tt.outcome {
				t.Fatalf("got %s/%s/%s, want %s/%s/%s\n%s", d.Code, d.Severity, tt.r.Outcome, tt.code, tt.severity, tt.outcome, d.Summary)
			}
			has := func(code probe.Code) bool {
				return slices.ContainsFunc(tt.r.Findings, func(f probe.Finding) bool { return f.Code == code })
			}
			if tt.finding != "" && !has(tt.finding) {
				t.Errorf("finding %s missing: %+v", tt.finding, tt.r.Findings)
			}
			if tt.absent != "" && has(tt.absent) {
				t.Errorf("finding %s repeats the diagnosis", tt.absent)
			}
			for _, f := range tt.r.Findings {
				if strings.HasPrefix(string(f.Code), "input.") && tt.r.Auth != nil && tt.r.Auth.Succeeded && f.Severity != probe.SeverityInfo {
					t.Errorf("hint %s is %s after a successful login", f.Code, f.Severity)
				}
			}
		})
	}
}

func TestQueuedAndRunningAreLeftAlone(t *testing.T) {
	for _, st := range []probe.Status{probe.StatusQueued, probe.StatusRunning} {
		r := result(plainH, probe.StepAuth, 535, "5.7.8 Authentication failed")
		r.Status = st
		Diagnose(r)
		if r.Diagnosis != nil || r.Outcome != "" || r.Findings != nil {
			t.Errorf("%s: diagnosed %+v", st, r.Diagnosis)
		}
	}
	Diagnose(nil) // must not panic
}

func TestDiagnoseIsRepeatable(t *testing.T) {
	r := with(result(gmail, probe.StepAuth, 535, "5.7.8 Username and Password not accepted."), observe("input.whitespace", ""))
	Diagnose(r)
	first, _ := json.Marshal(r)
	Diagnose(r)
	second, _ := json.Marshal(r)
	if string(first) != string(second) {
		t.Fatalf("a second Diagnose changed the result:\n%s\n%s", first, second)
	}
}

// TestHintsSharpenRemediation: a hint is the most likely cause when
// present, so its fix comes first, tailored to the provider.
func TestHintsSharpenRemediation(t *testing.T) {
	r := with(result(gmail, probe.StepAuth, 535, "5.7.8 Username and Password not accepted."), user("alice"), observe("input.username_not_address", ""))
	Diagnose(r)
	if first := r.Diagnosis.Remediation[0]; !strings.Contains(first, "full address") || !strings.Contains(first, "Gmail") {
		t.Errorf("first step = %q, want the full-address fix for Gmail", first)
	}
	if f := findingOf(r, "input.username_not_address"); f.Severity != probe.SeverityWarning {
		t.Errorf("hint severity = %s, want warning for a provider that wants the address", f.Severity)
	}

	// SendGrid wants "apikey", not an address: the hint must not push
	// the user towards an address.
	r = with(result("smtp.sendgrid.net", probe.StepAuth, 535, "Authentication failed: Bad username / password"), user("apikey"), observe("input.username_not_address", ""))
	Diagnose(r)
	for _, s := range r.Diagnosis.Remediation {
		if strings.Contains(s, "full email address") || strings.Contains(s, "full address") {
			t.Errorf("SendGrid advice pushes an address: %q", s)
		}
	}
	if f := findingOf(r, "input.username_not_address"); f.Severity != probe.SeverityInfo {
		t.Errorf("hint severity = %s, want info for SendGrid", f.Severity)
	}
	if !strings.Contains(strings.Join(r.Diagnosis.Remediation, " "), "The username apikey is right") {
		t.Errorf("SendGrid advice does not confirm the apikey username: %q", r.Diagnosis.Remediation)
	}

	r = with(result(plainH, probe.StepAuth, 535, "5.7.8 Authentication failed"), observe("input.whitespace", "the password ends with a space"))
	Diagnose(r)
	if !strings.Contains(r.Diagnosis.Remediation[0], "Remove the spaces") {
		t.Errorf("first step = %q, want the whitespace fix", r.Diagnosis.Remediation[0])
	}
	// A hint says nothing about a backend failure: no hint steps there.
	r = with(result(plainH, probe.StepAuth, 454, "4.7.0 Temporary authentication failure"), observe("input.whitespace", ""))
	Diagnose(r)
	if strings.Contains(strings.Join(r.Diagnosis.Remediation, " "), "Remove the spaces") {
		t.Errorf("hint fix offered for a backend failure: %q", r.Diagnosis.Remediation)
	}
}

func findingOf(r *probe.Result, code probe.Code) probe.Finding {
	for _, f := range r.Findings {
		if f.Code == code {
			return f
		}
	}
	return probe.Finding{}
}

// TestSummaryIsPlainText: server text is untrusted; control characters
// and endless lines do not reach the summary.
func TestSummaryIsPlainText(t *testing.T) {
	long := strings.Repeat("A", 5000)
	r := result(plainH, probe.StepAuth, 535, "5.7.8 bad\x1b[31m red\x00", long)
	Diagnose(r)
	s := r.Diagnosis.Summary
	if strings.ContainsAny(s, "\x1b\x00") {
		t.Errorf("control characters in summary: %q", s)
	}
	if len(s) > 1500 {
		t.Errorf("summary is %d bytes long", len(s))
	}
}

func TestEscalationSaysWhatToSend(t *testing.T) {
	r := result(plainH, probe.StepGreeting, 421, "4.3.2 Service shutting down")
	Diagnose(r)
	last := r.Diagnosis.Remediation[len(r.Diagnosis.Remediation)-1]
	for _, want := range []string{"permalink", `"421 4.3.2 Service shutting down"`, "2026-11-29T12:00:00Z", "192.0.2.10:587"} {
		if !strings.Contains(last, want) {
			t.Errorf("escalation step lacks %q: %s", want, last)
		}
	}
}

func TestRulesCopy(t *testing.T) {
	a := Rules()
	a[0].Code = "changed"
	if Rules()[0].Code == "changed" {
		t.Fatal("Rules exposes the table")
	}
	if !reflect.DeepEqual(Guide()[0].Paragraphs, guide[0].Paragraphs) {
		t.Fatal("Guide differs from its table")
	}
}

func BenchmarkDiagnose(b *testing.B) {
	corpus := append(sampleScenarios(), unseenScenarios()...)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r := corpus[i%len(corpus)].r
		Diagnose(r)
	}
}

func TestSESRegionMatchIsNotFlagged(t *testing.T) {
	r := result("email-smtp.us-west-2.amazonaws.com", probe.StepData, 554, "Message rejected: Email address is not verified. The following identities failed the check in region US-WEST-2: alice@example.com")
	Diagnose(r)
	if f := findingOf(r, "provider.region_mismatch"); f.Code != "" {
		t.Errorf("region mismatch flagged for the same region: %+v", f)
	}
}
