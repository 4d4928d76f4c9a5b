package probe

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

const (
	testUser = "alice@example.com"
	testPass = "correct horse battery"
)

// scenario is one scripted server and what the probe must make of it.
type scenario struct {
	name string
	// script builds the server; ca is a CA the probe trusts.
	script func(t *testing.T, ca *smtptest.CA) smtptest.Script
	// settings adjusts the probe settings (user and security preset).
	settings func(s *Settings)
	security Security
	noUser   bool
	password string // default testPass
	// expected failure: code, step, reply code (0: no reply expected);
	// an empty step means no failure at all.
	code  Code
	step  string
	reply int
	check func(t *testing.T, r Result, srv *smtptest.Server)
}

func tlsScript(ca *smtptest.CA, t *testing.T) smtptest.Script {
	return smtptest.Script{TLS: smtptest.ServerTLS(ca.Valid(t, "127.0.0.1"), 0)}
}

func withReplies(base smtptest.Script, replies map[string][]string) smtptest.Script {
	base.Replies = replies
	return base
}

var gmail535 = smtptest.Reply(535, "5.7.8 Username and Password not accepted. For more information, go to",
	"5.7.8  https://support.google.com/mail/?p=BadCredentials x1-20020a - gsmtp")

func scenarios() []scenario {
	plainTLS := func(t *testing.T, ca *smtptest.CA) smtptest.Script { return tlsScript(ca, t) }
	at421 := func(verb string) func(t *testing.T, ca *smtptest.CA) smtptest.Script {
		return func(t *testing.T, ca *smtptest.CA) smtptest.Script {
			return withReplies(tlsScript(ca, t), map[string][]string{verb: {"421 4.7.0 Try again later, closing connection."}})
		}
	}
	return []scenario{
		{
			name: "success starttls auth plain", script: plainTLS,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if r.TLS == nil || !r.TLS.Verified || r.TLS.Mode != "starttls" {
					t.Errorf("tls %+v", r.TLS)
				}
				if !r.Auth.Succeeded || r.Auth.Mechanism != "PLAIN" {
					t.Errorf("auth %+v", r.Auth)
				}
				if !slices.Contains(r.Server.Extensions, "STARTTLS") || slices.Contains(r.Server.ExtensionsTLS, "STARTTLS") {
					t.Errorf("extensions %q / %q", r.Server.Extensions, r.Server.ExtensionsTLS)
				}
				lines := srv.Lines()
				if lines[0] != "EHLO client.example.test" || lines[1] != "STARTTLS" || lines[2] != "EHLO client.example.test" {
					t.Errorf("server saw %q", lines)
				}
				if r.Server.EHLODomain != "smtptest.invalid" || r.Network.Used == "" {
					t.Errorf("server %+v network %+v", r.Server, r.Network)
				}
			},
		},
		{
			name: "success implicit tls",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				s := tlsScript(ca, t)
				s.Implicit = true
				return s
			},
			security: SecurityTLS,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if r.TLS == nil || r.TLS.Mode != "implicit" || !r.Auth.Succeeded {
					t.Errorf("tls %+v auth %+v", r.TLS, r.Auth)
				}
			},
		},
		{
			name: "gmail wrong password 535", script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"AUTH": gmail535})
			},
			step: StepAuth, reply: 535,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				f := r.Failure
				if f.Enhanced != "5.7.8" || len(f.Lines) != 2 || !strings.Contains(f.Lines[1], "BadCredentials") {
					t.Errorf("failure %+v", f)
				}
				if !strings.HasPrefix(f.Command, "AUTH PLAIN [redacted: authzid=\"\", user=\"alice@example.com\", password withheld]") {
					t.Errorf("command %q", f.Command)
				}
			},
		},
		{
			name: "multi-line banner",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				s := tlsScript(ca, t)
				s.Greeting = []string{"220-mail.example.test ESMTP", "220-No UCE", "220 ready"}
				return s
			},
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if !slices.Equal(r.Server.Banner, []string{"mail.example.test ESMTP", "No UCE", "ready"}) {
					t.Errorf("banner %q", r.Server.Banner)
				}
			},
		},
		{
			name: "greeting 421",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{Greeting: []string{"421 4.3.2 Service not available, closing"}}
			},
			step: StepGreeting, reply: 421,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if r.Failure.Enhanced != "4.3.2" || r.Failure.Code != "" {
					t.Errorf("failure %+v", r.Failure)
				}
			},
		},
		{
			name: "greeting 554 blocklisted",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{Greeting: []string{"554 5.7.1 Your IP is listed"}}
			},
			step: StepGreeting, reply: 554,
		},
		{
			name: "silent server no greeting",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{Greeting: []string{smtptest.Hang}}
			},
			code: CodeSMTPNoGreeting, step: StepGreeting,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if srv.Connections() != 2 {
					t.Errorf("want a second connection for the TLS check, got %d", srv.Connections())
				}
			},
		},
		{
			name: "closed without greeting",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{Greeting: []string{smtptest.Close}}
			},
			code: CodeSMTPNoGreeting, step: StepGreeting,
		},
		{
			name: "plaintext to implicit tls port",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				s := tlsScript(ca, t)
				s.Implicit = true
				return s
			},
			security: SecurityStartTLS,
			code:     CodeTLSPlainOnImplicitPort, step: StepGreeting,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if !hasObservation(r, CodeTLSPlainOnImplicitPort) || !strings.Contains(r.Failure.Err, "use security tls") {
					t.Errorf("observations %+v failure %+v", r.Observations, r.Failure)
				}
			},
		},
		{
			name:     "implicit tls to plaintext port",
			script:   plainTLS,
			security: SecurityTLS,
			code:     CodeTLSImplicitOnPlainPort, step: StepTLS,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if !hasObservation(r, CodeTLSImplicitOnPlainPort) || !strings.Contains(r.Failure.Err, "starttls") {
					t.Errorf("observations %+v failure %+v", r.Observations, r.Failure)
				}
				if !strings.Contains(transcriptText(r), "server: 220 smtptest.invalid ESMTP ready") {
					t.Errorf("transcript should show the plaintext banner:\n%s", transcriptText(r))
				}
			},
		},
		{
			name: "http server",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{Greeting: []string{smtptest.Raw("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")}}
			},
			code: CodeSMTPNotSMTP, step: StepGreeting,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if !strings.Contains(r.Failure.Err, "HTTP") {
					t.Errorf("err %q", r.Failure.Err)
				}
			},
		},
		{
			name: "ssh server",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{Greeting: []string{"SSH-2.0-OpenSSH_9.6p1 Debian-4"}}
			},
			code: CodeSMTPNotSMTP, step: StepGreeting,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if !strings.Contains(r.Failure.Err, "SSH") {
					t.Errorf("err %q", r.Failure.Err)
				}
			},
		},
		{
			name: "binary garbage",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{Greeting: []string{smtptest.Raw("\x00\xff\xfe\x1b[31mgarbage\r\n")}}
			},
			code: CodeSMTPNotSMTP, step: StepGreeting,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				for _, l := range r.Transcript {
					if !utf8.ValidString(l.Text) || strings.ContainsAny(l.Text, "\x00\x1b") {
						t.Errorf("unescaped line %q", l.Text)
					}
				}
				if !strings.Contains(transcriptText(r), `\x00\xff\xfe\x1b`) {
					t.Errorf("escaped bytes missing:\n%s", transcriptText(r))
				}
			},
		},
		{
			name: "http on implicit tls",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{Greeting: []string{smtptest.Raw("HTTP/1.0 400 Bad Request\r\n\r\n"), smtptest.Close}}
			},
			security: SecurityTLS,
			code:     CodeSMTPNotSMTP, step: StepTLS,
		},
		{
			name: "non utf-8 in ehlo reply",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"EHLO": {"250-caf\xe9 \xff server", "250-STARTTLS", "250 AUTH PLAIN"}})
			},
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if r.Server.EHLODomain != `caf\xe9` {
					t.Errorf("domain %q", r.Server.EHLODomain)
				}
				for _, l := range r.Transcript {
					if !utf8.ValidString(l.Text) {
						t.Errorf("invalid utf-8 %q", l.Text)
					}
				}
			},
		},
		{
			name: "line flood",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"EHLO": smtptest.Flood(5000, "250-FLOOD")})
			},
			code: CodeSMTPBadReply, step: StepEHLO,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if len(r.Transcript) > maxTranscriptLines {
					t.Errorf("transcript has %d lines", len(r.Transcript))
				}
			},
		},
		{
			name: "huge line is cut",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"EHLO": {"250-" + strings.Repeat("A", 100000), "250-STARTTLS", "250 AUTH PLAIN"}})
			},
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				for _, l := range r.Transcript {
					if len(l.Text) > maxLineBytes+100 {
						t.Errorf("line of %d bytes in transcript", len(l.Text))
					}
				}
				if !strings.Contains(transcriptText(r), "cut at 2000 bytes") {
					t.Errorf("no cut note")
				}
			},
		},
		{
			name: "endless line hits the byte budget",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{Greeting: []string{smtptest.Raw("220 " + strings.Repeat("x", 3<<20))}}
			},
			code: CodeSMTPBadReply, step: StepGreeting,
		},
		{
			name: "silent at auth",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"AUTH": {smtptest.Hang}})
			},
			code: CodeSMTPTimeout, step: StepAuth,
		},
		{
			name: "silent at ehlo",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"EHLO": {smtptest.Hang}})
			},
			code: CodeSMTPTimeout, step: StepEHLO,
		},
		{
			name: "dropped at ehlo",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"EHLO": {smtptest.Close}})
			},
			code: CodeNetClosed, step: StepEHLO,
		},
		{
			name: "dropped mid greeting",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{Greeting: []string{"220-first line", smtptest.Close}}
			},
			code: CodeNetClosed, step: StepGreeting,
		},
		{
			name: "dropped at rcpt",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"RCPT": {smtptest.Close}})
			},
			settings: func(s *Settings) { s.From, s.To = testUser, "bob@example.org" },
			code:     CodeNetClosed, step: StepRcpt,
		},
		{name: "421 at ehlo", script: at421("EHLO"), step: StepEHLO, reply: 421},
		{name: "421 at starttls", script: at421("STARTTLS"), step: StepStartTLS, reply: 421},
		{name: "421 at auth", script: at421("AUTH"), step: StepAuth, reply: 421},
		{name: "421 at mail", script: at421("MAIL"), step: StepMail, reply: 421,
			settings: func(s *Settings) { s.From = testUser }},
		{name: "421 at rcpt", script: at421("RCPT"), step: StepRcpt, reply: 421,
			settings: func(s *Settings) { s.From, s.To = testUser, "bob@example.org" }},
		{
			name:     "starttls not offered",
			script:   func(t *testing.T, ca *smtptest.CA) smtptest.Script { return smtptest.Script{} },
			security: SecurityStartTLS,
			code:     CodeTLSStartTLSNotOffered, step: StepStartTLS,
		},
		{
			name:   "auto without starttls authenticates in plaintext",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script { return smtptest.Script{} },
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if !r.Auth.Succeeded || r.TLS != nil || !hasObservation(r, CodeTLSStartTLSNotOffered) {
					t.Errorf("auth %+v tls %+v obs %+v", r.Auth, r.TLS, r.Observations)
				}
			},
		},
		{
			name: "starttls refused 454",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"STARTTLS": {"454 4.7.0 TLS not available due to temporary reason"}})
			},
			step: StepStartTLS, reply: 454,
		},
		{
			name: "expired certificate carries on",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{TLS: smtptest.ServerTLS(ca.Expired(t, "127.0.0.1"), 0)}
			},
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if r.TLS.Verified || r.TLS.VerifyCode != CodeTLSCertExpired || !strings.Contains(r.TLS.VerifyError, "expired on") {
					t.Errorf("tls %+v", r.TLS)
				}
				if len(r.Observations) != 1 || !r.Auth.Succeeded || !hasObservation(r, CodeTLSCertExpired) || stepStatus(r, StepStartTLS) != StepWarning {
					t.Errorf("auth %+v obs %+v", r.Auth, r.Observations)
				}
			},
		},
		{
			name: "not yet valid certificate",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{TLS: smtptest.ServerTLS(ca.NotYetValid(t, "127.0.0.1"), 0)}
			},
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if r.TLS.VerifyCode != CodeTLSCertExpired || !strings.Contains(r.TLS.VerifyError, "not valid until") {
					t.Errorf("tls %+v", r.TLS)
				}
			},
		},
		{
			name: "certificate for another host",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{TLS: smtptest.ServerTLS(ca.Valid(t, "mail.example.test", "smtp.example.test"), 0)}
			},
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if r.TLS.VerifyCode != CodeTLSCertHostnameMismatch || !strings.Contains(r.TLS.VerifyError, "mail.example.test, smtp.example.test") {
					t.Errorf("tls %+v", r.TLS)
				}
				if !r.Auth.Succeeded {
					t.Errorf("auth %+v", r.Auth)
				}
			},
		},
		{
			name: "untrusted certificate",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{TLS: smtptest.ServerTLS(smtptest.Untrusted(t, "127.0.0.1"), 0)}
			},
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if r.TLS.VerifyCode != CodeTLSCertUntrusted || !strings.Contains(r.TLS.VerifyError, "smtptest untrusted CA") {
					t.Errorf("tls %+v", r.TLS)
				}
				if len(r.TLS.Chain) != 1 || len(r.TLS.Chain[0].SHA256) != 64 || r.TLS.Chain[0].IPs[0] != "127.0.0.1" {
					t.Errorf("chain %+v", r.TLS.Chain)
				}
			},
		},
		{
			name: "tls 1.1 server",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return smtptest.Script{TLS: smtptest.ServerTLS(ca.Valid(t, "127.0.0.1"), tls.VersionTLS11)}
			},
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if r.TLS.Version != "TLS 1.1" || !hasObservation(r, CodeTLSProtocolTooOld) {
					t.Errorf("tls %+v obs %+v", r.TLS, r.Observations)
				}
			},
		},
		{
			name: "no auth offered",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"EHLO": {"250-mx.example.test", "250-STARTTLS", "250 8BITMIME"}})
			},
			code: CodeAuthNotOffered, step: StepAuth,
		},
		{
			name: "auth only after starttls with security none",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"EHLO": {"250-mx.example.test", "250-STARTTLS", "250 8BITMIME"}})
			},
			security: SecurityNone,
			code:     CodeAuthNotOffered, step: StepAuth,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if !hasObservation(r, CodeAuthRequiresTLS) {
					t.Errorf("obs %+v", r.Observations)
				}
			},
		},
		{
			name: "no mechanism in common",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"EHLO": {"250-exch.example.test", "250-STARTTLS", "250 AUTH GSSAPI NTLM"}})
			},
			code: CodeAuthMechanismUnsupported, step: StepAuth,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if !slices.Equal(r.Auth.OfferedAfterTLS, []string{"GSSAPI", "NTLM"}) {
					t.Errorf("auth %+v", r.Auth)
				}
			},
		},
		{
			name:     "asked mechanism not offered",
			script:   plainTLS,
			settings: func(s *Settings) { s.Mech = MechCRAMMD5 },
			code:     CodeAuthMechanismUnsupported, step: StepAuth,
		},
		{
			name: "login exchange",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				s := tlsScript(ca, t)
				s.User, s.Password = testUser, testPass
				return s
			},
			settings: func(s *Settings) { s.Mech = MechLogin },
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				tr := transcriptText(r)
				if !r.Auth.Succeeded || !strings.Contains(tr, `334 UGFzc3dvcmQ6 (base64 "Password:")`) ||
					!strings.Contains(tr, "client: [redacted: password withheld]") ||
					!strings.Contains(tr, `AUTH LOGIN [username "alice@example.com"]`) {
					t.Errorf("auth %+v\n%s", r.Auth, tr)
				}
			},
		},
		{
			name: "login wrong password",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				s := tlsScript(ca, t)
				s.User, s.Password = testUser, "something else"
				s.TLSReplies = map[string][]string{"EHLO": {"250-x", "250 AUTH LOGIN"}}
				return s
			},
			step: StepAuth, reply: 535,
		},
		{
			name: "cram-md5 exchange",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				s := smtptest.Script{Replies: map[string][]string{
					"EHLO": {"250-x", "250 AUTH CRAM-MD5 PLAIN"},
					"AUTH": {"334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+", "235 2.7.0 ok"},
				}}
				return s
			},
			security: SecurityNone,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if r.Auth.Mechanism != "CRAM-MD5" || !r.Auth.Succeeded {
					t.Fatalf("auth %+v", r.Auth)
				}
				h := hmac.New(md5.New, []byte(testPass))
				h.Write([]byte("<1896.697170952@postoffice.reston.mci.net>"))
				want := base64.StdEncoding.EncodeToString([]byte(testUser + " " + hex.EncodeToString(h.Sum(nil))))
				if l := srv.Lines(); l[2] != want {
					t.Errorf("server got %q, want %q", l[2], want)
				}
				if strings.Contains(dump(r), hex.EncodeToString(h.Sum(nil))) {
					t.Errorf("digest in result")
				}
			},
		},
		{
			name: "xoauth2 error challenge",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{
					"EHLO": {"250-x", "250 AUTH XOAUTH2 OAUTHBEARER"},
					"AUTH": append([]string{"334 eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ=="}, gmail535...),
				})
			},
			security: SecurityNone,
			settings: func(s *Settings) { s.Mech = MechXOAUTH2 },
			step:     StepAuth, reply: 535,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if r.Auth.OAuthError["status"] != "400" || r.Auth.OAuthError["scope"] != "https://mail.google.com/" {
					t.Errorf("oauth error %+v", r.Auth.OAuthError)
				}
				if l := srv.Lines(); l[len(l)-1] != "" && l[len(l)-2] != "" {
					t.Errorf("client should answer the error with an empty line: %q", l)
				}
				if !hasObservation(r, CodeAuthOAuthTokenInvalid) {
					t.Errorf("obs %+v", r.Observations)
				}
			},
		},
		{
			name: "oauthbearer error challenge",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(smtptest.Script{}, map[string][]string{
					"EHLO": {"250-x", "250 AUTH OAUTHBEARER"},
					"AUTH": {"334 eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=", "535 5.7.8 invalid token"},
				})
			},
			security: SecurityNone,
			settings: func(s *Settings) { s.Mech = MechOAUTHBEARER },
			step:     StepAuth, reply: 535,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if r.Auth.OAuthError["status"] != "invalid_token" {
					t.Errorf("oauth error %+v", r.Auth.OAuthError)
				}
				if l := srv.Lines(); !slices.Contains(l, "AQ==") {
					t.Errorf("client should answer with 0x01: %q", l)
				}
			},
		},
		{
			name: "mail without auth needs auth",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"MAIL": smtptest.Reply(530, "5.7.0 Authentication Required.")})
			},
			noUser: true, settings: func(s *Settings) { s.From = testUser },
			step: StepMail, reply: 530,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if r.Auth != nil && r.Auth.Succeeded {
					t.Errorf("auth %+v", r.Auth)
				}
				if tr := transcriptText(r); !strings.HasSuffix(tr, "client: QUIT\n") {
					t.Errorf("want QUIT last:\n%s", tr)
				}
			},
		},
		{
			name: "relay denied at rcpt",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"RCPT": {"554 5.7.1 <bob@example.org>: Relay access denied"}})
			},
			settings: func(s *Settings) { s.From, s.To = testUser, "bob@example.org" },
			step:     StepRcpt, reply: 554,
		},
		{
			name:     "mail and rcpt succeed then rset and quit",
			script:   plainTLS,
			settings: func(s *Settings) { s.From, s.To = testUser, "bob@example.org" },
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				l := srv.Lines()
				if !slices.Contains(l, "MAIL FROM:<alice@example.com>") || !slices.Contains(l, "RCPT TO:<bob@example.org>") {
					t.Errorf("lines %q", l)
				}
				if !strings.Contains(transcriptText(r), "client: RSET\nclient: QUIT") {
					t.Errorf("transcript:\n%s", transcriptText(r))
				}
			},
		},
		{
			name:     "send test message",
			script:   plainTLS,
			settings: func(s *Settings) { s.From, s.To, s.Send = testUser, "bob@example.org", true },
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if stepStatus(r, StepData) != StepOK || !strings.Contains(transcriptText(r), "Subject: smtpdoctor test message") {
					t.Errorf("steps %+v", r.Steps)
				}
			},
		},
		{
			name: "ehlo unknown falls back to helo",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(smtptest.Script{}, map[string][]string{"EHLO": {"502 5.5.2 Command not recognized"}})
			},
			noUser: true,
			check: func(t *testing.T, r Result, srv *smtptest.Server) {
				if l := srv.Lines(); l[1] != "HELO client.example.test" {
					t.Errorf("lines %q", l)
				}
			},
		},
		{
			name: "malformed reply mid session",
			script: func(t *testing.T, ca *smtptest.CA) smtptest.Script {
				return withReplies(tlsScript(ca, t), map[string][]string{"EHLO": {"hello there"}})
			},
			code: CodeSMTPBadReply, step: StepEHLO,
		},
	}
}

