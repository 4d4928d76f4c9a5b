package diagnosis

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// These tests replay replies through real sockets: a scripted SMTP server
// on 127.0.0.1 says exactly what the real provider said, the real probe
// talks to it under the provider's own host name (a resolver that answers
// 127.0.0.1 for every name, and a certificate for that name), and the
// diagnosis must come out as it does for the constructed result.

// loopback resolves every name to 127.0.0.1, so that the probe can use a
// provider's real host name while talking to a scripted server.
type loopback struct{}

func (loopback) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
}

// replayStep is generous: no replayed script waits out a step, so it costs
// nothing, and a loaded CI machine must not turn a slow handshake into a
// timeout diagnosis.
const (
	replayStep  = 2 * time.Second
	replayTotal = 10 * time.Second
)

func replayOptions(ca *smtptest.CA) probe.Options {
	return probe.Options{Resolver: loopback{}, RootCAs: ca.Pool, StepTimeout: replayStep, TotalTimeout: replayTotal}
}

// replayScript builds the server that says what the constructed result
// records: its banner, its EHLO, and the failing reply at the failing
// step. It returns the settings that make the probe walk into it.
func replayScript(t *testing.T, ca *smtptest.CA, r *probe.Result) (smtptest.Script, probe.Settings) {
	t.Helper()
	host, fl := r.Settings.Host, r.Failure
	domain, greeting := host, []string(nil)
	if b := r.Server.Banner; len(b) > 0 && b[0] != host+" ESMTP ready" {
		greeting = []string{"220 " + b[0]}
		domain = firstField(b[0])
	}
	encrypted := r.TLS != nil
	s := smtptest.Script{Domain: domain, Greeting: greeting, Replies: map[string][]string{}, TLSReplies: map[string][]string{}}
	if encrypted {
		s.TLS = smtptest.ServerTLS(ca.Valid(t, host), 0)
	}
	// STARTTLS is offered before TLS, as in the constructed results, and
	// AUTH everywhere so that the probe always gets as far as sending it:
	// PLAIN and LOGIN, plus the mechanism the scenario asks for.
	mechs := "AUTH PLAIN LOGIN"
	if m := r.Settings.Mech; m != "" && m != probe.MechAuto && m != probe.MechPlain && m != probe.MechLogin {
		mechs += " " + strings.ToUpper(string(m))
	}
	s.Replies["EHLO"] = smtptest.Reply(250, domain, "STARTTLS", "ENHANCEDSTATUSCODES", mechs)
	s.TLSReplies["EHLO"] = smtptest.Reply(250, domain, "ENHANCEDSTATUSCODES", mechs)

	reply := smtptest.Reply(fl.Reply, fl.Lines...)
	switch fl.Step {
	case probe.StepGreeting:
		s.Greeting = reply
	case probe.StepEHLO:
		s.Replies["EHLO"], s.TLSReplies["EHLO"] = reply, reply
	case probe.StepStartTLS:
		s.Replies["STARTTLS"] = reply
	case probe.StepAuth:
		if r.Auth != nil && len(r.Auth.OAuthError) > 0 {
			js, _ := json.Marshal(r.Auth.OAuthError)
			reply = append([]string{"334 " + base64.StdEncoding.EncodeToString(js)}, reply...)
		}
		s.Replies["AUTH"], s.TLSReplies["AUTH"] = reply, reply
	case probe.StepMail:
		s.Replies["MAIL"], s.TLSReplies["MAIL"] = reply, reply
	case probe.StepRcpt:
		s.Replies["RCPT"], s.TLSReplies["RCPT"] = reply, reply
	case probe.StepData:
		reply = append([]string{"354 End data with <CR><LF>.<CR><LF>"}, reply...)
		s.Replies["DATA"], s.TLSReplies["DATA"] = reply, reply
	default:
		t.Fatalf("no replay for step %s", fl.Step)
	}
	sec := probe.SecurityStartTLS
	if !encrypted && fl.Step != probe.StepStartTLS {
		sec = probe.SecurityNone
	}
	set := probe.Settings{
		Host: host, Security: sec, User: r.Settings.User, Mech: r.Settings.Mech,
		From: r.Settings.From, To: r.Settings.To, HELO: "client.example.org",
		Send: fl.Step == probe.StepData,
	}
	if set.Mech == "" {
		set.Mech = probe.MechAuto
	}
	return s, set
}

// TestReplayScenarios replays every scenario that has a server reply
// (the sample scenarios and the unseen providers) through the probe.
func TestReplayScenarios(t *testing.T) {
	ca := smtptest.NewCA(t, "replay CA")
	for _, sc := range append(sampleScenarios(), unseenScenarios()...) {
		if sc.r.Failure == nil || sc.r.Failure.Reply == 0 {
			continue // established by the probe itself; see the probe's own tests
		}
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			script, set := replayScript(t, ca, sc.r)
			srv := smtptest.Start(t, script)
			set.Port = srv.Port
			res := probe.Run(context.Background(), set, probe.Secret{Password: "right-or-wrong"}, replayOptions(ca))
			if res.Failure == nil {
				t.Fatalf("the probe saw no failure; transcript:\n%s", transcript(res))
			}
			if res.Failure.Step != sc.r.Failure.Step && !(sc.r.Failure.Step == probe.StepEHLO && res.Failure.Step == probe.StepEHLOTLS) {
				t.Fatalf("failed at %s (%s), scenario fails at %s; transcript:\n%s", res.Failure.Step, res.Failure.Code, sc.r.Failure.Step, transcript(res))
			}
			replayed := sc
			replayed.r = &res
			if replayed.finding == "auth.not_offered" {
				// The replayed server offers AUTH before TLS so that the
				// probe sends it; "not offered before TLS" is then untrue.
				replayed.finding = ""
			}
			checkScenario(t, replayed)
		})
	}
}

