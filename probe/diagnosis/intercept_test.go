package diagnosis

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// loopbackResolver answers every name with 127.0.0.1, so that a test can
// type smtp.gmail.com and reach a scripted server.
type loopbackResolver struct{}

func (loopbackResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
}

// probeAs runs a real probe of srv while the user typed host.
func probeAs(t *testing.T, host string, srv *smtptest.Server, ca *smtptest.CA, sec probe.Security) *probe.Result {
	t.Helper()
	o := probe.Options{Resolver: loopbackResolver{}, StepTimeout: 5 * time.Second, TotalTimeout: 10 * time.Second}
	if ca != nil {
		o.RootCAs = ca.Pool
	}
	s := probe.Settings{Host: host, Port: srv.Port, Security: sec, User: "alice@example.com", HELO: "client.example.test"}
	r := probe.Run(context.Background(), s, probe.Secret{Password: "app-password-x"}, o)
	Diagnose(&r)
	return &r
}

func TestInterceptedServerIsSaidFirst(t *testing.T) {
	// https://github.com/PHPMailer/PHPMailer/issues/1531 (HostGator's Exim,
	// its greeting and certificate) answering for a Gmail host, as in
	// https://github.com/PHPMailer/PHPMailer/issues/1004.
	ca := smtptest.NewCA(t, "hosting CA")
	srv := smtptest.Start(t, smtptest.Script{
		Greeting: []string{
			"220-gator2016.hostgator.com ESMTP Exim 4.91 #1 Wed, 29 Aug 2018 03:49:49 -0500",
			"220-We do not authorize the use of this system to transport unsolicited,",
			"220 and/or bulk e-mail.",
		},
		TLS: smtptest.ServerTLS(ca.Valid(t, "*.hostgator.com"), 0),
		Replies: map[string][]string{
			"AUTH": {"535 Incorrect authentication data"},
		},
		TLSReplies: map[string][]string{
			"EHLO": {"250-gator2016.hostgator.com Hello client.example.test [203.0.113.5]", "250-SIZE 52428800", "250-AUTH PLAIN LOGIN", "250 HELP"},
			"AUTH": {"535 Incorrect authentication data"},
		},
	})
	r := probeAs(t, "smtp.gmail.com", srv, ca, probe.SecurityStartTLS)
	d := r.Diagnosis
	if d.Code != probe.CodeSMTPIntercepted {
		t.Fatalf("code = %s (%+v)\n%s", d.Code, d.Rule, d.Summary)
	}
	for _, w := range []string{"smtp.gmail.com", "hostgator.com", "Exim", "535 Incorrect authentication data"} {
		if !strings.Contains(d.Summary, w) {
			t.Errorf("summary lacks %q: %s", w, d.Summary)
		}
	}
	steps := strings.Join(d.Remediation, "\n")
	for _, w := range []string{"port 465", "relay", "unblock", "Do not send your Gmail"} {
		if !strings.Contains(steps, w) && !strings.Contains(steps, strings.ToLower(w)) {
			t.Errorf("remediation lacks %q:\n%s", w, steps)
		}
	}
	if strings.Contains(steps, "apppasswords") {
		t.Errorf("Gmail's own steps for a server that is not Gmail:\n%s", steps)
	}
	if d.Rule == nil || d.Rule.ID != "intercepted" {
		t.Errorf("rule %+v", d.Rule)
	}
}

func TestInterceptedByNameOnly(t *testing.T) {
	// https://github.com/PHPMailer/PHPMailer/issues/484: an Exim of the
	// hosting company answered for a sending service, in plaintext.
	srv := smtptest.Start(t, smtptest.Script{
		Greeting: []string{"220-vprc1.myhostapps.com ESMTP Exim 4.85 #2 Thu, 03 Sep 2015 10:00:00 +0000", "220 We do not authorize the use of this system to transport unsolicited mail"},
		Replies:  map[string][]string{"EHLO": {"250-vprc1.myhostapps.com Hello", "250 AUTH PLAIN LOGIN"}, "AUTH": {"535 Incorrect authentication data"}},
	})
	r := probeAs(t, "smtp.gmail.com", srv, nil, probe.SecurityNone)
	if r.Diagnosis.Code != probe.CodeSMTPIntercepted || !strings.Contains(r.Diagnosis.Summary, "myhostapps.com") {
		t.Fatalf("%s: %s", r.Diagnosis.Code, r.Diagnosis.Summary)
	}
}

// The providers' own servers answer under other names than the host
// typed: none of that is an interception.
func TestProviderNamesAreNotInterceptions(t *testing.T) {
	for _, c := range []struct {
		host   string
		banner string
		ehlo   string
		auth   string
	}{
		// Microsoft answers *.outlook.com for smtp.office365.com
		// (https://github.com/simonrob/email-oauth2-proxy/issues/297).
		{"smtp.office365.com", "220 LO4P302CA0005.outlook.office365.com Microsoft ESMTP MAIL Service ready at Thu, 10 Oct 2024 22:49:55 +0000 [08DCE8B62813AB2B]",
			"250-LO4P302CA0005.outlook.office365.com Hello [203.0.113.5]", "535 5.7.3 Authentication unsuccessful [LO4P302CA0005.GBRP302.PROD.OUTLOOK.COM]"},
		// Google answers mx.google.com with gsmtp.
		{"smtp.gmail.com", "220 mx.google.com ESMTP a1-20020a17090 - gsmtp", "250-mx.google.com at your service, [203.0.113.5]",
			"535 5.7.8 Username and Password not accepted. https://support.google.com/mail/?p=BadCredentials - gsmtp"},
		// A provider marker alone (a banner with no name) vouches too.
		{"smtp.gmail.com", "220 ESMTP a1-20020a17090 - gsmtp", "250-x at your service", "535 5.7.8 Username and Password not accepted. - gsmtp"},
	} {
		t.Run(c.host, func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.Script{
				Greeting: []string{c.banner},
				Replies:  map[string][]string{"EHLO": {c.ehlo, "250 AUTH LOGIN PLAIN"}, "AUTH": {c.auth}},
			})
			r := probeAs(t, c.host, srv, nil, probe.SecurityNone)
			if r.Diagnosis.Code == probe.CodeSMTPIntercepted {
				t.Fatalf("intercepted: %s", r.Diagnosis.Summary)
			}
		})
	}
}
