package probe

import (
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

func moreScenarios() []scenario {
	longToken := strings.Repeat("ya29.", 400)
	return []scenario{
		{
			name: "tls handshake fails",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				// A server with no certificate cannot complete any handshake.
				return smtptest.Script{TLS: &tls.Config{MinVersion: tls.VersionTLS12}}
			},
			code: CodeTLSHandshakeFailed, step: StepStartTLS,
		},
		{
			name: "tls handshake fails on implicit port",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{TLS: &tls.Config{MinVersion: tls.VersionTLS12}, Implicit: true}
			},
			security: SecurityTLS,
			code:     CodeTLSHandshakeFailed, step: StepTLS,
		},
		{
			name: "greeting stops half way",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{Greeting: []string{"220-mail.example.test first line", smtptest.Hang}}
			},
			code: CodeSMTPTimeout, step: StepGreeting,
		},
		{
			name: "ssh banner over implicit tls",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				s := tlsScript(ca, t)
				s.Implicit = true
				s.Greeting = []string{"SSH-2.0-tunnelled"}
				return s
			},
			security: SecurityTLS,
			code:     CodeSMTPNotSMTP, step: StepGreeting,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if !strings.Contains(r.Failure.Err, "SSH") {
					t.Errorf("err %q", r.Failure.Err)
				}
			},
		},
		{
			name: "plain answered with a challenge is cancelled",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"AUTH": {"334 ", "501 5.7.0 Authentication cancelled"}})
			},
			step: StepAuth, reply: 501,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if !slices.Contains(srv.Lines(), "*") {
					t.Errorf("no cancel sent: %q", srv.Lines())
				}
			},
		},
		{
			name: "login server ignoring the initial response",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{
					"EHLO": {"250-x", "250 AUTH LOGIN"},
					"AUTH": {"334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6", "235 2.7.0 ok"},
				})
			},
			security: SecurityNone,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				l := srv.Lines()
				user := base64.StdEncoding.EncodeToString([]byte(testUser))
				pass := base64.StdEncoding.EncodeToString([]byte(testPass))
				if !r.Auth.Succeeded || l[1] != "AUTH LOGIN "+user || l[2] != user || l[3] != pass {
					t.Errorf("auth %+v lines %q", r.Auth, l)
				}
			},
		},
		{
			name: "long oauth token goes after an empty challenge",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(smtptest.Script{}, map[string][]string{
					"EHLO": {"250-x", "250 AUTH XOAUTH2"},
					"AUTH": {"334 ", "235 2.7.0 Accepted"},
				})
			},
			security: SecurityNone,
			settings: func(s *Settings) { s.Mech = MechXOAUTH2 },
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				l := srv.Lines()
				if !r.Auth.Succeeded || l[1] != "AUTH XOAUTH2" {
					t.Fatalf("auth %+v lines %q", r.Auth, l[:2])
				}
				want := base64.StdEncoding.EncodeToString(xoauth2Message(testUser, longToken))
				if l[2] != want {
					t.Errorf("token line %.40q…", l[2])
				}
				assertNoSecret(t, r, testUser, longToken)
				if !strings.Contains(transcriptText(r), "token withheld") {
					t.Errorf("transcript:\n%s", transcriptText(r))
				}
			},
			password: longToken,
		},
		{
			name: "helo setting cannot inject a command",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{}
			},
			noUser:   true,
			settings: func(s *Settings) { s.HELO = "evil.example\r\nRSET" },
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if l := srv.Lines(); l[0] != "EHLO evil.example" || slices.Contains(l, "RSET") {
					t.Errorf("lines %q", l)
				}
			},
		},
		{
			name: "auth offered before tls but not after",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				s := tlsScript(ca, t)
				s.TLSReplies = map[string][]string{"EHLO": {"250-x", "250 8BITMIME"}}
				return s
			},
			code: CodeAuthNotOffered, step: StepAuth,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if len(r.Auth.OfferedBeforeTLS) == 0 || len(r.Auth.OfferedAfterTLS) != 0 {
					t.Errorf("auth %+v", r.Auth)
				}
			},
		},
		{
			name: "pipelined mail refused",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{
					"MAIL": {"550 5.7.1 Sender address rejected: not owned by user alice@example.com"},
					"RCPT": {"503 5.5.1 Error: need MAIL command"},
				})
			},
			settings: func(s *Settings) { s.From, s.To = "boss@example.com", "bob@example.org" },
			step:     StepMail, reply: 550,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				tr := transcriptText(r)
				if !strings.Contains(tr, "client: MAIL FROM:<boss@example.com>\nclient: RCPT TO:<bob@example.org>") ||
					!strings.Contains(tr, "server: 503 5.5.1") || r.Failure.Enhanced != "5.7.1" {
					t.Errorf("failure %+v\n%s", r.Failure, tr)
				}
			},
		},
		{
			name: "mail and rcpt in lock-step without pipelining",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(smtptest.Script{}, map[string][]string{"EHLO": {"250-x", "250 AUTH PLAIN"}})
			},
			security: SecurityNone,
			settings: func(s *Settings) { s.From, s.To = testUser, "bob@example.org" },
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if stepStatus(r, StepRcpt) != StepOK {
					t.Errorf("steps %+v", r.Steps)
				}
			},
		},
		{
			name: "http server that waits for a request",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				// Silent until the client speaks, then HTTP's answer to
				// anything it does not understand. (The harness reads
				// lines; a ClientHello always holds a 0x0a byte, the
				// supported_groups extension type.)
				return smtptest.Script{Greeting: []string{}, Hook: func(s *smtptest.Session, line string) bool {
					s.Reply("HTTP/1.1 400 Bad Request", "", smtptest.Close)
					return true
				}}
			},
			code: CodeSMTPNotSMTP, step: StepGreeting,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if !strings.Contains(r.Failure.Err, "HTTP") {
					t.Errorf("err %q", r.Failure.Err)
				}
			},
		},
		{
			name: "message refused after data",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"DATA": {"354 go ahead",
					"554 Message rejected: Email address is not verified. The following identities failed the check in region US-WEST-2: alice@example.com"}})
			},
			settings: func(s *Settings) { s.From, s.To, s.Send = testUser, "bob@example.org", true },
			step:     StepData, reply: 554,
		},
		{
			name: "421 at data",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"DATA": {"421 4.7.0 closing"}})
			},
			settings: func(s *Settings) { s.From, s.To, s.Send = testUser, "bob@example.org", true },
			step:     StepData, reply: 421,
		},
		{
			name: "old style AUTH= keyword",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(smtptest.Script{}, map[string][]string{"EHLO": {"250-x", "250-AUTH=LOGIN", "250 SIZE 1000"}})
			},
			security: SecurityNone,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if r.Auth.Mechanism != "LOGIN" || !r.Auth.Succeeded {
					t.Errorf("auth %+v", r.Auth)
				}
			},
		},
	}
}

