package sandbox_test

import (
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
)

// CertificatePEM is what clients outside the process trust: with it alone
// as the CA, the implicit-TLS server verifies under both of its names.
func TestCertificatePEMVerifiesTheServers(t *testing.T) {
	sb, err := sandbox.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(sb.CertificatePEM()) {
		t.Fatal("CertificatePEM holds no certificate")
	}
	ap, _ := sb.Addr(sandbox.ServerImplicit)
	for _, name := range []string{"127.0.0.1", sandbox.ServerName} {
		conn, err := tls.Dial("tcp", ap.String(), &tls.Config{RootCAs: pool, ServerName: name})
		if err != nil {
			t.Errorf("verify as %s: %v", name, err)
			continue
		}
		conn.Close()
	}
}
