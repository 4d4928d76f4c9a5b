package probe_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// These tests count round trips, not milliseconds (README, Performance): on a link
// where every reply takes 100 ms, a probe costs one reply-wait per reply it
// waits for, so the count is what decides its speed, and a count does not
// flake on a noisy machine.
//
// A reply-wait is a reply the server sent while the client was waiting for
// it before its next command. A lock-step client (no PIPELINING) waits for
// every reply it reads; so counting the replies the server sent before the
// client's QUIT counts the waits. The protocol needs exactly these for
// STARTTLS + AUTH PLAIN: the greeting, EHLO, the 220 to STARTTLS, EHLO again
// (RFC 3207 §4.2 forgets what was said before TLS) and the 235 to AUTH PLAIN
// with its initial response (RFC 4954 §4 lets the credentials ride on the
// AUTH line, saving the 334 round trip). The 221 to QUIT is not worth
// waiting for: nothing the probe reports depends on it.

// countingServer is a scripted SMTP server on loopback for one connection
// at a time that records, per connection, each command it read and how
// many replies it had sent before it.
type countingServer struct {
	ln   net.Listener
	tls  *tls.Config
	pool *smtptest.CA
	// implicit starts TLS at accept (port 465 style).
	implicit bool
	conns    chan connLog
}

// connLog is what one connection looked like from the server's side.
type connLog struct {
	commands []string // verbs as read: "EHLO", "STARTTLS", "AUTH PLAIN <ir>", "QUIT"
	// repliesBefore[i] is how many replies had been sent when commands[i]
	// arrived.
	repliesBefore []int
	// closedBeforeQuitReply: after QUIT, the client closed the connection
	// while the server was still holding the 221 back.
	closedBeforeQuitReply bool
	// quitReplyWritten: the server waited out quitHold and wrote its 221,
	// i.e. the client was still there waiting for it.
	quitReplyWritten bool
	err              error
}

// quitHold is how long the server keeps the 221 back. A probe that waits
// for it shows up as quitReplyWritten; the test does not time anything.
const quitHold = 2 * time.Second

func newCountingServer(t testing.TB, implicit bool) *countingServer {
	t.Helper()
	ca := smtptest.NewCA(t, "roundtrip test CA")
	cert := ca.Valid(t, "127.0.0.1")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &countingServer{
		ln:       ln,
		tls:      &tls.Config{Certificates: []tls.Certificate{cert}},
		pool:     ca,
		implicit: implicit,
		conns:    make(chan connLog, 64),
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { s.conns <- s.serve(c) }()
		}
	}()
	return s
}

func (s *countingServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// serve speaks just enough SMTP for STARTTLS (or implicit TLS) and AUTH
// PLAIN, counting every reply it writes.
func (s *countingServer) serve(raw net.Conn) (log connLog) {
	defer raw.Close()
	var c net.Conn = raw
	if s.implicit {
		c = tls.Server(raw, s.tls)
	}
	r := bufio.NewReader(c)
	replies := 0
	reply := func(text string) bool {
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write([]byte(text)); err != nil {
			log.err = err
			return false
		}
		replies++
		return true
	}
	if !reply("220 counting.test ESMTP\r\n") {
		return log
	}
	for {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		line, err := r.ReadString('\n')
		if err != nil {
			log.err = err
			return log
		}
		line = strings.TrimRight(line, "\r\n")
		log.commands = append(log.commands, line)
		log.repliesBefore = append(log.repliesBefore, replies)
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		_, isTLS := c.(*tls.Conn)
		switch verb {
		case "EHLO":
			ext := "250-counting.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
			if isTLS {
				ext += "250 AUTH PLAIN LOGIN\r\n"
			} else {
				ext += "250 STARTTLS\r\n"
			}
			if !reply(ext) {
				return log
			}
		case "STARTTLS":
			if !reply("220 2.0.0 go ahead\r\n") {
				return log
			}
			tc := tls.Server(raw, s.tls)
			tc.SetDeadline(time.Now().Add(5 * time.Second))
			if err := tc.Handshake(); err != nil {
				log.err = err
				return log
			}
			c, r = tc, bufio.NewReader(tc)
		case "AUTH":
			if !reply("235 2.7.0 authenticated\r\n") {
				return log
			}
		case "QUIT":
			// Hold the 221 back: a client that does not wait for it closes
			// the connection first, which this read sees as EOF or a reset.
			c.SetReadDeadline(time.Now().Add(quitHold))
			var one [1]byte
			_, err := r.Read(one[:])
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				log.quitReplyWritten = reply("221 2.0.0 bye\r\n")
				return log
			}
			log.closedBeforeQuitReply = err != nil
			return log
		default:
			if !reply("502 5.5.1 not in this script\r\n") {
				return log
			}
		}
	}
}

