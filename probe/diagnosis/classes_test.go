package diagnosis

import (
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/provider"
)

// classCase is a real reply (its source in a comment) and what the
// diagnosis must make of it: the code, words the remediation must hold
// and words it must not.
type classCase struct {
	name    string
	r       *probe.Result
	code    probe.Code
	want    []string // in the remediation (lower case compare)
	notWant []string // never in the remediation or summary
}

func runClasses(t *testing.T, cases []classCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			Diagnose(c.r)
			d := c.r.Diagnosis
			if d.Code != c.code {
				t.Fatalf("code = %s, want %s (rule %+v)\nsummary: %s", d.Code, c.code, d.Rule, d.Summary)
			}
			steps := strings.ToLower(strings.Join(d.Remediation, "\n"))
			for _, w := range c.want {
				if !strings.Contains(steps, strings.ToLower(w)) {
					t.Errorf("remediation lacks %q:\n%s", w, strings.Join(d.Remediation, "\n"))
				}
			}
			all := strings.ToLower(d.Summary + "\n" + steps)
			for _, w := range c.notWant {
				if strings.Contains(all, strings.ToLower(w)) {
					t.Errorf("diagnosis says %q:\n%s\n%s", w, d.Summary, strings.Join(d.Remediation, "\n"))
				}
			}
			if d.Rule == nil || d.Rule.ID == "" {
				t.Errorf("no rule trace")
			}
		})
	}
}

// Encryption demanded in other words, at AUTH or at MAIL FROM.
func TestEncryptionInOtherWords(t *testing.T) {
	const h = "smtp.example.net"
	runClasses(t, []classCase{
		// https://github.com/PHPMailer/PHPMailer/issues/283 (Yandex)
		{name: "without SSL/TLS encryption is not allowed at AUTH", code: probe.CodeAuthRequiresTLS, want: []string{"STARTTLS"}, notWant: []string{"check the username"},
			r: with(result(h, probe.StepAuth, 530, "5.7.7 Email sending without SSL/TLS encryption is not allowed. Please see: http://help.yandex.ru/mail/mail-clients/ssl.xml"), plaintext)},
		// https://github.com/bebleo/smtpdfix/issues/10 (538 on a plain session)
		{name: "538 authentication required means encryption", code: probe.CodeAuthRequiresTLS,
			r: with(result(h, probe.StepAuth, 538, "Authentication required."), plaintext)},
		// https://github.com/kubesphere/notification-manager/issues/273 (Azure Communication Services)
		{name: "starttls is required at MAIL FROM", code: probe.CodeAuthRequiresTLS, notWant: []string{"give the app a username"},
			r: with(result("smtp.azurecomm.net", probe.StepMail, 451, "5.7.3 starttls is required to send mail"), plaintext)},
		// The same demand as a generic phrasing at MAIL FROM: "SSL
		// required" is not "log in first".
		{name: "ssl required at MAIL FROM", code: probe.CodeAuthRequiresTLS,
			r: with(result(h, probe.StepMail, 530, "5.7.0 SSL required for this command"), plaintext)},
	})
}