func TestScenarios(t *testing.T) {
	for _, sc := range append(scenarios(), moreScenarios()...) {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			ca := smtptest.NewCA(t, "smtpdoctor test CA")
			srv := smtptest.Start(t, sc.script(t, ca))
			sec := sc.security
			if sec == "" {
				sec = SecurityAuto
			}
			s := settingsFor(srv, sec)
			if !sc.noUser {
				s.User = testUser
			}
			if sc.settings != nil {
				sc.settings(&s)
			}
			o := testOptions()
			o.RootCAs = ca.Pool
			pass := testPass
			if sc.password != "" {
				pass = sc.password
			}
			r := runProbe(t, s, pass, o)
			if sc.step == "" {
				if r.Failure != nil {
					t.Fatalf("unexpected failure %+v\n%s", r.Failure, transcriptText(r))
				}
			} else {
				f := r.Failure
				if f == nil {
					t.Fatalf("no failure, want %s at %s\n%s", sc.code, sc.step, transcriptText(r))
				}
				if f.Code != sc.code || f.Step != sc.step || f.Reply != sc.reply {
					t.Fatalf("failure %+v, want code %q step %q reply %d\n%s", f, sc.code, sc.step, sc.reply, transcriptText(r))
				}
				if stepStatus(r, sc.step) != StepFailed {
					t.Errorf("step %s status %q", sc.step, stepStatus(r, sc.step))
				}
			}
			assertNoSecret(t, r, testUser, pass)
			if sc.check != nil {
				sc.check(t, r, srv)
			}
		})
	}
}
