package smtptest

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"
)

// client is a tiny line client for testing the harness itself.
type client struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	return &client{t: t, conn: c, r: bufio.NewReader(c)}
}

func (c *client) reply() []string {
	c.t.Helper()
	var out []string
	for {
		l, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("read reply: %v (so far %q)", err, out)
		}
		l = strings.TrimRight(l, "\r\n")
		out = append(out, l)
		if len(l) < 4 || l[3] != '-' {
			return out
		}
	}
}

func (c *client) send(line string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatal(err)
	}
}

func TestScriptedAuthReply(t *testing.T) {
	srv := Start(t, Script{Replies: map[string][]string{
		"AUTH": Reply(535, "5.7.8 Username and Password not accepted.", "5.7.8 https://support.google.com/mail/?p=BadCredentials - gsmtp"),
	}})
	c := dial(t, srv.Addr)
	if got := c.reply(); got[0] != "220 smtptest.invalid ESMTP ready" {
		t.Fatalf("greeting %q", got)
	}
	c.send("EHLO client.example")
	if got := c.reply(); !strings.Contains(strings.Join(got, "\n"), "AUTH PLAIN LOGIN") {
		t.Fatalf("ehlo %q", got)
	}
	c.send("AUTH PLAIN AGFsaWNlAHNlY3JldA==")
	got := c.reply()
	if len(got) != 2 || got[0] != "535-5.7.8 Username and Password not accepted." {
		t.Fatalf("auth %q", got)
	}
	if l := srv.Lines(); len(l) != 2 || l[0] != "EHLO client.example" {
		t.Fatalf("lines %q", l)
	}
}

func TestStartTLSAndDefaultAuth(t *testing.T) {
	ca := NewCA(t, "test CA")
	srv := Start(t, Script{TLS: ServerTLS(ca.Valid(t, "mail.example.test"), 0), User: "alice", Password: "pw"})
	c := dial(t, srv.Addr)
	c.reply()
	c.send("EHLO x")
	if got := strings.Join(c.reply(), "\n"); !strings.Contains(got, "STARTTLS") {
		t.Fatalf("no STARTTLS in %q", got)
	}
	c.send("STARTTLS")
	if got := c.reply(); !strings.HasPrefix(got[0], "220") {
		t.Fatalf("starttls %q", got)
	}
	tc := tls.Client(c.conn, &tls.Config{RootCAs: ca.Pool, ServerName: "mail.example.test"})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c.conn, c.r = tc, bufio.NewReader(tc)
	c.send("EHLO x")
	if got := strings.Join(c.reply(), "\n"); strings.Contains(got, "STARTTLS") {
		t.Fatalf("STARTTLS offered after TLS: %q", got)
	}
	c.send("AUTH PLAIN AGFsaWNlAHB3") // \0alice\0pw
	if got := c.reply(); got[0] != "235 2.7.0 Authentication successful" {
		t.Fatalf("auth %q", got)
	}
	c.send("AUTH LOGIN YWxpY2U=") // alice
	if got := c.reply(); got[0] != "334 UGFzc3dvcmQ6" {
		t.Fatalf("login %q", got)
	}
	c.send("d3Jvbmc=") // wrong
	if got := c.reply(); !strings.HasPrefix(got[0], "535") {
		t.Fatalf("login %q", got)
	}
}

func TestContinuationAndClose(t *testing.T) {
	srv := Start(t, Script{Replies: map[string][]string{
		"AUTH": {"334 eyJzdGF0dXMiOiI0MDAifQ==", "535 5.7.8 bad token"},
		"MAIL": {"421 4.7.0 closing"},
	}})
	c := dial(t, srv.Addr)
	c.reply()
	c.send("AUTH XOAUTH2 abc")
	if got := c.reply(); got[0] != "334 eyJzdGF0dXMiOiI0MDAifQ==" {
		t.Fatalf("%q", got)
	}
	c.send("")
	if got := c.reply(); got[0] != "535 5.7.8 bad token" {
		t.Fatalf("%q", got)
	}
	c.send("MAIL FROM:<a@b>")
	c.reply()
	if _, err := c.r.ReadByte(); err == nil {
		t.Fatal("connection still open after 421")
	}
}

func TestOldTLSServer(t *testing.T) {
	ca := NewCA(t, "test CA")
	srv := Start(t, Script{TLS: ServerTLS(ca.Valid(t, "127.0.0.1"), tls.VersionTLS11), Implicit: true})
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", srv.Addr,
		&tls.Config{RootCAs: ca.Pool, MinVersion: tls.VersionTLS10})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v := c.ConnectionState().Version; v != tls.VersionTLS11 {
		t.Fatalf("version %x", v)
	}
}