func endlessChallenges(t *testing.T, ca *smtptest.CA) smtptest.Script {
	return withReplies(smtptest.Script{}, map[string][]string{
		"EHLO": {"250-x", "250 AUTH LOGIN"},
		"AUTH": slices.Repeat([]string{"334 VXNlcm5hbWU6"}, 20),
	})
}

func TestEndlessChallenges(t *testing.T) {
	srv := smtptest.Start(t, endlessChallenges(t, nil))
	s := settingsFor(srv, SecurityNone)
	s.User = testUser
	r := runProbe(t, s, testPass, testOptions())
	if r.Failure == nil || r.Failure.Code != CodeSMTPBadReply || r.Failure.Step != StepAuth {
		t.Fatalf("failure %+v\n%s", r.Failure, transcriptText(r))
	}
}

// TestIPv6Literal: a bracketed IPv6 literal is dialled as is, with no SNI.
func TestIPv6Literal(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback here")
	}
	port := ln.Addr().(*net.TCPAddr).Port
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Write([]byte("554 5.7.1 no\r\n"))
		c.Close()
	}()
	t.Cleanup(func() { ln.Close() })
	r := runProbe(t, Settings{Host: "[::1]", Port: port, Security: SecurityNone}, "", testOptions())
	if r.Failure == nil || r.Failure.Reply != 554 || r.Network.Used != fmt.Sprintf("[::1]:%d", port) {
		t.Fatalf("failure %+v network %+v", r.Failure, r.Network)
	}
}

