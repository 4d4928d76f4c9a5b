package diagnosis

// Diagnoses of a real Postfix with Dovecot SASL, set up on loopback by
// .ci/mailserver.sh (which writes /tmp/smtpdoctor-mailserver.env; the
// SMTPDOCTOR_POSTFIX_* variables take precedence). Without either the
// tests skip. The probe's own tests check what the probe records; these
// check what the user is told.

import (
	"bufio"
	"context"
	"crypto/x509"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

type realPostfix struct {
	host, serverName string
	smtp, submission int
	roots            *x509.CertPool
	user, password   string
}

func postfixOrSkip(t *testing.T) realPostfix {
	t.Helper()
	vars := map[string]string{}
	if f, err := os.Open("/tmp/smtpdoctor-mailserver.env"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export "), "="); ok {
				vars[k] = strings.Trim(v, `'"`)
			}
		}
		f.Close()
	}
	get := func(k string) string {
		if v, ok := os.LookupEnv(k); ok {
			return v
		}
		return vars[k]
	}
	if get("SMTPDOCTOR_POSTFIX_HOST") == "" {
		// .ci/run sets SMTPDOCTOR_REQUIRE_REAL: there the real server must be tested, never skipped.
		if os.Getenv("SMTPDOCTOR_REQUIRE_REAL") != "" {
			t.Fatal("SMTPDOCTOR_REQUIRE_REAL is set but no Postfix is configured: .ci/mailserver.sh did not run or failed")
		}
		t.Skip("no Postfix to test against: run .ci/mailserver.sh as root")
	}
	pem, err := os.ReadFile(get("SMTPDOCTOR_POSTFIX_CA"))
	if err != nil {
		t.Fatalf("SMTPDOCTOR_POSTFIX_CA: %v", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatal("SMTPDOCTOR_POSTFIX_CA holds no certificate")
	}
	port := func(k string) int {
		p, err := strconv.Atoi(get(k))
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		return p
	}
	return realPostfix{
		host: get("SMTPDOCTOR_POSTFIX_HOST"), serverName: get("SMTPDOCTOR_POSTFIX_SERVERNAME"),
		smtp: port("SMTPDOCTOR_POSTFIX_SMTP_PORT"), submission: port("SMTPDOCTOR_POSTFIX_SUBMISSION_PORT"),
		roots: roots, user: get("SMTPDOCTOR_POSTFIX_USER"), password: get("SMTPDOCTOR_POSTFIX_PASSWORD"),
	}
}

func TestRealPostfix(t *testing.T) {
	pf := postfixOrSkip(t)
	tests := []struct {
		name     string
		set      probe.Settings
		password string
		code     probe.Code
		outcome  probe.Outcome
		fix      string
		finding  probe.Code
	}{
		{name: "wrong password", set: probe.Settings{Port: pf.submission, Security: probe.SecurityStartTLS, User: pf.user},
			password: "not the password", code: "auth.credentials_rejected", outcome: probe.OutcomeFailure, fix: "doveadm auth test"},
		{name: "wrong password with a trailing space", set: probe.Settings{Port: pf.submission, Security: probe.SecurityStartTLS, User: pf.user},
			password: pf.password + " ", code: "auth.credentials_rejected", outcome: probe.OutcomeFailure, fix: "Remove the spaces", finding: "input.whitespace"},
		{name: "plaintext where AUTH waits for STARTTLS", set: probe.Settings{Port: pf.smtp, Security: probe.SecurityNone, User: pf.user},
			password: pf.password, code: "auth.requires_tls", outcome: probe.OutcomeFailure, fix: "STARTTLS", finding: "auth.not_offered"},
		{name: "MAIL in plaintext on submission", set: probe.Settings{Port: pf.submission, Security: probe.SecurityNone, From: pf.user, To: pf.user},
			code: "auth.requires_tls", outcome: probe.OutcomeFailure, fix: "STARTTLS"},
		{name: "relay without login", set: probe.Settings{Port: pf.smtp, Security: probe.SecurityStartTLS, From: "a@example.com", To: "b@example.net"},
			code: "relay.denied", outcome: probe.OutcomeFailure, fix: "username and password"},
		{name: "everything works", set: probe.Settings{Port: pf.submission, Security: probe.SecurityStartTLS, User: pf.user, From: pf.user, To: pf.user},
			password: pf.password, code: "ok", outcome: probe.OutcomeSuccess, fix: "security STARTTLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := tt.set
			set.Host, set.HELO, set.Mech = pf.serverName, "client.smtpdoctor.test", probe.MechAuto
			opts := probe.Options{Resolver: loopback{}, RootCAs: pf.roots, StepTimeout: 5 * time.Second, TotalTimeout: 20 * time.Second}
			res := probe.Run(context.Background(), set, probe.Secret{Password: tt.password}, opts)
			Diagnose(&res)
			d := res.Diagnosis
			if d.Code != tt.code || res.Outcome != tt.outcome {
				t.Fatalf("got %s/%s, want %s/%s: %s\n%s", d.Code, res.Outcome, tt.code, tt.outcome, d.Summary, transcript(res))
			}
			if d.Provider != "Postfix" {
				t.Errorf("provider = %q, want Postfix (banner %q)", d.Provider, res.Server.Banner)
			}
			if !strings.Contains(strings.Join(d.Remediation, "\n"), tt.fix) {
				t.Errorf("remediation lacks %q: %q", tt.fix, d.Remediation)
			}
			if tt.finding != "" && findingOf(&res, tt.finding).Code == "" {
				t.Errorf("finding %s missing: %+v", tt.finding, res.Findings)
			}
		})
	}
}
