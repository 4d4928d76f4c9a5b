package snippet_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// oauthServer is a submission server that takes XOAUTH2 and OAUTHBEARER
// (RFC 7628) after STARTTLS, and only the one token. A refused token gets
// what Gmail and Microsoft 365 send: a 334 challenge with a JSON error,
// then, after the client's empty response, 535 5.7.8 (RFC 7628 §3.2.3).
// The sandbox has no OAuth, so the OAuth forms of the snippets run here.
type oauthServer struct {
	addr   *net.TCPAddr
	caFile string
}

const (
	oauthUser  = "someone@example.com"
	oauthToken = "ya29.test-access-token"
)

func startOAuthServer(t *testing.T) oauthServer {
	t.Helper()
	cert, pemBytes := selfSignedLoopback(t)
	srv := smtp.NewServer(oauthBackend{})
	srv.Domain = "oauth.test"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	ca := t.TempDir() + "/oauth-ca.pem"
	writeFile(t, ca, string(pemBytes))
	return oauthServer{addr: l.Addr().(*net.TCPAddr), caFile: ca}
}

// selfSignedLoopback is a certificate for 127.0.0.1 that is its own CA.
func selfSignedLoopback(t *testing.T) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "oauth.test"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"oauth.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

type oauthBackend struct{}

func (oauthBackend) NewSession(c *smtp.Conn) (smtp.Session, error) { return &oauthSession{}, nil }

type oauthSession struct{ authed bool }

func (s *oauthSession) AuthMechanisms() []string { return []string{"XOAUTH2", sasl.OAuthBearer} }

func (s *oauthSession) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case "XOAUTH2", sasl.OAuthBearer:
		return &bearerServer{mech: mech, ok: func() { s.authed = true }}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

var errBadToken = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Username and token not accepted"}

// bearerServer reads "user=U\x01auth=Bearer T\x01\x01" (XOAUTH2) or
// "n,a=U,\x01auth=Bearer T\x01\x01" (OAUTHBEARER, RFC 7628 §3.1).
type bearerServer struct {
	mech    string
	ok      func()
	refused bool
}

func (b *bearerServer) Next(response []byte) ([]byte, bool, error) {
	if b.refused {
		// The client's answer to the error challenge; then the final reply.
		return nil, true, errBadToken
	}
	if response == nil {
		return []byte{}, false, nil // no initial response: ask for it
	}
	user, token := "", ""
	for _, kv := range bytes.Split(response, []byte{1}) {
		k, v, _ := strings.Cut(string(kv), "=")
		switch {
		case k == "auth":
			token = strings.TrimPrefix(v, "Bearer ")
		case k == "user":
			user = v
		case strings.HasPrefix(string(kv), "n,a="):
			user = strings.TrimSuffix(strings.TrimPrefix(string(kv), "n,a="), ",")
		}
	}
	if user == oauthUser && token == oauthToken {
		b.ok()
		return nil, true, nil
	}
	b.refused = true
	return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`), false, nil
}

func (s *oauthSession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	return nil
}
func (s *oauthSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *oauthSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (s *oauthSession) Reset()        {}
func (s *oauthSession) Logout() error { return nil }
