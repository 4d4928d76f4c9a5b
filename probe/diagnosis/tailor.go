package diagnosis

import (
	"fmt"
	"github.com/smtpdoctor/smtpdoctor/probe"
	"strings"
)

// tailor is advice for one provider and one code. Replace drops the rule's
// generic steps (keeping its escalation step); otherwise these steps come
// first and the generic ones follow.
type tailor struct {
	Replace bool
	Steps   func(f *Facts) []string
}

// tailored is the provider-specific advice, by provider key, then code.
// The facts it cites (URLs, usernames) come from probe/provider.
var tailored = map[string]map[probe.Code]tailor{
	"gmail": {
		probe.CodeAuthCredentialsRejected: {Replace: true, Steps: func(f *Facts) []string {
			return []string{
				"Use your full Gmail or Google Workspace address as the username.",
				"Google refuses the normal account password for SMTP: turn on 2-Step Verification, create an app password at " + f.Provider.AppPasswordURL + " and use its 16 letters (without spaces) as the password.",
				"If the App passwords page says the setting is not available, your Workspace administrator disabled it, or the account uses Advanced Protection or only security keys: use OAuth (XOAUTH2) or ask the administrator about the SMTP relay service.",
			}
		}},
		probe.CodeAuthAppPasswordRequired: {Replace: true, Steps: func(f *Facts) []string {
			return []string{
				"Create an app password at " + f.Provider.AppPasswordURL + " (signed in as this account; 2-Step Verification must be on) and use its 16 letters without spaces as the password.",
				"Use your full Gmail or Google Workspace address as the username.",
				"If app passwords are not available for the account, use OAuth (XOAUTH2) with the https://mail.google.com/ scope.",
			}
		}},
		probe.CodeAuthWebLoginRequired: {Replace: true, Steps: func(f *Facts) []string {
			return []string{
				"Sign in to Gmail in a web browser on the machine (or network) that sends the mail, and confirm \"Yes, it was me\" for any security alert at https://myaccount.google.com/notifications.",
				"Then retry within ten minutes. Google lets the new location through once it has been confirmed.",
				"For lasting access from servers and devices, use an app password (" + f.Provider.AppPasswordURL + ") or OAuth; Google flags password sign-ins from new places.",
			}
		}},
		probe.CodeAuthOAuthTokenInvalid: {Steps: func(f *Facts) []string {
			return []string{
				"Request the token with the scope https://mail.google.com/ (narrower Gmail API scopes do not allow SMTP), for the same account as the username.",
			}
		}},
		probe.CodeAuthRequiresTLS: {Steps: func(f *Facts) []string {
			return []string{"Gmail: use smtp.gmail.com port 587 with STARTTLS, or port 465 with implicit TLS."}
		}},
		probe.CodeSMTPServiceUnavailable: {Steps: func(f *Facts) []string {
			return []string{"Gmail closes connections with 421 4.7.0 for EHLO names like \"localhost\" and for senders that connect too often or from IP addresses with a poor reputation: fix the EHLO name first, then slow down."}
		}},
		probe.CodeAuthRequired: {Steps: func(f *Facts) []string {
			return []string{"Gmail: authenticate with your full address and an app password (or OAuth) on smtp.gmail.com, port 587 with STARTTLS or port 465 with TLS; Google Workspace devices that cannot log in can use the SMTP relay service (smtp-relay.gmail.com) with IP address authentication set up by the administrator."}
		}},
		probe.CodeSenderRejected: {Steps: func(f *Facts) []string {
			return []string{"Gmail sends only from your own address and from addresses added under Settings → Accounts → \"Send mail as\"; add and verify the address there first."}
		}},
	},
	"microsoft365": {
		probe.CodeAuthBlockedByPolicy: {Replace: true, Steps: func(f *Facts) []string {
			switch {
			case f.has("security defaults", "user is locked"):
				return []string{
					"Microsoft Entra security defaults block password-based (legacy) sign-ins, including SMTP AUTH, for the whole tenant.",
					"Preferred: switch the app to OAuth 2.0 (XOAUTH2) with the SMTP.Send permission: " + f.Provider.OAuthDocsURL + ".",
					"Otherwise an administrator replaces security defaults with Conditional Access policies (Entra admin center → Identity → Overview → Properties → Manage security defaults) that still require MFA but exclude this sending account from the legacy-authentication block. This weakens security: prefer OAuth.",
				}
			case f.has("basic authentication is disabled", "basic auth is disabled"):
				return []string{
					"Basic authentication (username and password, including app passwords) is turned off for this tenant or account; no password will work.",
					"Switch the app to OAuth 2.0 (XOAUTH2) with an access token for https://outlook.office.com/SMTP.Send (delegated) or https://outlook.office365.com/.default (app-only): " + f.Provider.OAuthDocsURL + ".",
					"If the app cannot do OAuth, send through Microsoft Graph's sendMail, or through a connector or relay that accepts the device's IP address instead of a login.",
				}
			default:
				return []string{
					"An Exchange Online administrator enables SMTP AUTH for this mailbox: Microsoft 365 admin center → Users → Active users → select the user → Mail → Manage email apps → tick \"Authenticated SMTP\" → Save. Or in Exchange Online PowerShell: Set-CASMailbox -Identity " + mailbox(f) + " -SmtpClientAuthenticationDisabled $false.",
					"If the message says \"for the Tenant\", it is off organisation-wide: Set-TransportConfig -SmtpClientAuthenticationDisabled $false turns it on for all mailboxes, or enable it per mailbox as above (the mailbox setting wins over the tenant one).",
					"Changes take up to an hour to apply. Microsoft is retiring Basic authentication for SMTP AUTH: plan to move the app to OAuth (XOAUTH2) " + f.Provider.OAuthDocsURL + ".",
				}
			}
		}},
		probe.CodeAuthCredentialsRejected: {Replace: true, Steps: func(f *Facts) []string {
			return []string{
				"Use the mailbox's full address (its user principal name) as the username.",
				"Check the password by signing in at https://outlook.office.com; if the account has per-user MFA, use an app password (" + f.Provider.AppPasswordURL + "), if your organisation allows them.",
				"Make sure SMTP AUTH is enabled for the mailbox (Microsoft 365 admin center → Users → Active users → Mail → Manage email apps → \"Authenticated SMTP\"; or Set-CASMailbox -Identity " + mailbox(f) + " -SmtpClientAuthenticationDisabled $false) and not blocked by security defaults: Microsoft refuses all of these with the same kind of reply as a wrong password.",
				"If the tenant has Basic authentication off or the app uses XOAUTH2, the token must be for https://outlook.office.com/SMTP.Send and for this mailbox: " + f.Provider.OAuthDocsURL + ".",
			}
		}},
		probe.CodeAuthOAuthTokenInvalid: {Steps: func(f *Facts) []string {
			return []string{
				"Microsoft 365: request the token for the scope https://outlook.office.com/SMTP.Send (delegated) or https://outlook.office365.com/.default (app-only); a Microsoft Graph token (https://graph.microsoft.com) is refused by SMTP.",
				"For app-only tokens, register the app's service principal in Exchange (New-ServicePrincipal) and grant it the mailbox (Add-MailboxPermission); the XOAUTH2 user= must be that mailbox's address.",
			}
		}},
		probe.CodeAuthRequiresTLS: {Steps: func(f *Facts) []string {
			return []string{"Microsoft 365: use smtp.office365.com port 587 with STARTTLS (port 465 is not offered)."}
		}},
		probe.CodeTLSProtocolTooOld: {Steps: func(f *Facts) []string {
			return []string{"Microsoft 365 accepts SMTP AUTH only over TLS 1.2 or newer; see https://aka.ms/smtp_auth_tls."}
		}},
		probe.CodeAuthMechanismUnsupported: {Steps: func(f *Facts) []string {
			return []string{"Microsoft 365 offers AUTH LOGIN and XOAUTH2 only after STARTTLS on smtp.office365.com:587; \"504 5.7.4 Unrecognized authentication type\" usually means AUTH was sent before STARTTLS or with PLAIN/CRAM-MD5."}
		}},
		probe.CodeAuthRequired: {Steps: func(f *Facts) []string {
			return []string{"Microsoft 365: authenticate on smtp.office365.com:587 with STARTTLS; devices that cannot log in can use direct send or an inbound connector on your domain's MX host (<domain>.mail.protection.outlook.com) instead."}
		}},
		probe.CodeSenderRejected: {Steps: func(f *Facts) []string {
			return []string{"Microsoft 365 allows sending only as the signed-in mailbox or addresses it has \"Send As\" permission for: Exchange admin center → Recipients → Mailboxes → the other mailbox → Delegation → Send As → add " + mailbox(f) + ". It can take an hour to apply."}
		}},
		probe.CodeAuthRateLimited: {Steps: func(f *Facts) []string {
			return []string{"Exchange Online allows 3 concurrent SMTP connections per mailbox and 30 messages per minute; \"sender thread limit exceeded\" means too many connections at once."}
		}},
	},
	"outlook": {
		probe.CodeAuthCredentialsRejected: {Replace: true, Steps: func(f *Facts) []string {
			return []string{
				"Use your full Outlook.com address as the username.",
				"If two-step verification is on, create an app password at " + f.Provider.AppPasswordURL + " and use it as the password.",
				"Microsoft is moving Outlook.com to OAuth (modern authentication) only: if passwords and app passwords are refused, use a mail app that signs in to Microsoft accounts with OAuth.",
			}
		}},
		probe.CodeAuthBlockedByPolicy: {Replace: true, Steps: func(f *Facts) []string {
			return []string{
				"Outlook.com no longer accepts passwords from this app (basic authentication is off for the account).",
				"Use an app that signs in with OAuth (XOAUTH2) to Microsoft accounts: " + f.Provider.OAuthDocsURL + ".",
			}
		}},
		probe.CodeAuthRequiresTLS: {Steps: func(f *Facts) []string {
			return []string{"Outlook.com: use smtp-mail.outlook.com port 587 with STARTTLS."}
		}},
	},
	"yahoo": {
		probe.CodeAuthCredentialsRejected: {Replace: true, Steps: yahooSteps},
	},
	"aol": {
		probe.CodeAuthCredentialsRejected: {Replace: true, Steps: yahooSteps},
	},
	"icloud": {
		probe.CodeAuthCredentialsRejected: {Replace: true, Steps: func(f *Facts) []string {
			return []string{
				"Use your full iCloud Mail address (name@icloud.com) as the username.",
				"Apple refuses your Apple Account password for mail apps: turn on two-factor authentication, then at " + f.Provider.AppPasswordURL + " go to Sign-In and Security → App-Specific Passwords, create one and use it as the password (" + f.Provider.AuthDocsURL + ").",
				"Make sure iCloud Mail itself is set up for the account (an @icloud.com address exists).",
			}
		}},
		probe.CodeSenderRejected: {Steps: func(f *Facts) []string {
			return []string{"iCloud Mail sends only from your iCloud address, its aliases, or a custom domain set up in iCloud+."}
		}},
	},
	"zoho": {
		probe.CodeAuthCredentialsRejected: {Replace: true, Steps: func(f *Facts) []string {
			return []string{
				"Use your full Zoho Mail address as the username.",
				"If two-factor authentication is on, create an application-specific password at " + f.Provider.AppPasswordURL + " and use it as the password.",
				"Use the host for your account's data centre: smtp.zoho.com, smtp.zoho.eu, smtp.zoho.in, smtp.zoho.com.au; organisation (custom domain) accounts use smtppro.zoho.<same ending>. A login on the wrong data centre fails.",
			}
		}},
		probe.CodeSenderRejected: {Steps: func(f *Facts) []string {
			return []string{"Zoho refuses a From address the account does not own (\"Sender is not allowed to relay\"): use the account's address or add the other one under Settings → Mail Accounts → Send Mail As."}
		}},
	},
	"fastmail": {
		probe.CodeAuthCredentialsRejected: {Replace: true, Steps: func(f *Facts) []string {
			return []string{
				"Use your full Fastmail address as the username.",
				"Fastmail does not accept your login password for SMTP: create an app password with SMTP access (Settings → Privacy & Security → Manage app passwords; " + f.Provider.AppPasswordURL + ") and use it.",
			}
		}},
	},
	"ses": {
		probe.CodeAuthCredentialsRejected: {Replace: true, Steps: func(f *Facts) []string {
			return []string{
				"Use SES SMTP credentials, not IAM access keys or your AWS console login: create them in the SES console under SMTP settings → Create SMTP credentials (" + f.Provider.AppPasswordURL + "; " + f.Provider.AuthDocsURL + ").",
				"SMTP passwords are derived per region: use the endpoint of the region the credentials were made for (" + sesRegionWords(f) + "), or create credentials for this region.",
				"If the credentials come from an existing IAM user, that user needs ses:SendRawEmail permission; an IAM secret access key must be converted to an SMTP password, it cannot be used as is.",
			}
		}},
		probe.CodeSenderRejected: {Replace: true, Steps: func(f *Facts) []string {
			return []string{
				"Verify the sender's address or domain as an identity in SES, in the same region as the SMTP endpoint (" + f.Provider.SenderDocsURL + ").",
				"If the account is still in the SES sandbox, recipients must be verified too; request production access to send to anyone: https://docs.aws.amazon.com/ses/latest/dg/request-production-access.html.",
			}
		}},
		probe.CodeAuthRateLimited: {Steps: func(f *Facts) []string {
			return []string{"SES enforces a maximum sending rate and a daily quota per region; check them in the SES console (Account dashboard) and request an increase, or pace your sending."}
		}},
	},
	"sendgrid": {
		probe.CodeAuthCredentialsRejected: {Replace: true, Steps: func(f *Facts) []string {
			s := []string{}
			if !strings.EqualFold(strings.TrimSpace(f.R.Settings.User), "apikey") {
				s = append(s, fmt.Sprintf("Set the username to the literal word apikey (you used %q): SendGrid's SMTP username is always apikey.", plain(f.R.Settings.User, 120)))
			} else {
				s = append(s, "The username apikey is right; the API key is the problem.")
			}
			return append(s,
				"Use an API key as the password (it starts with SG.), with Mail Send permission, created at "+f.Provider.AppPasswordURL+"; a deleted or restricted key is refused. The account password does not work.",
			)
		}},
		probe.CodeSenderRejected: {Replace: true, Steps: func(f *Facts) []string {
			return []string{"Verify the sender with SendGrid: either a Single Sender for this exact From address, or domain authentication for its domain (" + f.Provider.SenderDocsURL + ")."}
		}},
	},
	"mailgun": {
		probe.CodeAuthCredentialsRejected: {Replace: true, Steps: func(f *Facts) []string {
			return []string{
				"Use the domain's SMTP login as the username, in full (postmaster@mg.example.com or another login you created under Sending → Domain settings → SMTP credentials).",
				"Use that login's SMTP password, not the API key; reset it in the same place if unknown (" + f.Provider.DocsURL + ").",
				"Domains in the EU region use smtp.eu.mailgun.org; the login fails on smtp.mailgun.org and vice versa.",
			}
		}},
	},
	"postmark": {
		probe.CodeAuthCredentialsRejected: {Replace: true, Steps: func(f *Facts) []string {
			return []string{
				"Use the Server API token (the server's API Tokens tab, " + f.Provider.AppPasswordURL + ") as both username and password; or an SMTP token's access key as username and its secret key as password.",
				"An Account API token does not work for sending.",
			}
		}},
		probe.CodeSenderRejected: {Steps: func(f *Facts) []string {
			return []string{"Postmark sends only from a confirmed sender signature or a verified domain: add it under Sender Signatures."}
		}},
	},
	"brevo": {
		probe.CodeAuthCredentialsRejected: {Replace: true, Steps: func(f *Facts) []string {
			return []string{
				"Use the login shown on Brevo's SMTP & API page as the username (newer accounts have one ending in @smtp-brevo.com; it may differ from your account email).",
				"Use an SMTP key as the password, created at " + f.Provider.AppPasswordURL + "; API keys and the account password are refused.",
			}
		}},
		probe.CodeSenderRejected: {Steps: func(f *Facts) []string {
			return []string{"Brevo sends only from verified senders or authenticated domains (Senders, Domains & Dedicated IPs)."}
		}},
	},

	// Server software: advice for whoever runs the server.
	"postfix": {
		probe.CodeAuthCredentialsRejected: {Steps: adminLog("Postfix", "/var/log/mail.log (or journalctl -u postfix)", "doveadm auth test USER (Dovecot SASL) or testsaslauthd -u USER -p PASSWORD (Cyrus)")},
		probe.CodeAuthTemporaryFailure: {Steps: func(f *Facts) []string {
			return []string{"Postfix: \"generic failure\" or \"Connection lost to authentication server\" means its SASL back end is down: check that Dovecot's auth socket exists at smtpd_sasl_path (private/auth) or that saslauthd runs, and read /var/log/mail.log."}
		}},
		probe.CodeAuthNotOffered: {Steps: func(f *Facts) []string {
			return []string{"Postfix: \"authentication not enabled\" means smtpd_sasl_auth_enable=no on this port, or smtpd_tls_auth_only=yes before STARTTLS; the submission entry in master.cf should have -o smtpd_sasl_auth_enable=yes -o smtpd_tls_security_level=encrypt."}
		}},
		probe.CodeAuthMechanismUnsupported: {Steps: func(f *Facts) []string {
			return []string{"Postfix: the mechanisms come from the SASL back end (Dovecot auth_mechanisms, Cyrus mech_list) and smtpd_sasl_security_options; noplaintext there removes PLAIN and LOGIN."}
		}},
		probe.CodeRelayDenied: {Steps: func(f *Facts) []string {
			return []string{"Postfix: \"Relay access denied\" means smtpd_relay_restrictions did not permit this client: authenticate (permit_sasl_authenticated), or list the sending network in mynetworks."}
		}},
		probe.CodeSenderRejected: {Steps: func(f *Facts) []string {
			return []string{"Postfix: reject_sender_login_mismatch with smtpd_sender_login_maps decides which login may use which From address; add the address for this login there."}
		}},
	},
	"exim": {
		probe.CodeAuthCredentialsRejected: {Steps: adminLog("Exim", "the main log (/var/log/exim4/mainlog or /var/log/exim/main.log)", "exim -bh CLIENT_IP to replay a session")},
		probe.CodeAuthNotOffered: {Steps: func(f *Facts) []string {
			return []string{"Exim: AUTH is advertised only when an authenticator is configured and auth_advertise_hosts matches; Debian's default advertises it only after TLS."}
		}},
	},
	"dovecot": {
		probe.CodeAuthCredentialsRejected: {Steps: adminLog("Dovecot", "the Dovecot log (journalctl -u dovecot, or with auth_verbose = yes)", "doveadm auth test USER")},
		probe.CodeAuthRequiresTLS: {Steps: func(f *Facts) []string {
			return []string{"Dovecot refuses plaintext logins before TLS (auth_allow_cleartext = no, or disable_plaintext_auth = yes before 2.4)."}
		}},
	},
	"opensmtpd": {
		probe.CodeAuthCredentialsRejected: {Steps: adminLog("OpenSMTPD", "the mail log (/var/log/maillog)", "smtpctl show stats, and check the credentials table named in the listener's auth <table>")},
		probe.CodeAuthNotOffered: {Steps: func(f *Facts) []string {
			return []string{"OpenSMTPD offers AUTH only on listeners with the auth option, and only after TLS (for example: listen on eth0 port submission tls-require auth, or listen on eth0 smtps auth)."}
		}},
	},
	"exchange": {
		probe.CodeAuthCredentialsRejected: {Steps: func(f *Facts) []string {
			return []string{"Exchange Server: the username may need to be DOMAIN\\user or the user principal name; check the Client Frontend receive connector has Basic authentication (after TLS) and the Exchange users permission group."}
		}},
		probe.CodeAuthMechanismUnsupported: {Steps: func(f *Facts) []string {
			return []string{"Exchange Server: enable \"Basic authentication\" and \"Offer basic authentication only after starting TLS\" on the Client Frontend receive connector (port 587); otherwise only NTLM/GSSAPI are offered."}
		}},
		probe.CodeRelayDenied: {Steps: func(f *Facts) []string {
			return []string{"Exchange Server: \"Unable to relay\" means the receive connector does not allow this client to relay: authenticate, or create a receive connector for the device's IP address with anonymous relay permission."}
		}},
		probe.CodeAuthRequired: {Steps: func(f *Facts) []string {
			return []string{"Exchange Server: \"Client was not authenticated\" means the connector requires a login; authenticate, or use a connector that accepts this device's IP address."}
		}},
	},
}

