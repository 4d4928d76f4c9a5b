package snippet

import (
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

func input(sec probe.Security, mech probe.Mechanism) Input {
	return Input{Host: "smtp.example.com", Port: 587, Security: sec, Mech: mech, User: "me@example.com", From: "me@example.com", To: "you@example.net"}
}

// The spellings each library uses for the three security modes: the
// mistake the snippets exist to prevent.
func TestSecuritySpellings(t *testing.T) {
	want := map[probe.Security]map[string][]string{
		probe.SecurityTLS: {
			"nodemailer":   {"secure: true"},
			"phpmailer":    {"PHPMailer::ENCRYPTION_SMTPS"},
			"symfony":      {"dsn: 'smtps://"},
			"laravel":      {"MAIL_SCHEME=smtps"},
			"django":       {"EMAIL_USE_SSL = True", "EMAIL_USE_TLS = False"},
			"python":       {"smtplib.SMTP_SSL("},
			"go":           {"tls.DialWithDialer("},
			"go-mail":      {"mail.WithSSL()"},
			"mailkit":      {"SecureSocketOptions.SslOnConnect"},
			"jakarta-mail": {`"mail.smtp.ssl.enable", "true"`},
			"spring-boot":  {"mail.smtp.ssl.enable=true"},
			"rails":        {"tls: true"},
			"wordpress":    {"'WPMS_SSL', 'ssl'"},
			"postfix":      {"smtp_tls_wrappermode = yes"},
			"msmtp":        {"tls on\ntls_starttls off"},
			"thunderbird":  {"SSL/TLS"},
			"outlook":      {"SSL/TLS"},
			"swaks":        {"--tls-on-connect"},
			"openssl":      {"s_client"},
			"curl":         {"smtps://"},
		},
		probe.SecurityStartTLS: {
			"nodemailer":   {"secure: false", "requireTLS: true"},
			"phpmailer":    {"PHPMailer::ENCRYPTION_STARTTLS"},
			"symfony":      {"dsn: 'smtp://"},
			"django":       {"EMAIL_USE_TLS = True", "EMAIL_USE_SSL = False"},
			"python":       {"s.starttls(context=context)"},
			"go":           {"c.StartTLS(tlsConfig)"},
			"go-mail":      {"mail.WithTLSPolicy(mail.TLSMandatory)"},
			"mailkit":      {"SecureSocketOptions.StartTls"},
			"jakarta-mail": {`"mail.smtp.starttls.enable", "true"`, `"mail.smtp.starttls.required", "true"`},
			"spring-boot":  {"mail.smtp.starttls.required=true"},
			"rails":        {"enable_starttls: true"},
			"wordpress":    {"'WPMS_SSL', 'tls'"},
			"postfix":      {"smtp_tls_security_level = secure"},
			"msmtp":        {"tls on\ntls_starttls on"},
			"swaks":        {"--tls \\"},
			"openssl":      {"-starttls smtp"},
			"curl":         {"--ssl-reqd"},
		},
		probe.SecurityNone: {
			"nodemailer": {"ignoreTLS: true"},
			"phpmailer":  {"SMTPAutoTLS = false"},
			"symfony":    {"?auto_tls=false"},
			"django":     {"EMAIL_USE_TLS = False", "EMAIL_USE_SSL = False"},
			"go-mail":    {"mail.NoTLS", "SMTPAuthPlainNoEnc"},
			"mailkit":    {"SecureSocketOptions.None"},
			"rails":      {"enable_starttls_auto: false"},
			"postfix":    {"smtp_tls_security_level = none"},
			"msmtp":      {"tls off"},
		},
	}
	for sec, clients := range want {
		all, err := All(input(sec, probe.MechPlain))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range all {
			for _, w := range clients[s.Client] {
				if !strings.Contains(s.Text, w) {
					t.Errorf("%s, %s: want %q in:\n%s", sec, s.Client, w, s.Text)
				}
			}
			if sec != probe.SecurityTLS && strings.Contains(s.Text, "SMTP_SSL(") {
				t.Errorf("%s, %s: implicit TLS in a %s snippet", sec, s.Client, sec)
			}
		}
	}
}

func TestOAuthForms(t *testing.T) {
	want := map[string][]string{
		"nodemailer":   {`type: "OAuth2"`, "accessToken: process.env.SMTP_OAUTH_TOKEN"},
		"phpmailer":    {"AuthType = 'XOAUTH2'", "implements OAuthTokenProvider", "getenv('SMTP_OAUTH_TOKEN')"},
		"python":       {`s.auth("XOAUTH2"`, "auth=Bearer {token}"},
		"django":       {"OAuth2EmailBackend", `self.connection.auth("XOAUTH2"`},
		"go":           {"oauthAuth{mech: \"XOAUTH2\""},
		"go-mail":      {"mail.SMTPAuthXOAUTH2", `os.Getenv("SMTP_OAUTH_TOKEN")`},
		"mailkit":      {"new SaslMechanismOAuth2("},
		"jakarta-mail": {`"mail.smtp.auth.mechanisms", "XOAUTH2"`},
		"spring-boot":  {"spring.mail.password=${SMTP_OAUTH_TOKEN}", "mechanisms=XOAUTH2"},
		"rails":        {"authentication: :xoauth2"},
		"msmtp":        {"auth xoauth2", `passwordeval "printenv SMTP_OAUTH_TOKEN"`},
		"thunderbird":  {"OAuth2"},
		"curl":         {"oauth2-bearer", "AUTH=XOAUTH2"},
		"openssl":      {"AUTH XOAUTH2 $auth"},
	}
	in := input(probe.SecurityStartTLS, probe.MechXOAUTH2)
	if !in.OAuth() {
		t.Fatal("xoauth2 is OAuth")
	}
	all, err := All(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		for _, w := range want[s.Client] {
			if !strings.Contains(s.Text, w) {
				t.Errorf("%s: want %q in:\n%s", s.Client, w, s.Text)
			}
		}
		if strings.Contains(s.Text, "SMTP_PASSWORD") {
			t.Errorf("%s: an OAuth snippet reads SMTP_PASSWORD:\n%s", s.Client, s.Text)
		}
	}
	s, err := For("mailkit", input(probe.SecurityTLS, probe.MechOAUTHBEARER))
	if err != nil || !strings.Contains(s.Text, "new SaslMechanismOAuthBearer(") {
		t.Errorf("mailkit OAUTHBEARER: %v\n%s", err, s.Text)
	}
}

// A quote or a dollar in a username must stay inside its string literal.
func TestHostileValuesStayQuoted(t *testing.T) {
	in := input(probe.SecurityStartTLS, probe.MechPlain)
	in.User = `o'brien"$(id)#{x}\`
	all, err := All(in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"nodemailer": `user: "o'brien\"$(id)#{x}\\",`,
		"python":     `user = "o'brien\"$(id)#{x}\\"`,
		"phpmailer":  `$mail->Username = 'o\'brien"$(id)#{x}\\';`,
		"rails":      `user_name: 'o\'brien"$(id)#{x}\\',`,
		"go":         `smtp.PlainAuth("", "o'brien\"$(id)#{x}\\"`,
		"swaks":      `--auth-user 'o'\''brien"$(id)#{x}\'`,
		"msmtp":      `user "o'brien\"$(id)#{x}\\"`,
		"symfony":    `dsn: 'smtp://o%%27brien%%22$%%28id%%29%%23%%7Bx%%7D%%5C:%env(urlencode:SMTP_PASSWORD)%@`,
	}
	for _, s := range all {
		if w, ok := want[s.Client]; ok && !strings.Contains(s.Text, w) {
			t.Errorf("%s: want %s in:\n%s", s.Client, w, s.Text)
		}
	}
}

func TestBadInput(t *testing.T) {
	for name, in := range map[string]Input{
		"no host":       {Port: 587, Security: probe.SecurityTLS},
		"port 0":        {Host: "h", Security: probe.SecurityTLS},
		"auto":          {Host: "h", Port: 587, Security: probe.SecurityAuto},
		"newline in to": {Host: "h", Port: 587, Security: probe.SecurityTLS, To: "a\r\nRCPT TO:<b>"},
		"quote in host": {Host: "h'x", Port: 587, Security: probe.SecurityTLS},
	} {
		if _, err := All(in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := For("pine", input(probe.SecurityTLS, "")); err == nil || !strings.Contains(err.Error(), "nodemailer") {
		t.Errorf("unknown client: %v, want the list of clients", err)
	}
}

func TestFromResult(t *testing.T) {
	ok := probe.Result{
		Status: probe.StatusDone, Outcome: probe.OutcomeSuccess,
		Settings: probe.Settings{Host: "smtp.example.com", Port: 587, Security: probe.SecurityAuto, User: "me@example.com", Mech: probe.MechAuto},
		TLS:      &probe.TLSInfo{Mode: "starttls"},
		Auth:     &probe.AuthInfo{Mechanism: "LOGIN", Succeeded: true},
	}
	in, good := FromResult(&ok)
	if !good || in.Security != probe.SecurityStartTLS || in.Mech != probe.MechLogin {
		t.Errorf("got %+v %v: want starttls and the login mechanism that worked", in, good)
	}
	failed := ok
	failed.Outcome = probe.OutcomeFailure
	if _, good := FromResult(&failed); good {
		t.Error("a failed probe gave snippets")
	}
	noAuth := ok
	noAuth.Auth = &probe.AuthInfo{Succeeded: false}
	if _, good := FromResult(&noAuth); good {
		t.Error("a probe whose login did not succeed gave snippets")
	}
	pasted := ok
	pasted.Kind = probe.KindExplain
	if _, good := FromResult(&pasted); good {
		t.Error("pasted text gave snippets")
	}
	implicit := ok
	implicit.TLS = &probe.TLSInfo{Mode: "implicit"}
	if in, _ := FromResult(&implicit); in.Security != probe.SecurityTLS {
		t.Errorf("implicit TLS resolved to %s", in.Security)
	}
}

// A probe without a username (try-all) against a server that offers AUTH
// keeps the login in the snippets, with a placeholder.
func TestFromResultWithoutLogin(t *testing.T) {
	r := probe.Result{
		Status: probe.StatusDone, Outcome: probe.OutcomeSuccess,
		Settings: probe.Settings{Host: "smtp.example.com", Port: 465, Security: probe.SecurityTLS},
		TLS:      &probe.TLSInfo{Mode: "implicit"},
		Auth:     &probe.AuthInfo{OfferedAfterTLS: []string{"PLAIN", "LOGIN"}},
	}
	in, ok := FromResult(&r)
	if !ok || in.User != PlaceholderUser || !in.LoginUntested || !in.Auth() {
		t.Fatalf("got %+v %v", in, ok)
	}
	s, _ := For("nodemailer", in)
	if !strings.Contains(s.Text, `user: "YOUR-USERNAME"`) {
		t.Errorf("no placeholder login:\n%s", s.Text)
	}
	r.Auth = nil // a relay that offers no AUTH: no login at all
	if in, _ := FromResult(&r); in.Auth() || in.LoginUntested {
		t.Errorf("a server without AUTH got a login: %+v", in)
	}
}