func TestRoundTripsSTARTTLSAuthPlain(t *testing.T) {
	cases := []struct {
		name      string
		implicit  bool
		security  probe.Security
		wantCmds  []string // verbs
		wantWaits int
	}{
		{"starttls", false, probe.SecurityStartTLS, []string{"EHLO", "STARTTLS", "EHLO", "AUTH", "QUIT"}, 5},
		{"implicit tls", true, probe.SecurityTLS, []string{"EHLO", "AUTH", "QUIT"}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newCountingServer(t, tc.implicit)
			res := probe.Run(context.Background(), probe.Settings{
				Host: "127.0.0.1", Port: srv.port(), Security: tc.security,
				User: "user@example.test", Mech: probe.MechPlain, HELO: "client.example.test",
			}, probe.Secret{Password: "s3cret-pass"}, probe.Options{
				RootCAs: srv.pool.Pool, StepTimeout: 5 * time.Second, TotalTimeout: 20 * time.Second,
			})
			if res.Failure != nil {
				t.Fatalf("probe failed: %+v", *res.Failure)
			}
			if res.Auth == nil || !res.Auth.Succeeded {
				t.Fatalf("AUTH did not succeed: %+v", res.Auth)
			}
			for _, st := range res.Steps {
				if st.Name == probe.StepQuit && st.Status != probe.StepOK {
					t.Errorf("QUIT step %s (%s), want ok", st.Status, st.Detail)
				}
			}

			var log connLog
			select {
			case log = <-srv.conns:
			case <-time.After(quitHold + 5*time.Second):
				t.Fatal("the server never finished the connection")
			}
			var verbs []string
			for _, c := range log.commands {
				verbs = append(verbs, strings.ToUpper(strings.SplitN(c, " ", 2)[0]))
			}
			if strings.Join(verbs, " ") != strings.Join(tc.wantCmds, " ") {
				t.Fatalf("commands %q, want verbs %q (a command more is a round trip more)", log.commands, tc.wantCmds)
			}
			// AUTH PLAIN must carry its initial response on the AUTH line
			// (RFC 4954 §4): "AUTH PLAIN <base64>". Without it the server's
			// 334 costs one wait more.
			for _, c := range log.commands {
				if f := strings.Fields(c); strings.EqualFold(f[0], "AUTH") && len(f) != 3 {
					t.Errorf("%q: AUTH PLAIN without an initial response costs an extra round trip", c)
				}
			}
			quitAt := len(log.commands) - 1
			if got := log.repliesBefore[quitAt]; got != tc.wantWaits {
				t.Errorf("%d replies waited for before QUIT, want %d; replies before each command: %v %q",
					got, tc.wantWaits, log.repliesBefore, log.commands)
			}
			// Lock-step: each command came after exactly one more reply
			// than the one before (none pipelined, none skipped).
			for i := 1; i < len(log.repliesBefore); i++ {
				if log.repliesBefore[i] != log.repliesBefore[i-1]+1 {
					t.Errorf("command %q came after %d replies, the one before after %d",
						log.commands[i], log.repliesBefore[i], log.repliesBefore[i-1])
				}
			}
			if log.quitReplyWritten {
				t.Errorf("the client was still connected when the 221 was written after %v: it waits for the QUIT reply, a round trip nothing needs", quitHold)
			}
			if !log.closedBeforeQuitReply {
				t.Errorf("the client did not close the connection after QUIT (server side: %v)", log.err)
			}
		})
	}
}
