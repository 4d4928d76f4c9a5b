package diagnosis

import (
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// The expired-certificate summary said the verification error twice, the
// second time mid-sentence in lower case, because the probe's observation
// repeats it word for word.
func TestCertExpiredSaysItOnce(t *testing.T) {
	const why = "the certificate expired on 2026-11-28 17:51 UTC (valid from 2026-08-30 17:51 UTC)"
	r := with(result("mail.example.com", "", 0), observe(string(probe.CodeTLSCertExpired), why), func(r *probe.Result) {
		r.TLS.Verified = false
		r.TLS.VerifyError = why
	})
	Diagnose(r)
	if r.Diagnosis.Code != probe.CodeTLSCertExpired {
		t.Fatalf("diagnosis %s, want %s", r.Diagnosis.Code, probe.CodeTLSCertExpired)
	}
	s := r.Diagnosis.Summary
	if n := strings.Count(s, "expired on 2026-11-28"); n != 1 {
		t.Errorf("the summary gives the expiry %d times: %q", n, s)
	}
	if !strings.Contains(s, "dates. The certificate expired on 2026-11-28 17:51 UTC (valid from 2026-08-30 17:51 UTC).") {
		t.Errorf("summary %q", s)
	}
}

// "If this is port 465" belongs to port 465 only, and the form has no
// timeout to lengthen.
func TestNoGreetingAdviceFitsThePort(t *testing.T) {
	for _, port := range []int{465, 587, 2525} {
		r := with(result("mail.example.com", probe.StepGreeting, 0), probeCode(string(probe.CodeSMTPNoGreeting), "no greeting within 10s"), func(r *probe.Result) {
			r.Settings.Port = port
			r.Settings.Security = probe.SecurityStartTLS
			r.TLS = nil
		})
		Diagnose(r)
		if r.Diagnosis.Code != probe.CodeSMTPNoGreeting {
			t.Fatalf("port %d: diagnosis %s, want %s", port, r.Diagnosis.Code, probe.CodeSMTPNoGreeting)
		}
		steps := strings.Join(r.Diagnosis.Remediation, "\n")
		if has := strings.Contains(steps, "465 expects TLS from the first byte"); has != (port == 465) {
			t.Errorf("port %d: advice about port 465 = %v:\n%s", port, has, steps)
		}
		if strings.Contains(steps, "If this is port 465") || strings.Contains(steps, "with a longer timeout") {
			t.Errorf("port %d: old wording:\n%s", port, steps)
		}
		if !strings.Contains(steps, "smtpdoctor probe --timeout 30s") {
			t.Errorf("port %d: no way to wait longer named:\n%s", port, steps)
		}
	}
}