// Refusals that name a policy, not the password.
func TestPolicyRefusals(t *testing.T) {
	const h = "smtp.example.net"
	runClasses(t, []classCase{
		// https://github.com/gophish/gophish/issues/3220 (Microsoft's text, Portuguese in the report; English as Exchange sends it)
		{name: "conditional access did not meet the criteria", code: probe.CodeAuthBlockedByPolicy, want: []string{"Sign-in logs"}, notWant: []string{"re-enter the password"},
			r: result("smtp.office365.com", probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator. [MN2PR07CA0004.namprd07.prod.outlook.com]")},
		// https://github.com/MailCore/mailcore2/pull/1517 (Tiscali)
		{name: "password too simple", code: probe.CodeAuthBlockedByPolicy, want: []string{"meets its rules"}, notWant: []string{"re-enter the password"},
			r: result("smtp.tiscali.it", probe.StepAuth, 535, "5.7.0 authentication rejected: your password is too simple")},
		// An administrator's policy in other words (the generic sign).
		{name: "refused by the administrator's policy", code: probe.CodeAuthBlockedByPolicy, notWant: []string{"re-enter the password"},
			r: result(h, probe.StepAuth, 535, "5.7.8 Authentication refused by access policy of your administrator")},
		// https://github.com/open-falcon/mail-provider/issues/6 (NetEase 163:
		// SMTP not switched on for the mailbox)
		{name: "user has no permission at MAIL FROM", code: probe.CodeAuthBlockedByPolicy, notWant: []string{"re-enter the password", "login worked"},
			r: result("smtp.163.com", probe.StepMail, 550, "User has no permission")},
		// https://github.com/higty/higlabo/pull/17 (Yandex)
		{name: "use the web interface or prove you are not a robot", code: probe.CodeAuthWebLoginRequired, want: []string{"web browser"}, notWant: []string{"re-enter the password"},
			r: result("smtp.yandex.ru", probe.StepAuth, 535, "5.7.8 Error: authentication failed: Your message looks like spam. You need to use web for sending or prove you are not a robot using the following link http://ya.cc/abc")},
	})
}

// The end-of-data reply is read with the MAIL FROM rules.
func TestSenderRefusalsAfterData(t *testing.T) {
	const h = "smtp.example.net"
	runClasses(t, []classCase{
		// https://github.com/transitland/transitland-datastore/issues/1231 (Mailgun)
		{name: "unconfigured sending domain at DATA", code: probe.CodeSenderRejected,
			r: result(h, probe.StepData, 550, "5.7.1 Unconfigured Sending Domain <mapzen.com>")},
		// https://github.com/PHPMailer/PHPMailer/issues/2683 (SMTP2GO)
		{name: "from header sender domain not verified at DATA", code: probe.CodeSenderRejected,
			r: result("mail.smtp2go.com", probe.StepData, 550, "From header sender domain not verified.", "On your Settings > Sender Domains page", "verify the sender domain to be allowed to send.")},
		// https://github.com/WWBN/AVideo/issues/1017 (Microsoft 365)
		{name: "5.7.60 send as at DATA", code: probe.CodeSenderRejected, want: []string{"Send As"},
			r: result("smtp.office365.com", probe.StepData, 550, "5.7.60 SMTP; Client does not have permissions to send as this sender [CY4PR1701MB1800.namprd17.prod.outlook.com]")},
		// https://github.com/overleaf/overleaf/issues/1290 (the same words at MAIL FROM)
		{name: "sending from domain not allowed at MAIL FROM", code: probe.CodeSenderRejected,
			r: result(h, probe.StepMail, 550, "5.7.1 Sending from domain  is not allowed")},
		// https://github.com/namshi/docker-smtp/issues/85 (relay words at the end of data)
		{name: "relay not permitted at DATA", code: probe.CodeRelayDenied,
			r: result(h, probe.StepData, 550, "relay not permitted")},
	})
}

// "Sender address rejected: not logged in" without a login is "log in
// first", and nothing says a login worked.
func TestNotLoggedIn(t *testing.T) {
	// https://github.com/mailcow/mailcow/issues/51 (at RCPT TO) and
	// https://github.com/hardware/mailserver/issues/329
	for _, step := range []string{probe.StepMail, probe.StepRcpt} {
		r := with(result("mail.example.com", step, 553, "5.7.1 <alice@example.com>: Sender address rejected: not logged in"), noUser, func(r *probe.Result) {
			r.Auth = nil
		})
		runClasses(t, []classCase{{name: "not logged in at " + step, code: probe.CodeAuthRequired, want: []string{"username and password"},
			notWant: []string{"login worked", "logged in with", "auth had succeeded"}, r: r}})
	}
	// A sender refusal without a login never says the login worked.
	r := with(result("mail.example.com", probe.StepMail, 553, "5.7.1 Sender address rejected: not owned by user"), noUser, func(r *probe.Result) { r.Auth = nil })
	Diagnose(r)
	if strings.Contains(strings.ToLower(r.Diagnosis.Summary), "login worked") {
		t.Errorf("summary claims a login: %s", r.Diagnosis.Summary)
	}
}

// "authentication is required" in a provider's own words, at MAIL FROM.
func TestAuthenticationRequiredAtMail(t *testing.T) {
	// https://github.com/mludvig/smtp-cli/issues/4 (NetEase 163)
	r := with(result("applesmtp.163.com", probe.StepMail, 553, "authentication is required,smtp13,EcCowECZoy+xLGNU4LXrAQ--.2290S2 1415785650"), noUser, func(r *probe.Result) { r.Auth = nil })
	runClasses(t, []classCase{{name: "163 authentication is required", code: probe.CodeAuthRequired, want: []string{"username and password"}, notWant: []string{"login worked"}, r: r}})
	// https://github.com/Billionmail/BillionMail/issues/156 (Amazon SES)
	r = with(result("email-smtp.ap-southeast-1.amazonaws.com", probe.StepMail, 530, "Authentication required"), noUser, func(r *probe.Result) { r.Auth = nil })
	runClasses(t, []classCase{{name: "ses 530 authentication required", code: probe.CodeAuthRequired, r: r}})
}

// Generic "too many" replies are a rate limit first.
func TestTooManyIsARateLimit(t *testing.T) {
	runClasses(t, []classCase{
		// https://github.com/nodemailer/nodemailer/issues/1350
		{name: "535 this user authenticate too many times", code: probe.CodeAuthRateLimited, want: []string{"stop retrying", "do not change the password"},
			notWant: []string{"re-enter the password"},
			r:       result("smtp.qq.com", probe.StepAuth, 535, "auth failed (this user authenticate too many times)")},
		// https://github.com/nodemailer/nodemailer/issues/1388 (Gmail)
		{name: "454 too many login attempts", code: probe.CodeAuthRateLimited, want: []string{"stop retrying"},
			r: result("smtp.gmail.com", probe.StepAuth, 454, "4.7.0 Too many login attempts, please try again later. 4-20020a056000154400b00203812ca383sm10857871wry.78 - gsmtp")},
		// A server that says how long: the steps repeat it.
		{name: "535 too many failures with a wait", code: probe.CodeAuthRateLimited, want: []string{"wait 15 minutes"},
			r: result("mail.example.com", probe.StepAuth, 535, "5.7.8 Too many failed login attempts, try again in 15 minutes")},
	})
}

// A provider's steps appear only for that provider, and a summary cites
// only the codes the server sent.
func TestNoForeignSteps(t *testing.T) {
	runClasses(t, []classCase{
		// Microsoft 365 with a back-end failure: no Dovecot or Postfix
		// advice for a hosted service (https://github.com/jstedfast/MailKit/issues/566).
		{name: "microsoft 365 temporary server error has no dovecot step", code: probe.CodeAuthTemporaryFailure, notWant: []string{"dovecot", "postfix", "saslauthd"},
			r: result("smtp.office365.com", probe.StepAuth, 451, "4.7.0 Temporary server error. Please try again later. PRX4 [AM5PR0701CA0008.eurprd07.prod.outlook.com]")},
		// Gmail does not run Exchange: no connector advice for it.
		{name: "gmail 504 has no exchange step", code: probe.CodeAuthMechanismUnsupported, notWant: []string{"exchange"},
			r: result("smtp.gmail.com", probe.StepAuth, 504, "5.7.4 Unrecognized authentication type. x1-20020a - gsmtp")},
		// Postfix says "generic failure" with 535: the summary must not
		// call it a 454.
		{name: "535 generic failure does not cite 454", code: probe.CodeAuthTemporaryFailure, notWant: []string{"454"},
			r: with(result("mail.example.com", probe.StepAuth, 535, "5.7.8 Error: authentication failed: generic failure"), banner("mail.example.com ESMTP Postfix"))},
		// A 554 greeting is not a 421.
		{name: "554 greeting does not cite 421", code: probe.CodeSMTPServiceUnavailable, notWant: []string{"421"},
			r: result("mail.example.com", probe.StepGreeting, 554, "5.7.1 Service unavailable; client host blocked")},
	})
}

// A refusal by policy or a demand for a browser sign-in never tells the
// user to check or retype the password, whichever provider answers.
func TestPolicyNeverSaysCheckPassword(t *testing.T) {
	replies := []struct {
		code probe.Code
		line string
	}{
		{probe.CodeAuthBlockedByPolicy, "5.7.8 Authentication refused by access policy of your administrator"},
		// https://github.com/higty/higlabo/pull/17 (Yandex)
		{probe.CodeAuthWebLoginRequired, "5.7.8 Error: authentication failed: Your message looks like spam. You need to use web for sending or prove you are not a robot using the following link http://ya.cc/abc"},
	}
	checked := 0
	for _, p := range provider.All() {
		host := ""
		if eps := p.Endpoints(""); len(eps) > 0 {
			host = eps[0].Host
		}
		if host == "" {
			continue
		}
		for _, c := range replies {
			r := result(host, probe.StepAuth, 535, c.line)
			Diagnose(r)
			d := r.Diagnosis
			if d.Code != c.code {
				// A provider's own reply patterns may read the words
				// otherwise; that is theirs to decide.
				continue
			}
			checked++
			steps := strings.ToLower(strings.Join(d.Remediation, "\n"))
			for _, bad := range []string{"re-enter the password", "check the password", "check the username", "wrong password"} {
				if strings.Contains(steps, bad) {
					t.Errorf("%s, %s: remediation says %q:\n%s", p.Key, c.code, bad, steps)
				}
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d provider cases checked", checked)
	}
}
