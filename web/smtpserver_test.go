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
	return startGatedGoSMTP(t, domain, user, pass, nil)
}

// startGatedGoSMTP is startGoSMTP whose every connection sends nothing,
// its greeting included, until gate is closed (nil: at once): a server
// that answers as late as the test decides, without a timer.
func startGatedGoSMTP(t *testing.T, domain, user, pass string, gate <-chan struct{}) *goSMTP {
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
	var l net.Listener = countingListener{ln, &g.conns}
	if gate != nil {
		stop := make(chan struct{})
		t.Cleanup(func() { close(stop) })
		l = gatedListener{l, gate, stop}
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return g
}

// gatedListener hands out connections whose writes wait for gate (or for
// stop, when the test ends with the gate still shut).
type gatedListener struct {
	net.Listener
	gate, stop <-chan struct{}
}

func (l gatedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return gatedConn{c, l.gate, l.stop}, nil
}

type gatedConn struct {
	net.Conn
	gate, stop <-chan struct{}
}

func (c gatedConn) Write(p []byte) (int, error) {
	select {
	case <-c.gate:
	case <-c.stop:
		return 0, net.ErrClosed
	}
	return c.Conn.Write(p)
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
