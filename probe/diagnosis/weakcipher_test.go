package diagnosis

import (
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
			if f.Title == f.Code || f.Severity != probe.SeverityWarning {
				t.Errorf("finding %+v: want a title in words and warning severity", f)
			}
			return
		}
	}
	t.Fatalf("no tls.weak_cipher finding in %+v", r.Findings)
}
