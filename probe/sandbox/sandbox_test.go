package sandbox_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
)

func startSandbox(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(t.Context())
	if err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

func dialConn(t *testing.T, sb *sandbox.Sandbox, server string) net.Conn {
	t.Helper()
	ap, ok := sb.Addr(server)
	if !ok {
		t.Fatalf("no %s server", server)
	}
	d := net.Dialer{Timeout: 5 * time.Second}
	conn, err := d.DialContext(t.Context(), "tcp", ap.String())
	if err != nil {
		t.Fatalf("dial %s: %v", server, err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return conn
}

// dial opens a plaintext SMTP client to one sandbox server and says EHLO.
func dial(t *testing.T, sb *sandbox.Sandbox, server string) *smtp.Client {
	t.Helper()
	c := smtp.NewClient(dialConn(t, sb, server))
	if err := c.Hello("client.example"); err != nil {
		t.Fatalf("EHLO: %v", err)
	}
	return c
}

// dialStartTLS opens a client and upgrades it with STARTTLS (go-smtp says
// EHLO and STARTTLS; the handshake and the second EHLO wait for the next
// command, so a NOOP brings out a handshake failure here).
func dialStartTLS(t *testing.T, sb *sandbox.Sandbox, server string, cfg *tls.Config) (*smtp.Client, error) {
	t.Helper()
	c, err := smtp.NewClientStartTLS(dialConn(t, sb, server), cfg)
	if err != nil {
		return nil, err
	}
	if err := c.Noop(); err != nil {
		return nil, err
	}
	return c, nil
}

func mustStartTLS(t *testing.T, sb *sandbox.Sandbox, server string) *smtp.Client {
	t.Helper()
	c, err := dialStartTLS(t, sb, server, tlsConfig(sb, "127.0.0.1"))
	if err != nil {
		t.Fatalf("STARTTLS to %s: %v", server, err)
	}
	return c
}

func tlsConfig(sb *sandbox.Sandbox, name string) *tls.Config {
	return &tls.Config{RootCAs: sb.RootCAs(), ServerName: name}
}

// wantReply asserts err is an SMTP reply with this code and enhanced code.
func wantReply(t *testing.T, what string, err error, code int, enhanced smtp.EnhancedCode) {
	t.Helper()
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		t.Fatalf("%s: want an SMTP %d reply, got %v", what, code, err)
	}
	if se.Code != code || se.EnhancedCode != enhanced {
		t.Fatalf("%s: got %d %v %q, want %d %v", what, se.Code, se.EnhancedCode, se.Message, code, enhanced)
	}
}

func TestSubmissionWorksAfterSTARTTLS(t *testing.T) {
	sb := startSandbox(t)
	for _, tc := range []struct {
		name   string
		client sasl.Client
	}{
		{"plain", sasl.NewPlainClient("", sandbox.DemoUser, sandbox.DemoPassword)},
		{"login", sasl.NewLoginClient(sandbox.DemoUser, sandbox.DemoPassword)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, sb, sandbox.ServerSubmission)
			if ok, _ := c.Extension("AUTH"); ok {
				t.Fatal("AUTH offered before TLS")
			}
			if ok, _ := c.Extension("STARTTLS"); !ok {
				t.Fatal("STARTTLS not offered")
			}
			c.Close()
			c = mustStartTLS(t, sb, sandbox.ServerSubmission)
			ok, mechs := c.Extension("AUTH")
			if !ok || mechs != "PLAIN LOGIN" {
				t.Fatalf("AUTH after TLS = %v %q, want PLAIN LOGIN", ok, mechs)
			}
			if err := c.Auth(tc.client); err != nil {
				t.Fatalf("AUTH: %v", err)
			}
			if err := c.SendMail(sandbox.DemoUser, []string{"friend@" + sandbox.Domain}, strings.NewReader("Subject: hi\r\n\r\nhello\r\n")); err != nil {
				t.Fatalf("send: %v", err)
			}
		})
	}
}