// TestReplayWholeConversations covers what only a live conversation
// shows: success, a certificate carried past, silence, input hints.
func TestReplayWholeConversations(t *testing.T) {
	ca := smtptest.NewCA(t, "replay CA")
	tlsFor := func(host string) *smtptestTLS { return &smtptestTLS{ca: ca, host: host} }
	tests := []struct {
		name     string
		script   func(t *testing.T) smtptest.Script
		set      probe.Settings
		password string
		code     probe.Code
		outcome  probe.Outcome
		severity probe.Severity
		fix      string
		finding  probe.Code
	}{
		{
			name:   "gmail success",
			script: func(t *testing.T) smtptest.Script { return tlsFor("smtp.gmail.com").script(t, "smtp.gmail.com") },
			set:    probe.Settings{Host: "smtp.gmail.com", Security: probe.SecurityAuto, User: "alice@gmail.com", From: "alice@gmail.com", To: "bob@example.net"},
			code:   "ok", outcome: probe.OutcomeSuccess, severity: probe.SeverityInfo, fix: "host smtp.gmail.com",
		},
		{
			name: "untrusted certificate carried past",
			script: func(t *testing.T) smtptest.Script {
				return smtptest.Script{Domain: "mail.example.com", TLS: smtptest.ServerTLS(smtptest.Untrusted(t, "mail.example.com"), 0)}
			},
			set:  probe.Settings{Host: "mail.example.com", Security: probe.SecurityStartTLS, User: "alice@example.com"},
			code: "tls.cert_untrusted", outcome: probe.OutcomeWarning, severity: probe.SeverityWarning, fix: "--ca-file",
		},
		{
			name: "silent at auth",
			script: func(t *testing.T) smtptest.Script {
				s := tlsFor("mail.example.com").script(t, "mail.example.com")
				s.TLSReplies = map[string][]string{"AUTH": {smtptest.Hang}}
				return s
			},
			set:  probe.Settings{Host: "mail.example.com", Security: probe.SecurityStartTLS, User: "alice@example.com"},
			code: "smtp.timeout", outcome: probe.OutcomeFailure, severity: probe.SeverityError,
			fix: "stay silent instead of answering 535", finding: "auth.silent_refusal",
		},
		{
			name: "password with a trailing space refused",
			script: func(t *testing.T) smtptest.Script {
				s := tlsFor("mail.example.com").script(t, "mail.example.com")
				s.User, s.Password = "alice@example.com", "hunter2"
				return s
			},
			set:      probe.Settings{Host: "mail.example.com", Security: probe.SecurityStartTLS, User: "alice@example.com"},
			password: "hunter2 ",
			code:     "auth.credentials_rejected", outcome: probe.OutcomeFailure, severity: probe.SeverityError,
			fix: "Remove the spaces", finding: "input.whitespace",
		},
		{
			name: "plaintext session where AUTH waits for STARTTLS",
			script: func(t *testing.T) smtptest.Script {
				s := tlsFor("mail.example.com").script(t, "mail.example.com")
				s.Replies = map[string][]string{"EHLO": smtptest.Reply(250, "mail.example.com", "STARTTLS", "ENHANCEDSTATUSCODES")}
				return s
			},
			set:  probe.Settings{Host: "mail.example.com", Security: probe.SecurityNone, User: "alice@example.com"},
			code: "auth.requires_tls", outcome: probe.OutcomeFailure, severity: probe.SeverityError,
			fix: "STARTTLS", finding: "auth.not_offered",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.Start(t, tt.script(t))
			set := tt.set
			set.Port, set.HELO = srv.Port, "client.example.org"
			if set.Mech == "" {
				set.Mech = probe.MechAuto
			}
			pw := tt.password
			if pw == "" {
				pw = "hunter2"
			}
			res := probe.Run(context.Background(), set, probe.Secret{Password: pw}, replayOptions(ca))
			Diagnose(&res)
			d := res.Diagnosis
			if d.Code != tt.code || res.Outcome != tt.outcome || d.Severity != tt.severity {
				t.Fatalf("got %s/%s/%s, want %s/%s/%s\n%s\ntranscript:\n%s", d.Code, res.Outcome, d.Severity, tt.code, tt.outcome, tt.severity, d.Summary, transcript(res))
			}
			if !strings.Contains(strings.Join(d.Remediation, "\n"), tt.fix) {
				t.Errorf("remediation lacks %q: %q", tt.fix, d.Remediation)
			}
			if tt.finding != "" && findingOf(&res, tt.finding).Code == "" {
				t.Errorf("finding %s missing: %+v", tt.finding, res.Findings)
			}
			// The password never reaches the diagnosis.
			js, _ := json.Marshal(res)
			if strings.Contains(string(js), "hunter2") {
				t.Errorf("the password is in the result")
			}
		})
	}
}

type smtptestTLS struct {
	ca   *smtptest.CA
	host string
}

// script is a default server with a valid certificate for host.
func (x *smtptestTLS) script(t *testing.T, domain string) smtptest.Script {
	return smtptest.Script{Domain: domain, TLS: smtptest.ServerTLS(x.ca.Valid(t, x.host), 0)}
}

func transcript(r probe.Result) string {
	var b strings.Builder
	for _, l := range r.Transcript {
		b.WriteString(string(l.Dir) + ": " + l.Text + "\n")
	}
	return b.String()
}
