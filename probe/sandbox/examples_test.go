package sandbox_test

import (
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
)

// Every example, probed for real, shows the diagnosis it promises, with
// the certificate verified against the sandbox's root.
func TestExamplesShowTheirDiagnosis(t *testing.T) {
	sb := startSandbox(t)
	for _, ex := range sb.Examples() {
		t.Run(ex.Key, func(t *testing.T) {
			t.Parallel()
			r := probe.Run(t.Context(), ex.Settings, probe.Secret{Password: ex.Password}, probe.Options{
				RootCAs: sb.RootCAs(),
				// Short: one example waits out a silent greeting.
				StepTimeout: 500 * time.Millisecond,
			})
			diagnosis.Diagnose(&r)
			if r.Diagnosis == nil || r.Diagnosis.Code != ex.Expect {
				t.Fatalf("diagnosis %+v, want %s; failure %+v\n%s", r.Diagnosis, ex.Expect, r.Failure, transcript(r))
			}
			if r.TLS != nil && r.TLS.Version != "" && !r.TLS.Verified && !strings.HasPrefix(string(ex.Expect), "tls.cert_") {
				t.Errorf("TLS not verified against the sandbox root: %s", r.TLS.VerifyError)
			}
			if ex.Password != "" && strings.Contains(transcript(r), ex.Password) {
				t.Errorf("the password is in the transcript")
			}
		})
	}
}

func transcript(r probe.Result) string {
	var b strings.Builder
	for _, l := range r.Transcript {
		b.WriteString(string(l.Dir) + " " + l.Text + "\n")
	}
	return b.String()
}