func TestCertificateNamesHostAndLoopback(t *testing.T) {
	sb := startSandbox(t)
	for _, name := range []string{"127.0.0.1", sandbox.ServerName} {
		if _, err := dialStartTLS(t, sb, sandbox.ServerSubmission, tlsConfig(sb, name)); err != nil {
			t.Fatalf("STARTTLS verifying %s: %v", name, err)
		}
	}
	// And without the sandbox's root the certificate is not trusted:
	// verification is real, not switched off.
	var unknown x509.UnknownAuthorityError
	if _, err := dialStartTLS(t, sb, sandbox.ServerSubmission, &tls.Config{ServerName: "127.0.0.1"}); !errors.As(err, &unknown) {
		t.Fatalf("STARTTLS with system roots: got %v, want an unknown authority error", err)
	}
}

func TestWrongPasswordIsRejected(t *testing.T) {
	sb := startSandbox(t)
	for _, tc := range []struct {
		name   string
		client sasl.Client
	}{
		{"plain wrong password", sasl.NewPlainClient("", sandbox.DemoUser, "not-the-password")},
		{"login wrong password", sasl.NewLoginClient(sandbox.DemoUser, "not-the-password")},
		{"plain local part only", sasl.NewPlainClient("", "demo", sandbox.DemoPassword)},
		{"plain other identity", sasl.NewPlainClient("postmaster@"+sandbox.Domain, sandbox.DemoUser, sandbox.DemoPassword)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustStartTLS(t, sb, sandbox.ServerSubmission)
			wantReply(t, "AUTH", c.Auth(tc.client), 535, smtp.EnhancedCode{5, 7, 8})
			wantReply(t, "MAIL after failed AUTH", c.Mail(sandbox.DemoUser, nil), 530, smtp.EnhancedCode{5, 7, 0})
		})
	}
}

func TestExpiredCertificate(t *testing.T) {
	sb := startSandbox(t)
	_, err := dialStartTLS(t, sb, sandbox.ServerExpired, tlsConfig(sb, sandbox.ServerName))
	var invalid x509.CertificateInvalidError
	if !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
		t.Fatalf("STARTTLS: got %v, want an expired certificate", err)
	}
	// Past the dates, it is the same submission server.
	cfg := tlsConfig(sb, sandbox.ServerName)
	cfg.Time = func() time.Time { return time.Now().AddDate(0, 0, -7) }
	c, err := dialStartTLS(t, sb, sandbox.ServerExpired, cfg)
	if err != nil {
		t.Fatalf("STARTTLS a week ago: %v", err)
	}
	if err := c.Auth(sasl.NewPlainClient("", sandbox.DemoUser, sandbox.DemoPassword)); err != nil {
		t.Fatalf("AUTH: %v", err)
	}
}

func TestPlaintextGetsTLSRequired(t *testing.T) {
	sb := startSandbox(t)
	c := dial(t, sb, sandbox.ServerSubmission)
	wantReply(t, "AUTH before TLS", c.Auth(sasl.NewPlainClient("", sandbox.DemoUser, sandbox.DemoPassword)), 523, smtp.EnhancedCode{5, 7, 10})

	c = dial(t, sb, sandbox.ServerSubmission)
	wantReply(t, "MAIL before TLS", c.Mail(sandbox.DemoUser, nil), 530, smtp.EnhancedCode{5, 7, 0})
}

