package smtptest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"
)

// CA is a test certificate authority. Pool trusts it; hand Pool to the
// probe (Options.RootCAs) for certificates it should accept.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	Pool *x509.CertPool
}

// NewCA makes a fresh CA named name.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("smtptest: CA key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: name, Organization: []string{"smtptest"}},
		// Long-lived like a real CA, so that a leaf that expired (or is not
		// yet valid) is the only date problem in the chain.
		NotBefore:             time.Now().Add(-10 * 365 * 24 * time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("smtptest: CA certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("smtptest: parse CA certificate: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{Cert: cert, Key: key, Pool: pool}
}

// CertSpec describes a leaf certificate. Zero times mean "valid now".
type CertSpec struct {
	Names     []string // DNS names, or IP addresses ("127.0.0.1")
	NotBefore time.Time
	NotAfter  time.Time
	// RSA makes an RSA key instead of ECDSA P-256, for servers that only
	// speak old RSA key-exchange cipher suites.
	RSA bool
}

// Issue signs a server certificate for spec.
func (ca *CA) Issue(t testing.TB, spec CertSpec) tls.Certificate {
	t.Helper()
	var key crypto.Signer
	var err error
	if spec.RSA {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatalf("smtptest: leaf key: %v", err)
	}
	if spec.NotBefore.IsZero() {
		spec.NotBefore = time.Now().Add(-time.Hour)
	}
	if spec.NotAfter.IsZero() {
		spec.NotAfter = time.Now().Add(24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		NotBefore:    spec.NotBefore,
		NotAfter:     spec.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if len(spec.Names) > 0 {
		tmpl.Subject = pkix.Name{CommonName: spec.Names[0]}
	}
	for _, n := range spec.Names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		t.Fatalf("smtptest: leaf certificate: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("smtptest: parse leaf certificate: %v", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// Valid is a certificate from ca for names, valid now.
func (ca *CA) Valid(t testing.TB, names ...string) tls.Certificate {
	t.Helper()
	return ca.Issue(t, CertSpec{Names: names})
}

// Expired is a certificate from ca for names that expired a day ago.
func (ca *CA) Expired(t testing.TB, names ...string) tls.Certificate {
	t.Helper()
	return ca.Issue(t, CertSpec{Names: names,
		NotBefore: time.Now().Add(-30 * 24 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
}

// NotYetValid is a certificate from ca for names valid from tomorrow.
func (ca *CA) NotYetValid(t testing.TB, names ...string) tls.Certificate {
	t.Helper()
	return ca.Issue(t, CertSpec{Names: names,
		NotBefore: time.Now().Add(24 * time.Hour), NotAfter: time.Now().Add(48 * time.Hour)})
}

// Untrusted is a certificate for names from a CA nobody trusts (a fresh
// one): what a self-signed or internal-CA server looks like.
func Untrusted(t testing.TB, names ...string) tls.Certificate {
	t.Helper()
	return NewCA(t, "smtptest untrusted CA").Valid(t, names...)
}

// ServerTLS is a server config for cert. maxVersion 0 means Go's default;
// tls.VersionTLS11 makes a server stuck on old TLS. MinVersion is set to
// TLS 1.0 explicitly because Go servers refuse TLS < 1.2 by default since
// Go 1.22.
func ServerTLS(cert tls.Certificate, maxVersion uint16) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS10,
		MaxVersion:   maxVersion,
	}
}

func serial(t testing.TB) *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatalf("smtptest: serial: %v", err)
	}
	return n
}
