package diagnosis

import (
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// scenario is one server reply and what the diagnosis must make of it.
type scenario struct {
	name     string
	r        *probe.Result
	code     probe.Code
	severity probe.Severity // default error
	fix      []string       // substrings the remediation must hold (case-insensitive)
	provider string         // Diagnosis.Provider, "" = none expected
	finding  probe.Code     // a finding code that must be present
}

const (
	gmail  = "smtp.gmail.com"
	m365   = "smtp.office365.com"
	plainH = "mail.example.com"
)

// sampleScenarios are the replies of the common providers and servers for
// each failure the diagnosis names.
func sampleScenarios() []scenario {
	return []scenario{
		// Gmail / Google Workspace.
		{name: "gmail 535 bad credentials", code: "auth.credentials_rejected", provider: "Gmail / Google Workspace",
			r:   result(gmail, probe.StepAuth, 535, "5.7.8 Username and Password not accepted. For more information, go to", "5.7.8  https://support.google.com/mail/?p=BadCredentials abc123 - gsmtp"),
			fix: []string{"https://myaccount.google.com/apppasswords", "full Gmail"}},
		{name: "gmail 534 app password required", code: "auth.app_password_required", provider: "Gmail / Google Workspace",
			r:   result(gmail, probe.StepAuth, 534, "5.7.9 Application-specific password required. For more information, go to", "5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor abc123 - gsmtp"),
			fix: []string{"app password at https://myaccount.google.com/apppasswords"}},
		{name: "gmail 534 web login", code: "auth.web_login_required", provider: "Gmail / Google Workspace",
			r: result(gmail, probe.StepAuth, 534,
				"5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbs>",
				"5.7.14 Please log in via your web browser and",
				"5.7.14 then try again.",
				"5.7.14  Learn more at",
				"5.7.14  https://support.google.com/mail/answer/78754 abc123 - gsmtp"),
			fix: []string{"web browser", "myaccount.google.com/notifications"}},
		{name: "gmail 530 starttls at mail", code: "auth.requires_tls", provider: "Gmail / Google Workspace",
			r:   with(result(gmail, probe.StepMail, 530, "5.7.0 Must issue a STARTTLS command first. abc123 - gsmtp"), plaintext),
			fix: []string{"STARTTLS", "465"}},
		{name: "gmail 530 starttls at auth", code: "auth.requires_tls", provider: "Gmail / Google Workspace",
			r:   with(result(gmail, probe.StepAuth, 530, "5.7.0 Must issue a STARTTLS command first. abc123 - gsmtp"), plaintext),
			fix: []string{"smtp.gmail.com port 587 with STARTTLS"}},
		{name: "gmail 530 authentication required at mail", code: "auth.required", provider: "Gmail / Google Workspace",
			r:   with(result(gmail, probe.StepMail, 530, "5.7.0 Authentication Required. For more information, go to", "5.7.0  https://support.google.com/mail/?p=WantAuthError abc123 - gsmtp"), noUser),
			fix: []string{"username and password"}},
		{name: "gmail 421 at ehlo", code: "smtp.service_unavailable", provider: "Gmail / Google Workspace",
			r:   result(gmail, probe.StepEHLO, 421, "4.7.0 Try again later, closing connection. (EHLO)", "4.7.0 For more information, go to", "4.7.0  https://support.google.com/a/answer/3221692 abc123 - gsmtp"),
			fix: []string{"EHLO name", "localhost"}},
		{name: "gmail xoauth2 error challenge", code: "auth.oauth_token_invalid", provider: "Gmail / Google Workspace",
			r: with(result(gmail, probe.StepAuth, 535, "5.7.8 Username and Password not accepted. For more information, go to", "5.7.8  https://support.google.com/mail/?p=BadCredentials abc123 - gsmtp"),
				mech(probe.MechXOAUTH2), func(r *probe.Result) {
					r.Auth.OAuthError = map[string]string{"status": "400", "schemes": "Bearer", "scope": "https://mail.google.com/"}
				}),
			fix: []string{"https://mail.google.com/", "fresh access token"}},
		{name: "gmail xoauth2 cannot decode", code: "auth.oauth_token_invalid", provider: "Gmail / Google Workspace",
			r:   with(result(gmail, probe.StepAuth, 501, "5.5.2 Cannot Decode response abc123 - gsmtp"), mech(probe.MechXOAUTH2)),
			fix: []string{"user="}},

		// Microsoft 365 / Outlook.com / Exchange.
		{name: "m365 smtp auth disabled for tenant", code: "auth.blocked_by_policy", provider: "Microsoft 365 / Exchange Online",
			r:   result(m365, probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [BN9PR03CA0123.namprd03.prod.outlook.com 2026-11-29T12:00:00.000Z 08DD]"),
			fix: []string{"Authenticated SMTP", "Set-CASMailbox -Identity alice@example.com -SmtpClientAuthenticationDisabled $false", "Set-TransportConfig"}},
		{name: "m365 smtp auth disabled for mailbox", code: "auth.blocked_by_policy", provider: "Microsoft 365 / Exchange Online",
			r:   result(m365, probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information. [AM0PR02CA0001.eurprd02.prod.outlook.com]"),
			fix: []string{"Manage email apps"}},
		{name: "m365 basic auth disabled", code: "auth.blocked_by_policy", provider: "Microsoft 365 / Exchange Online",
			r:   result(m365, probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, basic authentication is disabled. [BN9PR03CA0123.namprd03.prod.outlook.com]"),
			fix: []string{"OAuth 2.0 (XOAUTH2)", "SMTP.Send"}},
		{name: "m365 security defaults", code: "auth.blocked_by_policy", provider: "Microsoft 365 / Exchange Online",
			r:   result(m365, probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator."),
			fix: []string{"security defaults", "Conditional Access", "OAuth"}},
		{name: "m365 credentials incorrect", code: "auth.credentials_rejected", provider: "Microsoft 365 / Exchange Online",
			r:   result(m365, probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, the user credentials were incorrect. [BN9PR03CA0123.namprd03.prod.outlook.com]"),
			fix: []string{"user principal name", "app password", "Authenticated SMTP"}},
		{name: "m365 535 5.7.3 generic", code: "auth.credentials_rejected", provider: "Microsoft 365 / Exchange Online",
			r:   result(m365, probe.StepAuth, 535, "5.7.3 Authentication unsuccessful [BN3PR03CA0067.namprd03.prod.outlook.com]"),
			fix: []string{"SmtpClientAuthenticationDisabled", "SMTP.Send"}},
		{name: "outlook.com user on shared servers", code: "auth.credentials_rejected", provider: "Outlook.com (Hotmail, Live)",
			r:   with(result("smtp-mail.outlook.com", probe.StepAuth, 535, "5.7.3 Authentication unsuccessful [SN4PR0501CA0001.namprd05.prod.outlook.com]"), user("carol@hotmail.com")),
			fix: []string{"https://account.live.com/proofs/AppPassword"}},
		{name: "m365 530 5.7.57 at mail", code: "auth.required", provider: "Microsoft 365 / Exchange Online",
			r:   with(result(m365, probe.StepMail, 530, "5.7.57 Client not authenticated to send mail. [BN9PR03CA0123.namprd03.prod.outlook.com]"), noUser),
			fix: []string{"smtp.office365.com:587"}},
		{name: "m365 504 before starttls", code: "auth.requires_tls", provider: "Microsoft 365 / Exchange Online",
			r:   with(result(m365, probe.StepAuth, 504, "5.7.4 Unrecognized authentication type [BN9PR03CA0123.namprd03.prod.outlook.com]"), plaintext),
			fix: []string{"STARTTLS"}, finding: "auth.not_offered"},
		{name: "m365 504 after starttls", code: "auth.mechanism_unsupported", provider: "Microsoft 365 / Exchange Online",
			r:   with(result(m365, probe.StepAuth, 504, "5.7.4 Unrecognized authentication type [BN9PR03CA0123.namprd03.prod.outlook.com]"), mech(probe.MechCRAMMD5)),
			fix: []string{"AUTH LOGIN and XOAUTH2"}},
		{name: "m365 xoauth2 user not valid", code: "auth.oauth_token_invalid", provider: "Microsoft 365 / Exchange Online",
			r:   with(result(m365, probe.StepAuth, 501, "5.5.124 Invalid XOAUTH2 auth data - User address provided is not valid."), mech(probe.MechXOAUTH2)),
			fix: []string{"https://outlook.office.com/SMTP.Send", "Add-MailboxPermission"}},
		{name: "m365 421 tls 1.0", code: "tls.protocol_too_old", provider: "Microsoft 365 / Exchange Online",
			r:   result(m365, probe.StepAuth, 421, "4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls. [BN9PR03CA0123.namprd03.prod.outlook.com]"),
			fix: []string{"TLS 1.2"}},
		{name: "m365 sender thread limit", code: "auth.rate_limited", provider: "Microsoft 365 / Exchange Online",
			r:   result(m365, probe.StepMail, 432, "4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=BN9PR03MB1234.namprd03.prod.outlook.com]"),
			fix: []string{"3 concurrent"}},
		{name: "exchange on-prem 530 client not authenticated", code: "auth.required", provider: "Microsoft Exchange Server",
			r: with(result("mail.corp.example", probe.StepMail, 530, "5.7.1 Client was not authenticated"), noUser,
				banner("mail.corp.example Microsoft ESMTP MAIL Service ready at Sun, 29 Nov 2026 12:00:00 +0100")),
			fix: []string{"connector"}},
		{name: "exchange on-prem unable to relay", code: "relay.denied", provider: "Microsoft Exchange Server",
			r: with(result("mail.corp.example", probe.StepRcpt, 550, "5.7.1 Unable to relay"),
				banner("mail.corp.example Microsoft ESMTP MAIL Service ready at Sun, 29 Nov 2026 12:00:00 +0100")),
			fix: []string{"receive connector"}},
		{name: "m365 451 starttls required at mail", code: "auth.requires_tls", provider: "Microsoft 365 / Exchange Online",
			r:   with(result(m365, probe.StepMail, 451, "5.7.3 STARTTLS is required to send mail [BN9PR03CA0123.namprd03.prod.outlook.com]"), plaintext),
			fix: []string{"STARTTLS"}},

		// Sending services.
		{name: "ses credentials invalid", code: "auth.credentials_rejected", provider: "Amazon SES",
			r:   result("email-smtp.us-west-2.amazonaws.com", probe.StepAuth, 535, "Authentication Credentials Invalid"),
			fix: []string{"not IAM access keys", "us-west-2", "SMTP credentials"}},
		{name: "ses unverified sender", code: "sender.rejected", provider: "Amazon SES", finding: "sender.sandbox",
			r:   result("email-smtp.us-west-2.amazonaws.com", probe.StepData, 554, "Message rejected: Email address is not verified. The following identities failed the check in region US-WEST-2: alice@example.com"),
			fix: []string{"Verify the sender", "production access"}},
		{name: "ses identity in another region", code: "sender.rejected", provider: "Amazon SES", finding: "provider.region_mismatch",
			r:   result("email-smtp.us-east-1.amazonaws.com", probe.StepData, 554, "Message rejected: Email address is not verified. The following identities failed the check in region EU-WEST-1: alice@example.com", "more"),
			fix: []string{"same region"}},
		{name: "ses throttling", code: "auth.rate_limited", provider: "Amazon SES",
			r:   result("email-smtp.us-west-2.amazonaws.com", probe.StepMail, 454, "Throttling failure: Maximum sending rate exceeded."),
			fix: []string{"sending rate"}},
		{name: "sendgrid bad username", code: "auth.credentials_rejected", provider: "SendGrid (Twilio)",
			r:   with(result("smtp.sendgrid.net", probe.StepAuth, 535, "Authentication failed: Bad username / password"), user("alice@example.com")),
			fix: []string{"literal word apikey", "SG."}},
		{name: "sendgrid unauthenticated senders", code: "sender.rejected", provider: "SendGrid (Twilio)",
			r:   with(result("smtp.sendgrid.net", probe.StepMail, 550, "Unauthenticated senders not allowed"), user("apikey")),
			fix: []string{"Single Sender"}},

		// Server software.
		{name: "postfix bad password", code: "auth.credentials_rejected", provider: "Postfix",
			r:   with(result(plainH, probe.StepAuth, 535, "5.7.8 Error: authentication failed: authentication failure"), banner(plainH+" ESMTP Postfix (Debian/GNU)")),
			fix: []string{"doveadm auth test", "mail.log"}},
		{name: "postfix generic failure is the backend", code: "auth.temporary_failure", provider: "Postfix",
			r:   with(result(plainH, probe.StepAuth, 535, "5.7.8 Error: authentication failed: generic failure"), banner(plainH+" ESMTP Postfix")),
			fix: []string{"Do not change or reset the password", "saslauthd"}},
		{name: "postfix UGFzc3dvcmQ6", code: "auth.credentials_rejected", provider: "Postfix",
			r:   with(result(plainH, probe.StepAuth, 535, "5.7.8 Error: authentication failed: UGFzc3dvcmQ6"), banner(plainH+" ESMTP Postfix"), mech(probe.MechLogin)),
			fix: []string{"password"}},
		{name: "postfix invalid mechanism", code: "auth.mechanism_unsupported", provider: "Postfix",
			r:   with(result(plainH, probe.StepAuth, 535, "5.7.8 Error: authentication failed: Invalid authentication mechanism: 'CRAM-MD5'"), banner(plainH+" ESMTP Postfix"), mech(probe.MechCRAMMD5)),
			fix: []string{"mechanism"}},
		{name: "postfix 504 invalid mechanism after tls", code: "auth.mechanism_unsupported", provider: "Postfix",
			r:   with(result(plainH, probe.StepAuth, 504, "5.5.4 Invalid authentication mechanism"), banner(plainH+" ESMTP Postfix")),
			fix: []string{"PLAIN or LOGIN"}},
		{name: "postfix 454 lost auth server", code: "auth.temporary_failure", provider: "Postfix",
			r:   with(result(plainH, probe.StepAuth, 454, "4.7.0 Temporary authentication failure: Connection lost to authentication server"), banner(plainH+" ESMTP Postfix")),
			fix: []string{"Do not change or reset the password", "Dovecot's auth socket"}},
		{name: "postfix auth not enabled after tls", code: "auth.not_offered", provider: "Postfix",
			r:   with(result(plainH, probe.StepAuth, 503, "5.5.1 Error: authentication not enabled"), banner(plainH+" ESMTP Postfix")),
			fix: []string{"smtpd_sasl_auth_enable", "587"}},
		{name: "postfix auth not enabled before tls with starttls offered", code: "auth.requires_tls", provider: "Postfix",
			r:   with(result(plainH, probe.StepAuth, 503, "5.5.1 Error: authentication not enabled"), banner(plainH+" ESMTP Postfix"), plaintext),
			fix: []string{"STARTTLS"}, finding: "auth.not_offered"},
		{name: "postfix must issue starttls", code: "auth.requires_tls", provider: "Postfix",
			r:   with(result(plainH, probe.StepMail, 530, "5.7.0 Must issue a STARTTLS command first"), banner(plainH+" ESMTP Postfix"), plaintext),
			fix: []string{"STARTTLS"}},
		{name: "postfix too many errors", code: "auth.rate_limited", provider: "Postfix",
			r:   with(result(plainH, probe.StepAuth, 421, "4.7.0 mail.example.com Error: too many errors"), banner(plainH+" ESMTP Postfix")),
			fix: []string{"Stop retrying"}},
		{name: "postfix too many auth commands", code: "auth.rate_limited", provider: "Postfix",
			r:   with(result(plainH, probe.StepAuth, 450, "4.7.1 Error: too many AUTH commands from 198.51.100.7"), banner(plainH+" ESMTP Postfix")),
			fix: []string{"Stop retrying"}},
		{name: "postfix relay access denied 554", code: "relay.denied", provider: "Postfix",
			r:   with(result(plainH, probe.StepRcpt, 554, "5.7.1 <bob@example.net>: Relay access denied"), banner(plainH+" ESMTP Postfix")),
			fix: []string{"permit_sasl_authenticated"}},
		{name: "postfix relay access denied 454", code: "relay.denied", provider: "Postfix",
			r:   with(result(plainH, probe.StepRcpt, 454, "4.7.1 <bob@example.net>: Relay access denied"), banner(plainH+" ESMTP Postfix")),
			fix: []string{"587 or 465"}},
		{name: "postfix relay denied without login is relay.denied, advising a login", code: "relay.denied", provider: "Postfix",
			r: with(result(plainH, probe.StepRcpt, 554, "5.7.1 <bob@example.net>: Relay access denied"), banner(plainH+" ESMTP Postfix"), noUser,
				func(r *probe.Result) { r.Settings.From, r.Settings.To = "a@example.com", "bob@example.net" }),
			fix: []string{"Authenticate first", "username and password"}},
		{name: "mox requires tls", code: "auth.requires_tls",
			r:   with(result(plainH, probe.StepAuth, 538, "5.7.11 authentication requires tls"), plaintext),
			fix: []string{"STARTTLS"}},
		{name: "mox bad user/pass", code: "auth.credentials_rejected",
			r:   result(plainH, probe.StepAuth, 535, "5.7.8 bad user/pass"),
			fix: []string{"full email address"}},
		{name: "mox must match authenticated user", code: "sender.rejected",
			r:   result(plainH, probe.StepMail, 550, "5.7.1 must match authenticated user"),
			fix: []string{"Send As"}},
		{name: "maddy invalid credentials", code: "auth.credentials_rejected",
			r:   result(plainH, probe.StepAuth, 535, "5.7.8 Invalid credentials"),
			fix: []string{"app password"}},
		{name: "maddy temporary failure", code: "auth.temporary_failure",
			r:   result(plainH, probe.StepAuth, 454, "4.7.0 Temporary authentication failure"),
			fix: []string{"Do not change or reset the password"}},
		{name: "go-smtp authentication failed", code: "auth.credentials_rejected", provider: "go-smtp (Go library; maddy and others)",
			r:   with(result(plainH, probe.StepAuth, 535, "5.7.8 Authentication failed"), banner("localhost ESMTP Service Ready")),
			fix: []string{"password"}},
		{name: "go-smtp please authenticate first", code: "auth.required",
			r:   with(result(plainH, probe.StepMail, 502, "5.7.0 Please authenticate first"), noUser),
			fix: []string{"username and password"}},
		{name: "go-smtp tls is required", code: "auth.requires_tls",
			r:   with(result(plainH, probe.StepAuth, 523, "5.7.10 TLS is required"), plaintext),
			fix: []string{"STARTTLS"}},
		{name: "go-smtp unsupported mechanism", code: "auth.mechanism_unsupported",
			r:   with(result(plainH, probe.StepAuth, 504, "5.7.4 Unsupported authentication mechanism"), mech(probe.MechCRAMMD5)),
			fix: []string{"PLAIN or LOGIN"}},

		// Failures below SMTP, established by the probe.
		{name: "connect timeout on 25", code: "net.timeout",
			r: with(result(plainH, probe.StepConnect, 0), probeCode("net.timeout", "dial tcp 192.0.2.10:25: i/o timeout"),
				func(r *probe.Result) { r.Settings.Port = 25; r.TLS = nil; r.Auth = nil; r.Server = nil }),
			fix: []string{"587 or 465 instead of 25", "nc -vz"}},
		{name: "connection refused", code: "net.refused",
			r:   with(result(plainH, probe.StepConnect, 0), probeCode("net.refused", "dial tcp 192.0.2.10:587: connect: connection refused")),
			fix: []string{"Check the port"}},
		{name: "implicit tls to 587", code: "tls.implicit_on_plain_port",
			r:   with(result(plainH, probe.StepTLS, 0), probeCode("tls.implicit_on_plain_port", "tls: first record does not look like a TLS handshake")),
			fix: []string{"STARTTLS"}},
		{name: "plaintext to 465", code: "tls.plain_on_implicit_port",
			r:   with(result(plainH, probe.StepGreeting, 0), probeCode("tls.plain_on_implicit_port", "no greeting within 300ms; the port expects TLS")),
			fix: []string{"implicit TLS"}},
		{name: "hostname mismatch stops the probe", code: "tls.cert_hostname_mismatch",
			r:   with(result(plainH, probe.StepStartTLS, 0), probeCode("tls.cert_hostname_mismatch", "x509: certificate is valid for other.example.com, not mail.example.com")),
			fix: []string{"name the certificate lists"}},
		{name: "self-signed stops the probe", code: "tls.cert_untrusted",
			r:   with(result(plainH, probe.StepStartTLS, 0), probeCode("tls.cert_untrusted", "x509: certificate signed by unknown authority")),
			fix: []string{"--ca-file", "Never turn certificate checking off"}},
		{name: "expired stops the probe", code: "tls.cert_expired",
			r:   with(result(plainH, probe.StepTLS, 0), probeCode("tls.cert_expired", "x509: certificate has expired")),
			fix: []string{"renew"}},
		{name: "handshake versions", code: "tls.handshake_failed",
			r:   with(result(plainH, probe.StepStartTLS, 0), probeCode("tls.handshake_failed", "remote error: tls: protocol version not supported")),
			fix: []string{"TLS 1.2 or 1.3"}},
		{name: "starttls not offered", code: "tls.starttls_not_offered",
			r:   with(result(plainH, probe.StepEHLO, 0), probeCode("tls.starttls_not_offered", "")),
			fix: []string{"465"}},
		{name: "ehlo after starttls: no auth", code: "auth.not_offered",
			r:   with(result(plainH, probe.StepAuth, 0), probeCode("auth.not_offered", "AUTH not advertised")),
			fix: []string{"587"}},
		{name: "no auth before tls, starttls offered, security none", code: "auth.requires_tls",
			r:   with(result(plainH, probe.StepAuth, 0), plaintext, probeCode("auth.not_offered", "AUTH not advertised")),
			fix: []string{"STARTTLS"}, finding: "auth.not_offered"},
		{name: "no mechanism in common", code: "auth.mechanism_unsupported",
			r:   with(result(plainH, probe.StepAuth, 0), probeCode("auth.mechanism_unsupported", "server offers GSSAPI NTLM; none usable")),
			fix: []string{"NTLM"}},
		{name: "silent at auth", code: "smtp.timeout", finding: "auth.silent_refusal",
			r:   with(result(plainH, probe.StepAuth, 0), probeCode("smtp.timeout", "no reply within 300ms during auth")),
			fix: []string{"stay silent instead of answering 535"}},
		{name: "no greeting on 465", code: "smtp.no_greeting",
			r: with(result(plainH, probe.StepGreeting, 0), probeCode("smtp.no_greeting", "no greeting within 10s"),
				func(r *probe.Result) { r.Settings.Port = 465 }),
			fix: []string{"465"}},
		{name: "ssh answered", code: "smtp.not_smtp",
			r:   with(result(plainH, probe.StepGreeting, 0), probeCode("smtp.not_smtp", "SSH-2.0-OpenSSH_9.6")),
			fix: []string{"22 is SSH"}},
		{name: "nxdomain", code: "dns.no_such_host",
			r:   with(result("smtp.gmial.com", probe.StepResolve, 0), user("alice@gmail.com"), probeCode("dns.no_such_host", "lookup smtp.gmial.com: no such host")),
			fix: []string{"smtp.gmail.com port 587"}},
		{name: "policy blocked", code: "policy.blocked_target",
			r:   with(result("127.0.0.1", probe.StepConnect, 0), probeCode("policy.blocked_target", "loopback addresses are not allowed")),
			fix: []string{"--allow-targets"}},
		{name: "greeting 554", code: "smtp.service_unavailable",
			r:   result(plainH, probe.StepGreeting, 554, "5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org"),
			fix: []string{"blocklist"}},
		{name: "starttls 454", code: "tls.starttls_failed",
			r:   with(result(plainH, probe.StepStartTLS, 454, "4.7.0 TLS not available due to local problem"), plaintext),
			fix: []string{"465", "smtpd_tls_cert_file"}},
	}
}

// unseenScenarios are replies from servers and providers not among the
// sample scenarios: the rules must generalise to them.
func unseenScenarios() []scenario {
	return []scenario{
		{name: "exim incorrect authentication data", code: "auth.credentials_rejected", provider: "Exim",
			r:   with(result(plainH, probe.StepAuth, 535, "Incorrect authentication data"), banner(plainH+" ESMTP Exim 4.96 Sun, 29 Nov 2026 12:00:00 +0000")),
			fix: []string{"exim -bh"}},
		{name: "opensmtpd authentication failed", code: "auth.credentials_rejected", provider: "OpenSMTPD",
			r:   with(result(plainH, probe.StepAuth, 535, "Authentication failed"), banner(plainH+" ESMTP OpenSMTPD")),
			fix: []string{"/var/log/maillog"}},
		{name: "dovecot submission 535", code: "auth.credentials_rejected", provider: "Dovecot submission",
			r:   with(result(plainH, probe.StepAuth, 535, "5.7.8 Authentication failed"), banner(plainH+" Dovecot ready.")),
			fix: []string{"doveadm auth test"}},
		{name: "dovecot plaintext disallowed", code: "auth.requires_tls", provider: "Dovecot submission",
			r:   with(result(plainH, probe.StepAuth, 538, "5.7.11 Plaintext authentication disallowed on non-secure (SSL/TLS) connections."), banner(plainH+" Dovecot ready."), plaintext),
			fix: []string{"auth_allow_cleartext"}},
		{name: "yahoo too many bad auth attempts", code: "auth.credentials_rejected", provider: "Yahoo Mail", finding: "auth.rate_limited",
			r:   result("smtp.mail.yahoo.com", probe.StepAuth, 535, "5.7.0 (#AUTH005) Too many bad auth attempts."),
			fix: []string{"https://login.yahoo.com/account/security", "wait a few minutes"}},
		{name: "yahoo behind a custom name by marker", code: "auth.credentials_rejected", provider: "Yahoo Mail",
			r:   result("mail.example.org", probe.StepAuth, 535, "5.7.0 (#AUTH005) Too many bad auth attempts."),
			fix: []string{"app password"}},
		{name: "icloud 535", code: "auth.credentials_rejected", provider: "iCloud Mail",
			r:   with(result("smtp.mail.me.com", probe.StepAuth, 535, "5.7.8 Authentication failed"), user("alice@icloud.com")),
			fix: []string{"App-Specific Passwords", "full iCloud Mail address"}},
		{name: "zoho authentication failed", code: "auth.credentials_rejected", provider: "Zoho Mail",
			r:   result("smtp.zoho.eu", probe.StepAuth, 535, "Authentication Failed"),
			fix: []string{"application-specific password", "smtp.zoho.eu"}},
		{name: "zoho sender not allowed to relay at mail", code: "sender.rejected", provider: "Zoho Mail",
			r:   result("smtp.zoho.com", probe.StepMail, 553, "Sender is not allowed to relay emails"),
			fix: []string{"Send Mail As"}},
		{name: "fastmail 535", code: "auth.credentials_rejected", provider: "Fastmail",
			r:   result("smtp.fastmail.com", probe.StepAuth, 535, "5.7.0 Incorrect username or password."),
			fix: []string{"app password with SMTP access"}},
		{name: "mailgun 535", code: "auth.credentials_rejected", provider: "Mailgun",
			r:   result("smtp.mailgun.org", probe.StepAuth, 535, "Authentication failed"),
			fix: []string{"postmaster@", "smtp.eu.mailgun.org"}},
		{name: "postmark 535", code: "auth.credentials_rejected", provider: "Postmark",
			r:   result("smtp.postmarkapp.com", probe.StepAuth, 535, "5.7.8 Authentication failed"),
			fix: []string{"Server API token"}},
		{name: "brevo 535", code: "auth.credentials_rejected", provider: "Brevo (Sendinblue)",
			r:   result("smtp-relay.brevo.com", probe.StepAuth, 535, "5.7.8 Authentication failed"),
			fix: []string{"SMTP key"}},
		{name: "exchange on-prem 535 5.7.3", code: "auth.credentials_rejected", provider: "Microsoft Exchange Server",
			r:   with(result("mail.corp.example", probe.StepAuth, 535, "5.7.3 Authentication unsuccessful"), banner("mail.corp.example Microsoft ESMTP MAIL Service ready at Sun, 29 Nov 2026 12:00:00 +0100")),
			fix: []string{"DOMAIN\\user"}},
		{name: "exchange on-prem 504 ntlm only", code: "auth.mechanism_unsupported", provider: "Microsoft Exchange Server",
			r:   with(result("mail.corp.example", probe.StepAuth, 504, "5.7.4 Unrecognized authentication type"), banner("mail.corp.example Microsoft ESMTP MAIL Service ready at Sun, 29 Nov 2026 12:00:00 +0100")),
			fix: []string{"Offer basic authentication only after starting TLS"}},
		{name: "exchange send as denied", code: "sender.rejected", provider: "Microsoft 365 / Exchange Online",
			r:   result(m365, probe.StepData, 554, "5.2.252 SendAsDenied; alice@example.com not allowed to send as boss@example.com; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied"),
			fix: []string{"Send As"}},
		{name: "unknown server 435 temporary", code: "auth.temporary_failure",
			r:   result(plainH, probe.StepAuth, 435, "4.7.8 Error: authentication failed: temporarily unavailable"),
			fix: []string{"Do not change or reset the password"}},
		{name: "unknown server 432 password transition", code: "auth.web_login_required",
			r:   result(plainH, probe.StepAuth, 432, "4.7.12 A password transition is needed"),
			fix: []string{"change the password"}},
		{name: "unknown server 525 account disabled", code: "auth.blocked_by_policy",
			r:   result(plainH, probe.StepAuth, 525, "5.7.13 User account disabled"),
			fix: []string{"OAuth"}},
		{name: "unknown server 534 mechanism too weak", code: "auth.mechanism_unsupported",
			r:   result(plainH, probe.StepAuth, 534, "5.7.9 Authentication mechanism is too weak"),
			fix: []string{"TLS"}},
		{name: "unknown server says encryption required with 530 at auth", code: "auth.requires_tls",
			r:   with(result(plainH, probe.StepAuth, 530, "5.7.0 Encryption required for requested authentication mechanism"), plaintext),
			fix: []string{"STARTTLS"}},
		{name: "unknown server 550 user unknown at rcpt", code: "recipient.rejected",
			r:   result(plainH, probe.StepRcpt, 550, "5.1.1 <bob@example.net>: Recipient address rejected: User unknown in virtual mailbox table"),
			fix: []string{"typos"}},
		{name: "unknown server 553 sender not owned", code: "sender.rejected",
			r:   result(plainH, probe.StepMail, 553, "5.7.1 <boss@example.com>: Sender address rejected: not owned by user alice@example.com"),
			fix: []string{"alias"}},
		{name: "gmail daily quota at data", code: "auth.rate_limited", provider: "Gmail / Google Workspace",
			r:   result(gmail, probe.StepData, 550, "5.4.5 Daily user sending limit exceeded. For more information on Gmail", "5.4.5  sending limits go to https://support.google.com/a/answer/166852 abc - gsmtp"),
			fix: []string{"limits"}},
		{name: "helo rejected", code: "smtp.ehlo_rejected",
			r:   result(plainH, probe.StepEHLO, 501, "5.5.4 Helo command rejected: need fully-qualified hostname"),
			fix: []string{"fully qualified domain name"}},
		{name: "reply at data nobody knows", code: "smtp.unexpected_reply",
			r:   result(plainH, probe.StepData, 552, "5.3.4 Message size exceeds fixed limit"),
			fix: []string{"enhanced status code"}},
		{name: "oauthbearer json error", code: "auth.oauth_token_invalid",
			r: with(result(plainH, probe.StepAuth, 535, "5.7.8 Authentication failed"), mech(probe.MechOAUTHBEARER), func(r *probe.Result) {
				r.Auth.OAuthError = map[string]string{"status": "invalid_token", "scope": "mail"}
			}),
			fix: []string{"refresh"}},
		{name: "wording drift: gmail 535 with new link text", code: "auth.credentials_rejected", provider: "Gmail / Google Workspace",
			r:   result("smtp-relay.gmail.com", probe.StepAuth, 535, "5.7.8 Username and Password not accepted. Learn more at", "5.7.8  https://support.google.com/mail/?p=BadCredentials xyz - gsmtp"),
			fix: []string{"app password"}},
	}
}

func TestScenarios(t *testing.T) {
	all := append(sampleScenarios(), unseenScenarios()...)
	for _, sc := range all {
		t.Run(sc.name, func(t *testing.T) {
			checkScenario(t, sc)
		})
	}
}

func checkScenario(t *testing.T, sc scenario) {
	t.Helper()
	r := sc.r
	Diagnose(r)
	d := r.Diagnosis
	if d == nil {
		t.Fatal("no diagnosis")
	}
	if d.Code != sc.code {
		t.Fatalf("code = %s, want %s\nsummary: %s", d.Code, sc.code, d.Summary)
	}
	sev := sc.severity
	if sev == "" {
		sev = probe.SeverityError
	}
	if d.Severity != sev {
		t.Errorf("severity = %s, want %s", d.Severity, sev)
	}
	if d.Provider != sc.provider {
		t.Errorf("provider = %q, want %q", d.Provider, sc.provider)
	}
	steps := strings.ToLower(strings.Join(d.Remediation, "\n"))
	for _, want := range sc.fix {
		if !strings.Contains(steps, strings.ToLower(want)) {
			t.Errorf("remediation lacks %q:\n%s", want, strings.Join(d.Remediation, "\n"))
		}
	}
	if r.Failure != nil && r.Failure.Reply != 0 {
		// The summary quotes the server's own first line.
		if first := strings.TrimSpace(r.Failure.Lines[0]); !strings.Contains(d.Summary, first) {
			t.Errorf("summary does not quote %q: %s", first, d.Summary)
		}
	}
	if r.Outcome != probe.OutcomeFailure {
		t.Errorf("outcome = %s, want failure", r.Outcome)
	}
	if sc.finding != "" {
		found := false
		for _, f := range r.Findings {
			found = found || f.Code == sc.finding
		}
		if !found {
			t.Errorf("no finding %s in %+v", sc.finding, r.Findings)
		}
	}
}