func TestImplicitTLS(t *testing.T) {
	sb := startSandbox(t)
	ap, _ := sb.Addr(sandbox.ServerImplicit)
	d := tls.Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: tlsConfig(sb, sandbox.ServerName)}
	conn, err := d.DialContext(t.Context(), "tcp", ap.String())
	if err != nil {
		t.Fatalf("TLS dial: %v", err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.Hello("client.example"); err != nil {
		t.Fatalf("EHLO: %v", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		t.Error("STARTTLS offered inside TLS")
	}
	if err := c.Auth(sasl.NewPlainClient("", sandbox.DemoUser, sandbox.DemoPassword)); err != nil {
		t.Fatalf("AUTH: %v", err)
	}
	if err := c.Mail(sandbox.DemoUser, nil); err != nil {
		t.Fatalf("MAIL: %v", err)
	}
}

// A TLS ClientHello sent to the STARTTLS port meets a plaintext greeting.
func TestImplicitTLSOnPlainPortFails(t *testing.T) {
	sb := startSandbox(t)
	ap, _ := sb.Addr(sandbox.ServerSubmission)
	d := tls.Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: tlsConfig(sb, sandbox.ServerName)}
	conn, err := d.DialContext(t.Context(), "tcp", ap.String())
	if err == nil {
		conn.Close()
		t.Fatal("TLS handshake with the STARTTLS port succeeded")
	}
	var rh tls.RecordHeaderError
	if !errors.As(err, &rh) {
		t.Fatalf("got %v, want a TLS record header error", err)
	}
}

func TestMXOffersNoAuthAndRefusesRelay(t *testing.T) {
	sb := startSandbox(t)
	c := dial(t, sb, sandbox.ServerMX)
	if ok, _ := c.Extension("STARTTLS"); !ok {
		t.Fatal("MX does not offer STARTTLS")
	}
	c.Close()
	c = mustStartTLS(t, sb, sandbox.ServerMX)
	if ok, _ := c.Extension("AUTH"); ok {
		t.Fatal("MX offers AUTH after TLS")
	}
	if err := c.Mail("someone@example.com", nil); err != nil {
		t.Fatalf("MAIL: %v", err)
	}
	err := c.Rcpt("someone@example.net", nil)
	wantReply(t, "RCPT elsewhere", err, 554, smtp.EnhancedCode{5, 7, 1})
	if se := err.(*smtp.SMTPError); se.Message != "<someone@example.net>: Relay access denied" {
		t.Errorf("relay reply text %q", se.Message)
	}
	if err := c.Rcpt("postmaster@"+sandbox.Domain, nil); err != nil {
		t.Fatalf("RCPT to the sandbox's own domain: %v", err)
	}
}

func TestContainsExactlyTheSandbox(t *testing.T) {
	sb := startSandbox(t)
	addrs := sb.Addrs()
	if len(addrs) != 4 {
		t.Fatalf("Addrs = %v, want 4", addrs)
	}
	for _, ap := range addrs {
		if !ap.Addr().IsLoopback() {
			t.Errorf("%v is not loopback", ap)
		}
		if !sb.Contains(ap) {
			t.Errorf("Contains(%v) = false", ap)
		}
		mapped := netip.AddrPortFrom(netip.AddrFrom16(ap.Addr().As16()), ap.Port())
		if !sb.Contains(mapped) {
			t.Errorf("Contains(%v) = false for the IPv4-mapped form", mapped)
		}
		if next := netip.AddrPortFrom(ap.Addr(), ap.Port()+1); !slices.Contains(addrs, next) && sb.Contains(next) {
			t.Errorf("Contains %v, a neighbouring port", next)
		}
		if other := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.2"), ap.Port()); sb.Contains(other) {
			t.Errorf("Contains %v, another address", other)
		}
	}
	if sb.Contains(netip.MustParseAddrPort("127.0.0.1:25")) {
		t.Error("Contains 127.0.0.1:25")
	}
}

func TestExamplesPointAtTheSandbox(t *testing.T) {
	sb := startSandbox(t)
	seen := map[string]bool{}
	for _, ex := range sb.Examples() {
		if ex.Key == "" || seen[ex.Key] {
			t.Errorf("example key %q empty or repeated", ex.Key)
		}
		seen[ex.Key] = true
		if ex.Title == "" || ex.Description == "" || ex.Expect == "" {
			t.Errorf("%s: title, description and expected code are all needed", ex.Key)
		}
		ap := netip.AddrPortFrom(netip.MustParseAddr(ex.Settings.Host), uint16(ex.Settings.Port))
		if !sb.Contains(ap) {
			t.Errorf("%s: %v is not a sandbox server", ex.Key, ap)
		}
	}
	if !seen[sandbox.ExampleWorking] || !seen[sandbox.ExampleWrongPassword] {
		t.Errorf("examples %v lack a working and a failing one", seen)
	}
}

func TestStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	sb, err := sandbox.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ap, _ := sb.Addr(sandbox.ServerSubmission)
	cancel()
	// Close waits for the servers to stop, however they were stopped.
	if err := sb.Close(); err != nil {
		t.Fatalf("Close after cancel: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", ap.String(), time.Second); err == nil {
		conn.Close()
		t.Fatalf("%v still accepts connections", ap)
	}
	if err := sb.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
