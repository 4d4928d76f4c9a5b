package probe

import (
	"crypto/x509"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// ExtraRoots are trusted besides RootCAs: an internal CA's certificate
// verifies through them even when RootCAs knows nothing of it, and a
// certificate from another CA still does not.
func TestExtraRootsAreTrustedBesideRootCAs(t *testing.T) {
	ca := smtptest.NewCA(t, "Internal Test CA")
	srv := smtptest.Start(t, tlsScript(ca, t))
	other := smtptest.NewCA(t, "Some Other CA")

	cases := []struct {
		name     string
		extra    *x509.CertPool
		verified bool
	}{
		{"internal CA in ExtraRoots", ca.Pool, true},
		{"another CA in ExtraRoots", other.Pool, false},
		{"no ExtraRoots", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := testOptions()
			o.RootCAs = x509.NewCertPool() // stands for roots that lack the internal CA
			o.ExtraRoots = c.extra
			r := runProbe(t, settingsFor(srv, SecurityStartTLS), "", o)
			if r.TLS == nil {
				t.Fatalf("no TLS: %+v", r.Failure)
			}
			if r.TLS.Verified != c.verified {
				t.Errorf("verified = %v, want %v (%s)", r.TLS.Verified, c.verified, r.TLS.VerifyError)
			}
			if !c.verified && r.TLS.VerifyCode != CodeTLSCertUntrusted {
				t.Errorf("verify code %q, want %s", r.TLS.VerifyCode, CodeTLSCertUntrusted)
			}
		})
	}
}
