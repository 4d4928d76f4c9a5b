package probe

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// startGoSMTPImplicit serves b with implicit TLS (RFC 8314) on
// 127.0.0.1:0: the server says nothing until the client's ClientHello.
func startGoSMTPImplicit(tb testing.TB, b *backend) (*net.TCPAddr, *smtptest.CA) {
	tb.Helper()
	ca := smtptest.NewCA(tb, "go-smtp implicit CA")
	s := smtp.NewServer(b)
	s.Domain = "implicit.example.test"
	cfg := &tls.Config{Certificates: []tls.Certificate{ca.Valid(tb, "127.0.0.1")}}
	s.TLSConfig = cfg
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.ErrorLog = discardLogger{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go s.Serve(tls.NewListener(ln, cfg))
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return ln.Addr().(*net.TCPAddr), ca
}

// Auto on an implicit-TLS port that is not 465 succeeds in TLS, within a
// context far shorter than the step timeout: waiting for a greeting
// first would have run out of time.
func TestAutoFindsImplicitTLS(t *testing.T) {
	const user, pass = "alice@example.com", "implicit-password"
	addr, ca := startGoSMTPImplicit(t, &backend{user: user, pass: pass})
	o := Options{RootCAs: ca.Pool, StepTimeout: 30 * time.Second, TotalTimeout: 60 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s := Settings{Host: "127.0.0.1", Port: addr.Port, Security: SecurityAuto, User: user, From: user, HELO: "client.example.test"}
	r := Run(ctx, s, Secret{Password: pass}, o)
	if r.Failure != nil {
		t.Fatalf("failure %+v\n%s", r.Failure, transcriptText(r))
	}
	if r.AutoMode != AutoModeImplicitTLS || r.TLS == nil || r.TLS.Mode != tlsModeImplicit || !r.TLS.Verified {
		t.Fatalf("auto mode %q, tls %+v", r.AutoMode, r.TLS)
	}
	if r.Auth == nil || !r.Auth.Succeeded {
		t.Errorf("auth %+v", r.Auth)
	}
	if !strings.Contains(transcriptText(r), "implicit TLS; carrying on") {
		t.Errorf("no note of the choice:\n%s", transcriptText(r))
	}
	if stepStatus(r, StepTLS) != StepOK {
		t.Errorf("tls step %q", stepStatus(r, StepTLS))
	}
	assertNoSecret(t, r, user, pass)
}

// Auto on a plaintext port that is not 587 carries on in plaintext and
// upgrades with STARTTLS, and says so.
func TestAutoFindsPlaintext(t *testing.T) {
	const user, pass = "alice@example.com", "plain-password"
	addr, ca := startGoSMTP(t, &backend{user: user, pass: pass}, false)
	o := Options{RootCAs: ca.Pool, StepTimeout: 30 * time.Second, TotalTimeout: 60 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s := Settings{Host: "127.0.0.1", Port: addr.Port, Security: SecurityAuto, User: user, HELO: "client.example.test"}
	r := Run(ctx, s, Secret{Password: pass}, o)
	if r.Failure != nil {
		t.Fatalf("failure %+v\n%s", r.Failure, transcriptText(r))
	}
	if r.AutoMode != AutoModePlain || r.TLS == nil || r.TLS.Mode != tlsModeStartTLS {
		t.Fatalf("auto mode %q, tls %+v", r.AutoMode, r.TLS)
	}
	if !strings.Contains(transcriptText(r), "the plaintext greeting came at once") {
		t.Errorf("no note of the choice:\n%s", transcriptText(r))
	}
}

// Conventional ports keep their convention: no race, no auto_mode.
func TestAutoKeepsConventionalPorts(t *testing.T) {
	p := newProber(Settings{Host: "mail.example.com", Port: 587, Security: SecurityAuto}, Secret{}, Options{})
	if p.raceModes() {
		t.Error("587 raced")
	}
	p = newProber(Settings{Host: "mail.example.com", Port: 10465, Security: SecurityAuto}, Secret{}, Options{})
	if !p.raceModes() {
		t.Error("10465 not raced")
	}
	p = newProber(Settings{Host: "mail.example.com", Port: 10465, Security: SecurityStartTLS}, Secret{}, Options{})
	if p.raceModes() {
		t.Error("an explicit mode raced")
	}
}

// BenchmarkAutoImplicitTLS is a whole auto probe of an implicit-TLS port
// that is not 465: the race, then greeting, EHLO and AUTH over TLS.
func BenchmarkAutoImplicitTLS(b *testing.B) {
	const user, pass = "alice@example.com", "bench-password"
	addr, ca := startGoSMTPImplicit(b, &backend{user: user, pass: pass})
	o := Options{RootCAs: ca.Pool, StepTimeout: 30 * time.Second, TotalTimeout: 60 * time.Second}
	s := Settings{Host: "127.0.0.1", Port: addr.Port, Security: SecurityAuto, User: user, HELO: "bench.example.test"}
	for b.Loop() {
		r := Run(context.Background(), s, Secret{Password: pass}, o)
		if r.Failure != nil || r.AutoMode != AutoModeImplicitTLS {
			b.Fatal(r.Failure, r.AutoMode)
		}
	}
}
