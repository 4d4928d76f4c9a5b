package diagnosis

import (
	"slices"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Microsoft 365 (Exchange Online) refuses in many ways that look alike —
// most are 535 — but each has one cause and one fix, told apart by the
// enhanced status code and a few words. Each refusal here carries its own
// explanation (added to the diagnosis summary) and the administrator's
// steps (replacing the generic ones). The texts are as Exchange Online
// sends them; the source of each is given.

// msRefusal is one Exchange Online refusal.
type msRefusal struct {
	ID       string // stable name for diagnosis.rule: "5.7.139-tenant"
	Enhanced string // the enhanced status code, "5.7.139"
	Words    []string
	Code     probe.Code
	Explain  string
	Steps    func(f *Facts) []string
	Source   string
	// If, when set, must also hold (a reply that means something else
	// in another state of the session).
	If func(f *Facts) bool
}

// Microsoft's own pages the steps cite.
const (
	msSMTPAuthURL  = "https://aka.ms/smtp_auth_disabled"
	msOAuthURL     = "https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth"
	msRetireURL    = "https://techcommunity.microsoft.com/blog/exchange/exchange-online-to-retire-basic-auth-for-client-submission-smtp-auth/4114750"
	msHVEURL       = "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/high-volume-mails-m365"
	msGraphSendURL = "https://learn.microsoft.com/en-us/graph/api/user-sendmail"
	msDeviceURL    = "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365"
	// Microsoft's own list of these refusals and their fixes.
	msTroubleshootURL = "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/fix-issues-with-printers-scanners-and-lob-applications-that-send-email-using-off"
)

var msRefusals = []msRefusal{
	{
		ID: "5.7.30-basic-auth-removed", Enhanced: "5.7.30", Words: []string{"basic authentication is not supported"},
		Code:    probe.CodeAuthBlockedByPolicy,
		Explain: "This is Exchange Online's answer once Basic authentication has been removed from SMTP AUTH (Client Submission): no password or app password will work again for this tenant.",
		Steps: func(f *Facts) []string {
			return []string{
				"Switch the app to OAuth 2.0: AUTH XOAUTH2 with an access token for https://outlook.office.com/SMTP.Send (delegated) or https://outlook.office365.com/.default with the SMTP.SendAsApp permission (app-only): " + msOAuthURL + ".",
				"If the app or device cannot do OAuth: send through Microsoft Graph (" + msGraphSendURL + "), High Volume Email for internal mail (" + msHVEURL + "), a connector that accepts the device's IP address (" + msDeviceURL + "), or another SMTP relay.",
			}
		},
		Source: "https://github.com/OpenCTI-Platform/opencti/issues/12069",
	},
	{
		ID: "5.7.139-tenant", Enhanced: "5.7.139", Words: []string{"smtpclientauthentication is disabled for the tenant"},
		Code:    probe.CodeAuthBlockedByPolicy,
		Explain: "SMTP AUTH is turned off for the whole organisation (Set-TransportConfig -SmtpClientAuthenticationDisabled $true), which Microsoft does for tenants that did not use it.",
		Steps: func(f *Facts) []string {
			return []string{
				"An Exchange Online administrator enables SMTP AUTH for just this mailbox, which overrides the tenant setting: Microsoft 365 admin center → Users → Active users → the user → Mail → Manage email apps → tick \"Authenticated SMTP\"; or in Exchange Online PowerShell: Set-CASMailbox -Identity " + mailbox(f) + " -SmtpClientAuthenticationDisabled $false (" + msSMTPAuthURL + ").",
				"Or turn it on for every mailbox that has no setting of its own: Set-TransportConfig -SmtpClientAuthenticationDisabled $false. Allow up to an hour for the change to apply, then test again.",
				"Password (Basic) SMTP AUTH is being retired: Microsoft disables it by default for existing tenants at the end of December 2026. Prefer OAuth (XOAUTH2) now: " + msOAuthURL + ".",
			}
		},
		Source: "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission",
	},
	{
		ID: "5.7.139-mailbox", Enhanced: "5.7.139", Words: []string{"smtpclientauthentication is disabled for the mailbox"},
		Code:    probe.CodeAuthBlockedByPolicy,
		Explain: "SMTP AUTH is turned off for this one mailbox (its SmtpClientAuthenticationDisabled setting is $true), whatever the organisation's default.",
		Steps: func(f *Facts) []string {
			return []string{
				"An Exchange Online administrator enables it for the mailbox: Microsoft 365 admin center → Users → Active users → the user → Mail → Manage email apps → tick \"Authenticated SMTP\"; or Set-CASMailbox -Identity " + mailbox(f) + " -SmtpClientAuthenticationDisabled $false (" + msSMTPAuthURL + ").",
				"Allow up to an hour for the change to apply, then test again.",
				"Plan the move to OAuth (XOAUTH2): Basic authentication for SMTP AUTH is disabled by default at the end of December 2026 (" + msRetireURL + ").",
			}
		},
		Source: "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission",
	},
	{
		ID: "5.7.139-basic-auth-disabled", Enhanced: "5.7.139", Words: []string{"basic authentication is disabled"},
		Code:    probe.CodeAuthBlockedByPolicy,
		Explain: "Basic authentication (a username and a password, app passwords included) is blocked for this user or tenant, by an authentication policy or by the tenant's Basic-auth setting; SMTP AUTH itself may be on.",
		Steps: func(f *Facts) []string {
			return []string{
				"Switch the app to OAuth 2.0 (XOAUTH2) with a token for https://outlook.office.com/SMTP.Send: " + msOAuthURL + ".",
				"Administrators: an authentication policy may block it (Get-AuthenticationPolicy | Format-List Name,AllowBasicAuthSmtp; Set-AuthenticationPolicy -AllowBasicAuthSmtp); re-allowing Basic auth only delays the work, because Microsoft retires it for SMTP AUTH (" + msRetireURL + ").",
			}
		},
		Source: "https://github.com/rpremraj/mailR/issues/107",
	},
	{
		ID: "5.7.139-security-defaults", Enhanced: "5.7.139", Words: []string{"security defaults"},
		Code:    probe.CodeAuthBlockedByPolicy,
		Explain: "Microsoft Entra security defaults are on for the tenant, and they block every legacy (password-only) sign-in, SMTP AUTH included.",
		Steps: func(f *Facts) []string {
			return []string{
				"Preferred: switch the app to OAuth 2.0 (XOAUTH2) with the SMTP.Send permission, which security defaults allow: " + msOAuthURL + ".",
				"Otherwise a Global Administrator replaces security defaults with Conditional Access policies (Entra admin center → Identity → Overview → Properties → Manage security defaults) that keep MFA for people but exclude this sending account from the legacy-authentication block. This weakens security.",
			}
		},
		Source: "https://learn.microsoft.com/en-us/entra/fundamentals/security-defaults",
	},
	{
		ID: "5.7.139-conditional-access", Enhanced: "5.7.139", Words: []string{"did not meet the criteria"},
		Code:    probe.CodeAuthBlockedByPolicy,
		Explain: "A Microsoft Entra Conditional Access policy (or a similar sign-in rule: a blocked location, a required MFA or compliant device) refused this sign-in; the password may well be right.",
		Steps: func(f *Facts) []string {
			return []string{
				"An administrator opens Entra admin center → Monitoring → Sign-in logs, finds this user's sign-in at " + f.when() + " (client app \"Authenticated SMTP\"), and reads which Conditional Access policy failed it and why.",
				"Exclude the sending account from that policy, or (better) move the app to OAuth (XOAUTH2), which Conditional Access can allow with its own conditions: " + msOAuthURL + ".",
			}
		},
		Source: "https://github.com/gophish/gophish/issues/3220",
	},
	{
		ID: "5.7.139-credentials", Enhanced: "5.7.139", Words: []string{"credentials were incorrect"},
		Code:    probe.CodeAuthCredentialsRejected,
		Explain: "Microsoft checked the password and it is wrong for this account (or the account needs MFA and the password alone is not enough).",
		Steps: func(f *Facts) []string {
			return []string{
				"Use the mailbox's full address (its user principal name) as the username, and check the password by signing in at https://outlook.office.com.",
				"Check that SMTP AUTH is on for the mailbox (Microsoft 365 admin center → Users → Active users → Mail → Manage email apps → \"Authenticated SMTP\").",
				"If the account has MFA, the plain password cannot work over SMTP: use an app password where the organisation allows them (https://mysignins.microsoft.com/security-info), or OAuth (XOAUTH2): " + msOAuthURL + ".",
			}
		},
		Source: "https://github.com/codassassin/email-bomber-v2.0/issues/1",
	},
	{
		ID: "5.7.139-federation-unreachable", Enhanced: "5.7.139", Words: []string{"federated sts service was unreachable"},
		Code:    probe.CodeAuthTemporaryFailure,
		Explain: "The account is federated: Microsoft passes the password to the organisation's own sign-in server (AD FS or another federation service), and could not reach it. The password was not checked.",
		Steps: func(f *Facts) []string {
			return []string{
				"Do not change the password because of this reply.",
				"The organisation's administrator checks that its federation server (AD FS or the third-party identity provider) is up and reachable from the internet, and its certificate valid; Microsoft's sign-in logs for the user show the same failure.",
				"Moving the app to OAuth (XOAUTH2) does not depend on the federation server answering password checks: " + msOAuthURL + ".",
			}
		},
		Source: msTroubleshootURL,
	},
	{
		ID: "5.7.139-federation-https", Enhanced: "5.7.139", Words: []string{"does not support https"},
		Code:    probe.CodeAuthTemporaryFailure,
		Explain: "The account is federated, and Microsoft could not open a secure connection to the organisation's own sign-in server (usually because it only speaks TLS 1.0 or 1.1). The password was not checked.",
		Steps: func(f *Facts) []string {
			return []string{
				"Do not change the password because of this reply.",
				"The organisation's administrator enables TLS 1.2 on its federation server (AD FS or the identity provider) and checks its HTTPS endpoint and certificate.",
			}
		},
		Source: msTroubleshootURL,
	},
	{
		ID: "5.1.8-bad-outbound-sender", Enhanced: "5.1.8", Words: []string{"bad outbound sender"},
		Code:    probe.CodeAuthBlockedByPolicy,
		Explain: "Microsoft has put this mailbox on its list of restricted senders after it sent what looked like spam (often because the account was compromised); it may not send at all until an administrator releases it.",
		Steps: func(f *Facts) []string {
			return []string{
				"An administrator checks the account first: change its password, review its sign-ins and mailbox rules, since a blocked sender is often a compromised one.",
				"Then releases it: Microsoft Defender portal → Email & collaboration → Review → Restricted entities → the user → Unblock (it can take up to 24 hours).",
			}
		},
		Source: msTroubleshootURL,
	},
	{
		ID: "5.7.64-tenant-attribution", Enhanced: "5.7.64", Words: []string{"tenantattribution"},
		Code:    probe.CodeRelayDenied,
		Explain: "Exchange Online could not tie this connection to your organisation: the connector that allows relaying by IP address or certificate does not match this sender (its IP address or certificate changed).",
		Steps: func(f *Facts) []string {
			return []string{
				"An administrator updates the inbound connector (Exchange admin center → Mail flow → Connectors) with the sending machine's current public IP address or certificate name, and the domain's SPF record with the same address.",
				"Or authenticate on smtp.office365.com:587 instead of relaying by IP address.",
			}
		},
		Source: msTroubleshootURL,
	},
	{
		ID: "5.7.3-starttls", Enhanced: "5.7.3", Words: []string{"starttls is required"},
		Code:    probe.CodeAuthRequiresTLS,
		Explain: "Exchange Online accepts mail on smtp.office365.com only over an encrypted connection, and this session had not run STARTTLS.",
		Steps: func(f *Facts) []string {
			return []string{
				"Use smtp.office365.com port 587 with STARTTLS (apps often call it \"TLS\"; not \"SSL\", and not port 465, which Microsoft 365 does not offer).",
				"Make sure the app runs STARTTLS before AUTH and MAIL FROM, and speaks TLS 1.2 or newer.",
			}
		},
		Source: "https://github.com/apache/hertzbeat/issues/2365",
	},
	{
		ID: "5.7.3-unsuccessful", Enhanced: "5.7.3", Words: []string{"authentication unsuccessful"},
		Code:    probe.CodeAuthCredentialsRejected,
		Explain: "\"5.7.3 Authentication unsuccessful\" is Exchange Online's catch-all: a wrong password, SMTP AUTH disabled for the mailbox, an account that needs MFA, or (with XOAUTH2) a token for another audience, without SMTP.Send, or for another mailbox.",
		Steps: func(f *Facts) []string {
			s := []string{
				"Use the mailbox's full address as the username and check the password by signing in at https://outlook.office.com.",
				"An administrator checks that SMTP AUTH is enabled for the mailbox: Get-CASMailbox -Identity " + mailbox(f) + " | Format-List SmtpClientAuthenticationDisabled (it must be False, or empty with the tenant's Get-TransportConfig showing False); fix with Set-CASMailbox -Identity " + mailbox(f) + " -SmtpClientAuthenticationDisabled $false.",
				"An administrator reads the user's Entra sign-in logs around " + f.when() + ": they say whether the password, MFA, a Conditional Access policy or security defaults refused it.",
			}
			return append(s, "With XOAUTH2, the token must be for https://outlook.office.com with the SMTP.Send scope (or SMTP.SendAsApp for app-only tokens with a registered service principal), and the user= must be the mailbox the token may use: "+msOAuthURL+".")
		},
		Source: "https://github.com/tarickb/sasl-xoauth2/issues/43",
		// With a token the same words are the OAuth rule's to read.
		If: func(f *Facts) bool { return !f.OAuth },
	},
	{
		ID: "5.7.57-not-authenticated", Enhanced: "5.7.57", Words: []string{"not authenticated"},
		Code:    probe.CodeAuthRequired,
		Explain: "Exchange Online's submission endpoint takes mail only from a session that logged in; this one had not (no AUTH, or AUTH on another connection).",
		Steps: func(f *Facts) []string {
			return []string{
				"Turn on SMTP authentication in the app with the mailbox's address and password (or OAuth), on smtp.office365.com:587 with STARTTLS.",
				"Devices that cannot log in send to your domain's MX host (<domain>.mail.protection.outlook.com) by direct send or through a connector for their IP address instead: " + msDeviceURL + ".",
			}
		},
		Source: "https://github.com/glowroot/glowroot/issues/226",
	},
	{
		ID: "5.7.60-send-as", Enhanced: "5.7.60", Words: []string{"permissions to send as"},
		Code:    probe.CodeSenderRejected,
		Explain: "The From address is not the mailbox that logged in, and that mailbox has no Send As right over it.",
		Steps: func(f *Facts) []string {
			return []string{
				"Send from the signed-in mailbox's own address (" + mailbox(f) + "), or",
				"grant it Send As over the other address: Exchange admin center → Recipients → Mailboxes (or Groups, for a shared address) → the address used as From → Delegation → Send As → add " + mailbox(f) + "; or Add-RecipientPermission -Identity FROM-ADDRESS -Trustee " + mailbox(f) + " -AccessRights SendAs. It can take an hour to apply.",
			}
		},
		Source: "https://github.com/swiftmailer/swiftmailer/issues/1030",
	},
	{
		ID: "5.7.4-unrecognized", Enhanced: "5.7.4", Words: []string{"unrecognized authentication type"},
		Code:    probe.CodeAuthMechanismUnsupported,
		Explain: "Exchange Online offers AUTH LOGIN and XOAUTH2 only after STARTTLS; on an encrypted connection this answer means a mechanism it does not offer (PLAIN or CRAM-MD5 on some front ends).",
		// Before STARTTLS the same reply means "encrypt first"
		// (auth.requires_tls), which the generic rules read.
		If: func(f *Facts) bool { return f.TLSActive },
		Steps: func(f *Facts) []string {
			return []string{
				"Microsoft 365 offers AUTH LOGIN and XOAUTH2: connect to smtp.office365.com port 587, run STARTTLS, send EHLO again, then AUTH LOGIN (password) or AUTH XOAUTH2 (token).",
				"If the app lets you choose, pick LOGIN or OAuth2; leave PLAIN, CRAM-MD5 and NTLM off.",
			}
		},
		Source: "https://github.com/deanproxy/eMail/issues/44",
	},
}

// microsoftRefusal finds the refusal for a reply from Microsoft 365.
func microsoftRefusal(f *Facts) *msRefusal {
	if f.Reply == 0 || !f.is("microsoft365") {
		return nil
	}
	for i := range msRefusals {
		m := &msRefusals[i]
		if f.Enhanced != m.Enhanced && !strings.Contains(f.Text, m.Enhanced) {
			continue
		}
		if slices.ContainsFunc(m.Words, func(w string) bool { return !strings.Contains(f.Text, w) }) {
			continue
		}
		if m.If != nil && !m.If(f) {
			continue
		}
		return m
	}
	return nil
}

// The published schedule of Basic authentication for SMTP AUTH in
// Exchange Online (Message center MC786329, updated 27 January 2026): no
// change until then; at the end of December 2026 disabled by default for
// existing tenants (administrators can turn it back on), and unavailable
// for tenants created after it; the final removal date is announced in
// the second half of 2027. Once removed, servers answer "550 5.7.30 Basic
// authentication is not supported for Client Submission".
var basicAuthOff = time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)

