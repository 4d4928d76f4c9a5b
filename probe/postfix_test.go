package probe_test

// Tests against a real Postfix with Dovecot SASL, set up on loopback by
// .ci/mailserver.sh (CI runs it; locally: sudo .ci/mailserver.sh). The
// script writes its settings to /tmp/smtpdoctor-mailserver.env; the
// SMTPDOCTOR_POSTFIX_* variables, when set, take precedence. Without either
// the tests skip.

import (
	"bufio"
	"context"
	"crypto/x509"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
)

const postfixEnvFile = "/tmp/smtpdoctor-mailserver.env"

// postfixEnv is what .ci/mailserver.sh set up.
type postfixEnv struct {
	host       string // 127.0.0.1
	serverName string // the certificate's name
	smtp       int    // STARTTLS offered, AUTH only after TLS, relaying refused
	submission int    // STARTTLS required
	smtps      int    // implicit TLS
	roots      *x509.CertPool
	user       string
	password   string
}

func postfix(t *testing.T) postfixEnv {
	t.Helper()
	vars := map[string]string{}
	if f, err := os.Open(postfixEnvFile); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export "), "=")
			if ok {
				vars[k] = strings.Trim(v, `'"`)
			}
		}
		f.Close()
	}
	get := func(name string) string {
		if v, ok := os.LookupEnv(name); ok {
			return v
		}
		return vars[name]
	}
	if get("SMTPDOCTOR_POSTFIX_HOST") == "" {
		// .ci/run sets SMTPDOCTOR_REQUIRE_REAL: there the real server must be tested, never skipped.
		if os.Getenv("SMTPDOCTOR_REQUIRE_REAL") != "" {
			t.Fatal("SMTPDOCTOR_REQUIRE_REAL is set but no Postfix is configured: .ci/mailserver.sh did not run or failed")
		}
		t.Skip("no Postfix to test against: run .ci/mailserver.sh as root (it writes " + postfixEnvFile + ") or set SMTPDOCTOR_POSTFIX_*")
	}
	port := func(name string) int {
		p, err := strconv.Atoi(get(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return p
	}
	pem, err := os.ReadFile(get("SMTPDOCTOR_POSTFIX_CA"))
	if err != nil {
		t.Fatalf("SMTPDOCTOR_POSTFIX_CA: %v", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("SMTPDOCTOR_POSTFIX_CA holds no certificate")
	}
	return postfixEnv{
		host:       get("SMTPDOCTOR_POSTFIX_HOST"),
		serverName: get("SMTPDOCTOR_POSTFIX_SERVERNAME"),
		smtp:       port("SMTPDOCTOR_POSTFIX_SMTP_PORT"),
		submission: port("SMTPDOCTOR_POSTFIX_SUBMISSION_PORT"),
		smtps:      port("SMTPDOCTOR_POSTFIX_SMTPS_PORT"),
		roots:      roots,
		user:       get("SMTPDOCTOR_POSTFIX_USER"),
		password:   get("SMTPDOCTOR_POSTFIX_PASSWORD"),
	}
}

// fixedResolver answers every name with one address, so a probe can use
// the certificate's name against the loopback server.
type fixedResolver struct{ addr netip.Addr }

func (f fixedResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{f.addr}, nil
}

// run probes Postfix and diagnoses the result. Dovecot answers AUTH within
// milliseconds once its failure delay is off, but the step timeout leaves
// room for a slow machine.
func (pf postfixEnv) run(t *testing.T, s probe.Settings, password string, o probe.Options) probe.Result {
	t.Helper()
	if s.Host == "" {
		s.Host = pf.host
	}
	s.HELO = "client.smtpdoctor.test"
	if o.RootCAs == nil {
		o.RootCAs = pf.roots
	}
	o.StepTimeout = 10 * time.Second
	r := probe.Run(t.Context(), s, probe.Secret{Password: password}, o)
	diagnosis.Diagnose(&r)
	if password != "" && strings.Contains(postfixTranscript(r), password) {
		t.Errorf("the password is in the transcript")
	}
	return r
}

func postfixTranscript(r probe.Result) string {
	var b strings.Builder
	for _, l := range r.Transcript {
		b.WriteString(string(l.Dir) + " " + l.Text + "\n")
	}
	return b.String()
}

// wantCode checks the diagnosis, showing the conversation when it differs.
func wantCode(t *testing.T, r probe.Result, code probe.Code) {
	t.Helper()
	if r.Diagnosis == nil || r.Diagnosis.Code != code {
		got := "<none>"
		if r.Diagnosis != nil {
			got = string(r.Diagnosis.Code)
		}
		t.Errorf("diagnosis %s, want %s; failure %+v\n%s", got, code, r.Failure, postfixTranscript(r))
	}
}

// wantFailure checks the first failure's step, reply and enhanced code.
func wantFailure(t *testing.T, r probe.Result, step string, reply int, enhanced, text string) {
	t.Helper()
	f := r.Failure
	if f == nil {
		t.Fatalf("no failure, want %d at %s\n%s", reply, step, postfixTranscript(r))
	}
	if f.Step != step || f.Reply != reply || f.Enhanced != enhanced || !strings.Contains(strings.Join(f.Lines, "\n"), text) {
		t.Fatalf("failure %+v, want %s %d %s %q\n%s", f, step, reply, enhanced, text, postfixTranscript(r))
	}
}

func TestPostfixSubmissionRequiresSTARTTLS(t *testing.T) {
	pf := postfix(t)
	t.Run("MAIL in plaintext", func(t *testing.T) {
		r := pf.run(t, probe.Settings{Port: pf.submission, Security: probe.SecurityNone,
			From: pf.user, To: "bob@smtpdoctor.test"}, "", probe.Options{})
		wantFailure(t, r, probe.StepMail, 530, "5.7.0", "Must issue a STARTTLS command first")
		wantCode(t, r, "auth.requires_tls")
	})
	t.Run("AUTH in plaintext", func(t *testing.T) {
		r := pf.run(t, probe.Settings{Port: pf.submission, Security: probe.SecurityNone, User: pf.user}, pf.password, probe.Options{})
		// Postfix offers no AUTH before TLS here, so the probe does not
		// send the password in the clear at all.
		if r.Auth == nil || len(r.Auth.OfferedBeforeTLS) != 0 || r.Auth.Mechanism != "" {
			t.Errorf("auth %+v: want nothing offered and nothing tried", r.Auth)
		}
		wantCode(t, r, "auth.requires_tls")
	})
}

func TestPostfixImplicitTLS(t *testing.T) {
	pf := postfix(t)
	for _, tc := range []struct {
		name string
		host string
		o    probe.Options
	}{
		{"by address", pf.host, probe.Options{}},
		{"by the certificate's name", pf.serverName, probe.Options{Resolver: fixedResolver{netip.MustParseAddr(pf.host)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := pf.run(t, probe.Settings{Host: tc.host, Port: pf.smtps, Security: probe.SecurityTLS, User: pf.user,
				From: pf.user, To: "bob@smtpdoctor.test"}, pf.password, tc.o)
			if r.Failure != nil {
				t.Fatalf("failure %+v\n%s", r.Failure, postfixTranscript(r))
			}
			if r.TLS == nil || r.TLS.Mode != "implicit" || !r.TLS.Verified {
				t.Errorf("TLS %+v: want implicit and verified", r.TLS)
			}
			if r.Auth == nil || !r.Auth.Succeeded || !slices.Contains(r.Auth.OfferedAfterTLS, "PLAIN") {
				t.Errorf("auth %+v", r.Auth)
			}
			wantCode(t, r, "ok")
		})
	}
}

func TestPostfixAuthOnlyAfterTLS(t *testing.T) {
	pf := postfix(t)
	plain := pf.run(t, probe.Settings{Port: pf.smtp, Security: probe.SecurityNone, User: pf.user}, pf.password, probe.Options{})
	if plain.Auth == nil || len(plain.Auth.OfferedBeforeTLS) != 0 || plain.Auth.Mechanism != "" {
		t.Errorf("plaintext auth %+v: want nothing offered and nothing tried", plain.Auth)
	}
	wantCode(t, plain, "auth.requires_tls")

	r := pf.run(t, probe.Settings{Port: pf.smtp, Security: probe.SecurityStartTLS, User: pf.user}, pf.password, probe.Options{})
	if r.Failure != nil {
		t.Fatalf("failure %+v\n%s", r.Failure, postfixTranscript(r))
	}
	a := r.Auth
	if a == nil || len(a.OfferedBeforeTLS) != 0 || !slices.Equal(a.OfferedAfterTLS, []string{"PLAIN", "LOGIN"}) || !a.Succeeded {
		t.Errorf("auth %+v: want none before TLS, PLAIN LOGIN after, and success", a)
	}
	if r.TLS == nil || r.TLS.Mode != "starttls" || !r.TLS.Verified {
		t.Errorf("TLS %+v: want STARTTLS, verified", r.TLS)
	}
	if r.Server == nil || !slices.Contains(r.Server.Extensions, "STARTTLS") {
		t.Errorf("extensions before TLS lack STARTTLS: %+v", r.Server)
	}
	wantCode(t, r, "ok")
}

func TestPostfixWrongPassword(t *testing.T) {
	pf := postfix(t)
	for _, mech := range []probe.Mechanism{probe.MechPlain, probe.MechLogin} {
		t.Run(string(mech), func(t *testing.T) {
			r := pf.run(t, probe.Settings{Port: pf.submission, Security: probe.SecurityStartTLS, User: pf.user, Mech: mech},
				"Tr0ub4dor&3", probe.Options{})
			wantFailure(t, r, probe.StepAuth, 535, "5.7.8", "authentication failed")
			if r.Auth == nil || r.Auth.Succeeded {
				t.Errorf("auth %+v", r.Auth)
			}
			wantCode(t, r, "auth.credentials_rejected")
		})
	}
}

func TestPostfixSubmissionWorks(t *testing.T) {
	pf := postfix(t)
	r := pf.run(t, probe.Settings{Port: pf.submission, Security: probe.SecurityStartTLS, User: pf.user,
		From: pf.user, To: "bob@smtpdoctor.test"}, pf.password, probe.Options{})
	if r.Failure != nil {
		t.Fatalf("failure %+v\n%s", r.Failure, postfixTranscript(r))
	}
	for _, step := range []string{probe.StepStartTLS, probe.StepAuth, probe.StepMail, probe.StepRcpt} {
		if !slices.ContainsFunc(r.Steps, func(s probe.Step) bool { return s.Name == step && s.Status == probe.StepOK }) {
			t.Errorf("step %s not ok: %+v", step, r.Steps)
		}
	}
	wantCode(t, r, "ok")
}

func TestPostfixRelayDenied(t *testing.T) {
	pf := postfix(t)
	for _, sec := range []probe.Security{probe.SecurityNone, probe.SecurityStartTLS} {
		t.Run(string(sec), func(t *testing.T) {
			r := pf.run(t, probe.Settings{Port: pf.smtp, Security: sec,
				From: "someone@example.com", To: "someone@example.net"}, "", probe.Options{})
			wantFailure(t, r, probe.StepRcpt, 554, "5.7.1", "Relay access denied")
			// The server's words name relaying; the remediation (not the
			// code) says that a login is what is missing.
			wantCode(t, r, "relay.denied")
		})
	}
}

func TestPostfixCertificateProblems(t *testing.T) {
	pf := postfix(t)
	t.Run("untrusted without the CA", func(t *testing.T) {
		r := pf.run(t, probe.Settings{Port: pf.smtps, Security: probe.SecurityTLS}, "", probe.Options{RootCAs: x509.NewCertPool()})
		if r.TLS == nil || r.TLS.Verified || r.TLS.VerifyCode != "tls.cert_untrusted" {
			t.Errorf("TLS %+v: want tls.cert_untrusted", r.TLS)
		}
	})
	t.Run("a name the certificate does not carry", func(t *testing.T) {
		r := pf.run(t, probe.Settings{Host: "smtp.elsewhere.test", Port: pf.smtps, Security: probe.SecurityTLS}, "",
			probe.Options{Resolver: fixedResolver{netip.MustParseAddr(pf.host)}})
		if r.TLS == nil || r.TLS.Verified || r.TLS.VerifyCode != "tls.cert_hostname_mismatch" {
			t.Errorf("TLS %+v: want tls.cert_hostname_mismatch", r.TLS)
		}
	})
}

// TryAll against Postfix's three ports and one where nothing listens.
func TestPostfixTryAll(t *testing.T) {
	pf := postfix(t)
	l, err := net.Listen("tcp4", pf.host+":0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().(*net.TCPAddr).Port
	l.Close()
	opts := discover.TryOptions{
		Probe: probe.Options{RootCAs: pf.roots, StepTimeout: 10 * time.Second},
		Combos: []discover.Combo{
			{Port: pf.smtps, Security: probe.SecurityTLS},
			{Port: pf.submission, Security: probe.SecurityStartTLS},
			{Port: pf.smtp, Security: probe.SecurityStartTLS},
			{Port: closed, Security: probe.SecurityStartTLS},
		},
	}
	m := discover.TryAll(t.Context(), pf.host, pf.user, probe.Secret{Password: pf.password}, opts)
	for i, row := range m.Rows[:3] {
		if !row.Answered || !row.TLS || !row.TLSVerified || len(row.AuthBeforeTLS) != 0 ||
			!slices.Equal(row.AuthAfterTLS, []string{"PLAIN", "LOGIN"}) || row.Code != "ok" {
			row.Result = probe.Result{}
			t.Errorf("row %d: %+v", i, row)
		}
		if !strings.Contains(row.Greeting, "ESMTP Postfix") {
			t.Errorf("row %d greeting %q", i, row.Greeting)
		}
	}
	if !m.Rows[1].STARTTLS || !m.Rows[2].STARTTLS || m.Rows[0].STARTTLS {
		t.Errorf("STARTTLS offered: %v %v %v; want only on the plaintext ports", m.Rows[0].STARTTLS, m.Rows[1].STARTTLS, m.Rows[2].STARTTLS)
	}
	if m.Rows[3].Answered || m.Rows[3].Code != "net.refused" {
		t.Errorf("closed port: answered %v, code %s", m.Rows[3].Answered, m.Rows[3].Code)
	}
	if m.Best != 0 || m.Login == nil || m.Login.Auth == nil || !m.Login.Auth.Succeeded {
		t.Errorf("Best %d, login %+v", m.Best, m.Login)
	}
}
