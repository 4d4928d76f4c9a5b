package diagnosis

import (
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// The probe notes an RSA key-exchange suite; the report must name it in
// words, not show the bare code.
func TestWeakCipherFindingHasATitle(t *testing.T) {
	r := probe.Result{Status: probe.StatusDone, Settings: probe.Settings{Host: "mail.example.com", Port: 587, Security: probe.SecurityStartTLS},
		TLS:          &probe.TLSInfo{Mode: "starttls", Version: "TLS 1.2", CipherSuite: "TLS_RSA_WITH_AES_128_GCM_SHA256", Verified: true},
		Observations: []probe.Observation{{Code: "tls.weak_cipher", Detail: "TLS_RSA_WITH_AES_128_GCM_SHA256"}}}
	Diagnose(&r)
	for _, f := range r.Findings {
		if f.Code == "tls.weak_cipher" {
			if f.Title == string(f.Code) || f.Severity != probe.SeverityWarning {
				t.Errorf("finding %+v: want a title in words and warning severity", f)
			}
			return
		}
	}
	t.Fatalf("no tls.weak_cipher finding in %+v", r.Findings)
}

// A summary names the AUTH command without the transcript's redaction note,
// which used to be cut mid-word.
func TestSummaryQuotesAuthCommandWhole(t *testing.T) {
	r := probe.Result{Status: probe.StatusDone, Settings: probe.Settings{Host: "mail.example.com", Port: 587, Security: probe.SecurityStartTLS, User: "alice@example.com"},
		Failure: &probe.Failure{Step: probe.StepAuth, Command: `AUTH PLAIN [redacted: authzid="", user="alice@example.com", password 9 characters]`,
			Reply: 535, Enhanced: "5.7.8", Lines: []string{"5.7.8 Error: authentication failed: authentication failure"}}}
	Diagnose(&r)
	if r.Diagnosis.Code != "auth.credentials_rejected" {
		t.Fatalf("code %s", r.Diagnosis.Code)
	}
	if !strings.Contains(r.Diagnosis.Summary, "AUTH PLAIN (credentials redacted)") || strings.Contains(r.Diagnosis.Summary, "…") {
		t.Errorf("summary %q", r.Diagnosis.Summary)
	}
}