// tailoring finds the advice for the recognised provider and code.
func tailoring(f *Facts, code probe.Code) (tailor, bool) {
	if !f.HasProvider {
		return tailor{}, false
	}
	if f.ms != nil && f.ms.Code == code {
		return tailor{Replace: true, Steps: f.ms.Steps}, true
	}
	if t, ok := tailored[f.Provider.Key][code]; ok {
		return t, true
	}
	// The provider table's own advice, for providers with no code here.
	if a, ok := f.Provider.AdviceFor(code); ok {
		return tailor{Replace: a.Replace, Steps: func(*Facts) []string { return a.Steps }}, true
	}
	return tailor{}, false
}

func yahooSteps(f *Facts) []string {
	s := []string{
		"Use your full " + f.Provider.Name + " address as the username.",
		f.Provider.Name + " refuses the account password for mail apps: generate an app password at " + f.Provider.AppPasswordURL + " (Account security → Generate app password) and use it.",
	}
	if f.has("too many") {
		s = append(s, "\"Too many bad auth attempts\" is what Yahoo also answers to a wrong or non-app password: fix the password first, then wait a few minutes before retrying.")
	}
	return s
}

// adminLog is the advice for self-run servers: where the real reason is
// logged, and how to test the back end directly.
func adminLog(name, log, test string) func(f *Facts) []string {
	return func(f *Facts) []string {
		return []string{
			"If you run this " + name + " server: its log says why, in " + log + " around " + f.when() + "; test the account directly with " + test + ".",
		}
	}
}

// mailbox is the username to put into an administrator's command.
func mailbox(f *Facts) string {
	if u := strings.TrimSpace(f.R.Settings.User); u != "" {
		return plain(u, 120)
	}
	return "user@example.com"
}

func sesRegionWords(f *Facts) string {
	h := strings.ToLower(f.R.Settings.Host)
	if strings.HasPrefix(h, "email-smtp.") {
		if region := strings.TrimSuffix(strings.TrimPrefix(h, "email-smtp."), ".amazonaws.com"); region != h && region != "" {
			return "this endpoint is in " + region
		}
	}
	return "email-smtp.<region>.amazonaws.com"
}