// basicAuthLogin reports a password login that worked against Microsoft
// 365: it stops working when Basic authentication is switched off.
func basicAuthLogin(f *Facts) bool {
	return f.is("microsoft365") && f.AuthSucceeded && (f.Mech == "PLAIN" || f.Mech == "LOGIN")
}

// basicAuthWords says where the schedule stands at the time of the test.
func basicAuthWords(f *Facts) string {
	if !f.R.StartedAt.IsZero() && f.R.StartedAt.After(basicAuthOff) {
		return "Microsoft disabled Basic authentication for SMTP AUTH by default at the end of December 2026; it works here only because an administrator turned it back on, and Microsoft removes it for good on a date it announces in the second half of 2027."
	}
	return "Microsoft disables Basic authentication for SMTP AUTH by default for existing tenants at the end of December 2026 (administrators can turn it back on for a while; new tenants will not have it), and removes it for good on a date it announces in the second half of 2027. From then on this login is refused with \"550 5.7.30 Basic authentication is not supported for Client Submission\"."
}

// basicAuthSteps are the migration steps, most lasting first.
func basicAuthSteps(f *Facts) []string {
	return []string{
		"Move the app to OAuth 2.0: AUTH XOAUTH2 with an access token for https://outlook.office.com/SMTP.Send (a delegated token for " + mailbox(f) + "), or for app-only sending the SMTP.SendAsApp permission with the app's service principal registered in Exchange Online (New-ServicePrincipal, Add-MailboxPermission): " + msOAuthURL + ".",
		"If the app cannot do OAuth: send through Microsoft Graph sendMail (" + msGraphSendURL + "), High Volume Email for mail inside the organisation (" + msHVEURL + "), a connector for the device's IP address (" + msDeviceURL + "), or another SMTP relay service.",
		"Find every other app and device that still logs in with a password: Exchange admin center → Reports → Mail flow → SMTP AUTH clients submission report (the Authentication Protocol column shows Basic or OAuth).",
		"Until it is migrated, an administrator can keep Basic authentication on for this mailbox after the default changes; that only buys time (" + msRetireURL + ").",
	}
}

// mechWords names the mechanism used, " (AUTH LOGIN)", or "".
func mechWords(f *Facts) string {
	if f.Mech == "" {
		return ""
	}
	return " (AUTH " + plain(f.Mech, 20) + ")"
}
