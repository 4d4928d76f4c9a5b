package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// A real SMTP server (go-smtp) in process: the probe must work against a
// server nobody scripted for it.

type backend struct {
	user, pass string
	noAuth     bool
}

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) {
	if b.noAuth {
		return &plainSession{}, nil
	}
	return &authSession{b: b}, nil
}

type plainSession struct{ authed bool }

func (s *plainSession) Reset()        {}
func (s *plainSession) Logout() error { return nil }
func (s *plainSession) Mail(string, *smtp.MailOptions) error {
	return nil
}
func (s *plainSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *plainSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}

type authSession struct {
	plainSession
	b *backend
}

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != s.b.user || pass != s.b.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication failed"}
		}
		s.authed = true
		return nil
	}), nil
}

func (s *authSession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	return nil
}

// startGoSMTP serves b on 127.0.0.1:0 with STARTTLS, and returns the
// address and the CA that signed its certificate.
func startGoSMTP(tb testing.TB, b *backend, insecureAuth bool) (*net.TCPAddr, *smtptest.CA) {
	tb.Helper()
	ca := smtptest.NewCA(tb, "go-smtp test CA")
	s := smtp.NewServer(b)
	s.Domain = "gosmtp.example.test"
	s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{ca.Valid(tb, "127.0.0.1")}}
	s.AllowInsecureAuth = insecureAuth
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.ErrorLog = discardLogger{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go s.Serve(ln)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return ln.Addr().(*net.TCPAddr), ca
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

func TestGoSMTPServer(t *testing.T) {
	const user, pass = "alice@example.com", "go-smtp-password"
	tests := []struct {
		name     string
		b        *backend
		insecure bool
		security Security
		password string
		from     string
		code     Code
		step     string
		reply    int
	}{
		{name: "success", b: &backend{user: user, pass: pass}, password: pass, from: user},
		{name: "wrong password", b: &backend{user: user, pass: pass}, password: "nope-nope", step: StepAuth, reply: 535},
		{name: "starttls required for auth", b: &backend{user: user, pass: pass}, security: SecurityNone,
			password: pass, code: CodeAuthNotOffered, step: StepAuth},
		{name: "no auth at all", b: &backend{noAuth: true}, password: pass, code: CodeAuthNotOffered, step: StepAuth},
		{name: "insecure auth allowed in plaintext", b: &backend{user: user, pass: pass}, insecure: true,
			security: SecurityNone, password: pass, from: user},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr, ca := startGoSMTP(t, tt.b, tt.insecure)
			sec := tt.security
			if sec == "" {
				sec = SecurityStartTLS
			}
			o := testOptions()
			o.RootCAs = ca.Pool
			s := Settings{Host: "127.0.0.1", Port: addr.Port, Security: sec, User: user, From: tt.from, HELO: "client.example.test"}
			r := runProbe(t, s, tt.password, o)
			assertNoSecret(t, r, user, tt.password)
			if tt.step == "" {
				if r.Failure != nil || !r.Auth.Succeeded {
					t.Fatalf("failure %+v\n%s", r.Failure, transcriptText(r))
				}
				return
			}
			if r.Failure == nil || r.Failure.Code != tt.code || r.Failure.Step != tt.step || r.Failure.Reply != tt.reply {
				t.Fatalf("failure %+v, want %q at %s (%d)\n%s", r.Failure, tt.code, tt.step, tt.reply, transcriptText(r))
			}
		})
	}
}

func TestGoSMTPClosedPort(t *testing.T) {
	addr, _ := startGoSMTP(t, &backend{}, false)
	port := closedPort(t)
	if port == addr.Port {
		t.Skip("port reused")
	}
	r := runProbe(t, Settings{Host: "127.0.0.1", Port: port, User: "a@b.example"}, "x", testOptions())
	if r.Failure == nil || r.Failure.Code != CodeNetRefused {
		t.Fatalf("failure %+v", r.Failure)
	}
}

// BenchmarkProbe is a whole STARTTLS + AUTH PLAIN probe against go-smtp:
// five reply waits (greeting, EHLO, STARTTLS, EHLO, AUTH) and a handshake.
func BenchmarkProbe(b *testing.B) {
	const user, pass = "alice@example.com", "bench-password"
	addr, ca := startGoSMTP(b, &backend{user: user, pass: pass}, false)
	o := Options{RootCAs: ca.Pool, StepTimeout: 5 * time.Second, TotalTimeout: 10 * time.Second}
	s := Settings{Host: "127.0.0.1", Port: addr.Port, Security: SecurityStartTLS, User: user, HELO: "bench.example.test"}
	b.ReportAllocs()
	for b.Loop() {
		r := Run(context.Background(), s, Secret{Password: pass}, o)
		if r.Failure != nil {
			b.Fatal(errors.New(r.Failure.Err), r.Failure)
		}
	}
}