// TestDrippingServer: a server that sends one reply line at a time, each
// within the step timeout, still gets only one step timeout per reply.
func TestDrippingServer(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{Hook: func(s *smtptest.Session, line string) bool {
		if !strings.HasPrefix(line, "EHLO") {
			return false
		}
		for i := 0; ; i++ {
			if err := s.Write([]byte("250-still going\r\n")); err != nil {
				return true
			}
			time.Sleep(testStep / 4)
			if i > 40 {
				s.Write([]byte("250 done\r\n"))
				return true
			}
		}
	}})
	r := runProbe(t, settingsFor(srv, SecurityNone), "", testOptions())
	if r.Failure == nil || r.Failure.Code != CodeSMTPTimeout || r.Failure.Step != StepEHLO {
		t.Fatalf("failure %+v", r.Failure)
	}
}

// TestLegacyRSAServer: a TLS 1.0 server that only knows RSA key exchange
// (an old Exchange) is met, and both problems are named.
func TestLegacyRSAServer(t *testing.T) {
	ca := smtptest.NewCA(t, "ca")
	cfg := smtptest.ServerTLS(ca.Issue(t, smtptest.CertSpec{Names: []string{"127.0.0.1"}, RSA: true}), tls.VersionTLS10)
	cfg.CipherSuites = []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}
	srv := smtptest.Start(t, smtptest.Script{TLS: cfg})
	s := settingsFor(srv, SecurityStartTLS)
	s.User = testUser
	o := testOptions()
	o.RootCAs = ca.Pool
	r := runProbe(t, s, testPass, o)
	if r.Failure != nil || r.TLS == nil || r.TLS.Version != "TLS 1.0" || !r.TLS.Verified {
		t.Fatalf("failure %+v tls %+v\n%s", r.Failure, r.TLS, transcriptText(r))
	}
	if !hasObservation(r, CodeTLSProtocolTooOld) || !hasObservation(r, CodeTLSWeakCipher) {
		t.Errorf("observations %+v", r.Observations)
	}
}

// TestStartTLSInjection: plaintext the server sends after its 220 to
// STARTTLS (in the same packet) must not be read as if it came over TLS.
func TestStartTLSInjection(t *testing.T) {
	ca := smtptest.NewCA(t, "ca")
	srv := smtptest.Start(t, smtptest.Script{
		TLS: smtptest.ServerTLS(ca.Valid(t, "127.0.0.1"), 0),
		Hook: func(s *smtptest.Session, line string) bool {
			if line != "STARTTLS" {
				return false
			}
			// One write: the injected reply arrives with the 220.
			s.Write([]byte("220 2.0.0 Ready\r\n250-injected\r\n250 AUTH PLAIN\r\n"))
			s.StartTLS()
			return true
		},
	})
	s := settingsFor(srv, SecurityStartTLS)
	s.User = testUser
	o := testOptions()
	o.RootCAs = ca.Pool
	r := runProbe(t, s, testPass, o)
	if r.Failure != nil {
		t.Fatalf("failure %+v\n%s", r.Failure, transcriptText(r))
	}
	if !strings.Contains(transcriptText(r), "discarded") {
		t.Errorf("no note about the discarded bytes:\n%s", transcriptText(r))
	}
	if slices.Contains(r.Server.ExtensionsTLS, "injected") {
		t.Errorf("injected line taken as the EHLO reply: %q", r.Server.ExtensionsTLS)
	}
}
