package web

import (
	"crypto/tls"
	"crypto/x509"

	"io"
	"net"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// goSMTP is an in-process go-smtp submission server on 127.0.0.1:0:
// STARTTLS with a certificate from a test CA, then AUTH PLAIN for one
// account.
type goSMTP struct {
	Host  string
	Port  int
	Roots *x509.CertPool
	conns atomic.Int64
}

func startGoSMTP(t *testing.T, domain, user, pass string) *goSMTP {
	t.Helper()
	ca := smtptest.NewCA(t, "web test CA")
	srv := smtp.NewServer(&backend{user: user, pass: pass})
	srv.Domain = domain
	srv.TLSConfig = smtptest.ServerTLS(ca.Valid(t, "127.0.0.1"), 0)
	srv.TLSConfig.MinVersion = tls.VersionTLS12
	srv.AllowInsecureAuth = false
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	g := &goSMTP{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, Roots: ca.Pool}
	go srv.Serve(countingListener{ln, &g.conns})
	t.Cleanup(func() { srv.Close() })
	return g
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

type backend struct{ user, pass string }

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{b: b}, nil }

type session struct {
	b      *backend
	authed bool
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.b.user || password != s.b.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { return nil }

func (s *session) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}

func (s *session) Reset() {}

func (s *session) Logout() error { return nil }
