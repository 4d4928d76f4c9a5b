package diagnosis

import (
	"fmt"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/provider"
)

// rules is the table of diagnoses, in precedence order: the first rule
// whose signs match a reply is the root cause. Specific beats generic
// ("STARTTLS required" before "AUTH not offered", "app password required"
// before "credentials rejected", a backend failure reported as 535 before
// the 535 catch-all), and policy beats credentials (a disabled SMTP AUTH
// makes every password look wrong). Codes the probe establishes itself
// (no reply to read) follow at the end, with no signs.
//
// Signs combine the step, the reply code, the enhanced code and phrases,
// so that a server never seen before still lands on the right code:
// servers differ in codes (504 vs 538, 435 vs 454, 523 vs 530) and
// wording drifts, but the enhanced code and a few words rarely both do.
var rules = []Rule{
	{
		// Decided before the rules (diagnose.go): the server is not the
		// one asked for, so its replies say nothing about the provider.
		Code: probe.CodeSMTPIntercepted, Severity: probe.SeverityError, Guide: "interception",
		Title:   "Another operator's server answered",
		Summary: interceptSummary,
		Steps:   interceptSteps,
	},
	{
		Code: probe.CodeTLSProtocolTooOld, Severity: probe.SeverityError, Guide: "ports-and-tls",
		Title: "TLS version too old",
		When: []When{
			{Phrases: []string{"tls 1.0 and 1.1", "tls 1.2 is required", "upgrade/update your client to support tls 1.2", "aka.ms/smtp_auth_tls", "protocol version"}},
			{Enhanced: []string{"7.66"}},
		},
		Summary: func(f *Facts) string {
			if f.Reply != 0 {
				return fmt.Sprintf("The server refused the TLS version in use: %s. It accepts only TLS 1.2 or newer.", f.answered())
			}
			return words("The server at", f.target(), "only speaks TLS 1.0 or 1.1, which are obsolete and refused by current clients (RFC 8996).", f.detail())
		},
		Steps: func(f *Facts) []string {
			if f.Reply != 0 {
				return []string{
					"Update the sending application, device or its operating system so that it speaks TLS 1.2 or 1.3; old printers, scanners and .NET/Java runtimes are the usual culprits (for .NET, target 4.7 or later or set SecurityProtocol to Tls12).",
					"If the device cannot be updated, send through a relay that speaks modern TLS on its behalf (a local Postfix relay, or your provider's connector for devices).",
					f.escalate("the administrator of the sending device"),
				}
			}
			return []string{
				"Ask the server's administrator to enable TLS 1.2 and 1.3 (in Postfix: smtpd_tls_protocols = >=TLSv1.2; in Exim: tls_require_ciphers / openssl_options; in Exchange: enable TLS 1.2 in Schannel).",
				"Until then, do not lower your client's TLS floor to get through: TLS 1.0 and 1.1 are broken (RFC 8996).",
				f.escalate("the server's administrator"),
			}
		},
	},
	{
		Code: probe.CodeAuthBlockedByPolicy, Severity: probe.SeverityError, Guide: "policy",
		Title: "SMTP authentication is disabled by policy",
		When: []When{
			{Steps: atAuth, Phrases: []string{
				"smtpclientauthentication is disabled", "smtp client authentication is disabled",
				"basic authentication is disabled", "basic auth is disabled", "security defaults",
				"smtp auth is disabled", "smtp auth has been disabled", "smtp authentication is disabled",
				"authenticated smtp is disabled", "user is locked", "legacy authentication",
				"conditional access", "account is disabled", "account has been disabled",
				"account disabled", "smtp access is disabled", "smtp is disabled",
				"not allowed to use smtp", "smtp access denied",
				// An administrator's access rules (Entra Conditional Access
				// answers "did not meet the criteria"), an account without
				// the right to this service.
				"did not meet the criteria", "access policy", "access rights", "does not have access",
				"no access to", "not permitted to use", "not authorized to use", "not allowed to send",
				"not permitted to send", "no permission to send", "does not have permission",
			}},
			{Steps: atAuth, Enhanced: []string{"7.13"}}, // RFC 3463 X.7.13: user account disabled
			// Exchange Online once Basic authentication is removed from
			// SMTP AUTH answers the first command after the login with
			// "550 5.7.30 Basic authentication is not supported for Client
			// Submission", whoever relays it and whatever step it lands in.
			{Phrases: []string{"basic authentication is not supported"}},
			// After a login (or without one): the account itself may not
			// send ("550 User has no permission" from NetEase when SMTP is
			// not switched on for the mailbox), as opposed to one address.
			{Steps: atSend, Phrases: []string{"user has no permission", "account has no permission", "has no permission to send",
				"account is not permitted to send", "sending is disabled for", "smtp service is disabled", "smtp is disabled", "smtp access is disabled"}},
			{Steps: atAuth, Class: 5, If: weakPassword},
			// The refusal names a policy or the administrator: the
			// password may be right, the account may not use it here.
			{Steps: atAuth, Class: 5, If: func(f *Facts) bool {
				return f.hasWord("policy", "policies") || (f.hasWord("administrator", "admin") && f.hasWord("contact", "disabled", "blocked", "denied", "restricted"))
			}},
		},
		Summary: func(f *Facts) string {
			if weakPassword(f) {
				return fmt.Sprintf("The server refused the login because the account's password breaks its password rules (too short or too simple), not because it is wrong: %s. The provider wants a stronger password before it lets mail apps in.", f.answered())
			}
			if f.Step != probe.StepAuth {
				return fmt.Sprintf("The server refused to let this account send mail at all, by policy, not because of the address or the password: %s. The account (or SMTP for it) must be enabled first.", f.answered())
			}
			return fmt.Sprintf("The server refused to authenticate this account at all, by policy, not because of the password: %s. No password will work until the policy changes or the app signs in another way.", f.answered())
		},
		Steps: func(f *Facts) []string {
			if weakPassword(f) {
				return []string{
					"Sign in to the provider's web mail and change the account's password to a longer one that meets its rules (mixed letters, digits, symbols), then use the new password in the app.",
					"Do not retry the old password: the server keeps refusing it, and repeated attempts can lock the account.",
					f.escalate(f.who()),
				}
			}
			return []string{
				"Ask whoever administers the account (the tenant or domain admin) whether SMTP authentication is allowed for this mailbox, and to enable it if it should be.",
				"If the organisation keeps password-based (basic) authentication off, switch the app to OAuth 2.0 (XOAUTH2) or the provider's sending API instead of a password.",
				f.escalate("your mail administrator"),
			}
		},
	},
	{
		Code: probe.CodeAuthRequiresTLS, Severity: probe.SeverityError, Guide: "code-538",
		Title: "Authentication needs an encrypted connection",
		When: []When{
			{Steps: notStart, Replies: []int{538, 523}},
			{Steps: notStart, Enhanced: []string{"7.10", "7.11"}},
			{Steps: notStart, Phrases: []string{
				"starttls", "must issue a starttls", "tls is required", "requires tls", "tls required",
				"encryption required", "requires encryption", "encryption is required",
				"must use tls", "ssl required", "ssl/tls required", "secure connection required",
				"requires a secure connection", "plaintext authentication disallowed",
				"plain-text authentication", "cleartext authentication", "not over an unencrypted",
			}},
			// Encryption demanded in other words ("Email sending without
			// SSL/TLS encryption is not allowed", "SSL required").
			{Steps: notStart, Class: 5, If: demandsEncryption},
			{Steps: notStart, Class: 4, If: demandsEncryption},
			// The server offers STARTTLS and refused AUTH (or does not know
			// it) before TLS: AUTH is only offered after STARTTLS, as most
			// submission servers do (RFC 4954 §4; Postfix smtpd_tls_auth_only).
			{Steps: atAuth, Replies: []int{500, 502, 503, 504}, If: func(f *Facts) bool { return !f.TLSActive && f.StartTLSOffered }},
		},
		Summary: func(f *Facts) string {
			if f.Reply == 0 {
				return words("The server at", f.target(), "does not offer authentication on an unencrypted connection, but it offers STARTTLS: AUTH becomes available only after the connection is encrypted.", f.detail())
			}
			return fmt.Sprintf("The server wants the connection encrypted before it accepts a login or mail: %s.", f.answered())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Turn on encryption in the app: STARTTLS on port 587 (often labelled \"STARTTLS\" or \"TLS\"), or implicit TLS on port 465 (often labelled \"SSL/TLS\").",
				"Make sure the app sends EHLO again after STARTTLS and only then AUTH; the server lists AUTH only on the encrypted connection (RFC 3207 §4.2).",
				"In smtpdoctor, choose security \"auto\" or \"starttls\" (or \"tls\" on port 465) and run the test again.",
			}
		},
	},
	{
		Code: probe.CodeAuthAppPasswordRequired, Severity: probe.SeverityError, Guide: "app-passwords",
		Title: "An app password is required",
		When: []When{
			{Steps: atAuth, Phrases: []string{"application-specific password", "application specific password", "app-specific password", "app password", "invalidsecondfactor"}},
		},
		Summary: func(f *Facts) string {
			return fmt.Sprintf("The account has two-step verification (or similar) turned on, so the normal account password cannot be used by mail apps: %s.", f.answered())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Create an app password (also called an app-specific password) in the account's security settings and use it instead of your normal password; enter it without spaces.",
				"If no app password option exists, two-step verification may be off (turn it on first) or your administrator has disabled app passwords: then use OAuth (XOAUTH2) instead.",
			}
		},
	},
	{
		Code: probe.CodeAuthWebLoginRequired, Severity: probe.SeverityError, Guide: "app-passwords",
		Title: "Sign in with a web browser first",
		When: []When{
			{Steps: atAuth, Phrases: []string{"log in via your web browser", "web browser", "sign in via", "signin/continue", "weblogin", "please log in", "verify your account", "password transition", "password has expired", "password expired", "change your password",
				"web interface", "use web", "via web", "through the web", "webmail first", "not a robot", "captcha",
				"verify your identity", "confirm your identity", "unusual activity", "suspicious activity"}},
			{Steps: atAuth, Enhanced: []string{"7.14", "7.12"}}, // RFC 5248 X.7.14 trust relationship; RFC 4954 432 4.7.12 password transition
			{Steps: atAuth, Replies: []int{432}},
		},
		Summary: func(f *Facts) string {
			return fmt.Sprintf("The provider blocked this sign-in until the account owner confirms it interactively (a new location or device, or a password change due): %s.", f.answered())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Sign in to the account in a web browser, from the same network as the sending app if you can, and approve any security prompt (\"Was it you?\") or change the password if asked.",
				"Retry within a few minutes. If the app keeps being challenged, give it an app password or switch it to OAuth, which providers do not challenge this way.",
				f.escalate(f.who()),
			}
		},
	},
	{
		Code: probe.CodeAuthRateLimited, Severity: probe.SeverityError, Guide: "code-421",
		Title: "Too many attempts: the server is throttling",
		When: []When{
			{Phrases: []string{"throttl", "rate limit", "rate exceeded", "sending rate", "quota exceeded", "sending limit", "sending quota", "thread limit exceeded", "limit exceeded", "too many login", "too many auth"}},
			{Class: 4, Phrases: []string{"too many", "slow down"}},
			// "535 too many login attempts", "this user authenticate too
			// many times": a limit first, whatever else the reply says.
			{Steps: atAuth, Phrases: []string{"too many", "too frequent", "too often", "temporarily blocked", "temporarily locked"}},
		},
		Summary: func(f *Facts) string {
			return fmt.Sprintf("The server is limiting this client or account for now: %s. This is about how often or how many, not about the password.", f.answered()) + waitSentence(f)
		},
		Steps: func(f *Facts) []string {
			s := []string{"Stop retrying for a while (15 to 60 minutes): every new attempt can extend the block."}
			if d := waitWords(f); d != "" {
				s[0] = "Stop retrying and wait " + d + ", as the server says: every new attempt before then can extend the block."
			}
			s = append(s, "Do not change the password because of this reply: it is about how often, and a new password does not lift the block.")
			if f.Step == probe.StepAuth || f.has("auth", "login") {
				s = append(s, "Find what keeps logging in: another device or app with an old password retries in the background and uses up the limit. Fix or stop it.")
			}
			return append(s,
				"Keep connections and messages within the provider's limits (fewer concurrent connections; queue and pace bulk mail).",
				f.escalate(f.who()+" if the block does not lift after an hour"),
			)
		},
	},
	{
		Code: probe.CodeAuthOAuthTokenInvalid, Severity: probe.SeverityError, Guide: "oauth",
		Title: "The OAuth access token was refused",
		When: []When{
			{Steps: atAuth, If: func(f *Facts) bool { return f.R.Auth != nil && len(f.R.Auth.OAuthError) > 0 }},
			{Steps: atAuth, Phrases: []string{"xoauth2", "oauthbearer", "invalid_token", "invalid token", "token is expired", "token expired"}},
			{Steps: atAuth, Enhanced: []string{"5.124"}},
			{Steps: atAuth, Class: 5, If: func(f *Facts) bool { return f.OAuth }},
		},
		Summary: func(f *Facts) string {
			s := fmt.Sprintf("The server refused the OAuth access token: %s.", f.answered())
			if f.Reply == 0 {
				s = words("The server refused the OAuth access token.", f.detail())
			}
			if e := oauthErrorWords(f); e != "" {
				s += " Its error details say " + e + "."
			}
			return s + tokenWords(f)
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Get a fresh access token: they expire, typically after an hour, and the app must refresh it with its refresh token.",
				"Check that the token was issued for mail sending (the provider's SMTP scope) and for the same account as the username: the user= in XOAUTH2 must be the token's mailbox.",
				"Paste the token itself as the password, not the refresh token, the client secret or the ID token.",
			}
		},
	},
	{
		Code: probe.CodeSMTPServiceUnavailable, Severity: probe.SeverityError, Guide: "code-421",
		Title: "The server refused service",
		When: []When{
			{Replies: []int{421}},
			{Steps: atGreet, Class: 4},
			{Steps: atGreet, Class: 5},
		},
		Summary: func(f *Facts) string {
			return fmt.Sprintf("The server refused to serve this connection: %s and closed (or will close) the session. That means busy, blocked or shutting down, not a wrong password.", f.answered()) + codeNote(f, 421, "RFC 5321 §3.8: 421 means the service is not available and the connection is closing")
		},
		Steps: func(f *Facts) []string {
			var s []string
			if f.Step == probe.StepEHLO {
				s = append(s, "Check the EHLO name the app sends: use this machine's real, fully qualified domain name, never \"localhost\" or a bare word (smtpdoctor: --helo).")
			}
			if f.Reply == 421 || f.class() == 4 {
				s = append(s, fmt.Sprintf("Wait a few minutes and try again: a %d reply is temporary by definition (RFC 5321 §4.2.1).", f.Reply))
			} else {
				s = append(s, "A 5xx greeting is a refusal of this connection, usually of your IP address: retrying from the same address will not help.")
			}
			s = append(s,
				"Check whether your public IP address is on a blocklist (for example at https://mxtoolbox.com/blacklists.aspx), especially on a home, VPN or cloud connection; use your provider's submission port 587 or 465 rather than port 25.",
				f.escalate(f.who()),
			)
			return s
		},
	},
	{
		Code: probe.CodeTLSStartTLSFailed, Severity: probe.SeverityError, Guide: "ports-and-tls",
		Title: "STARTTLS was refused",
		When: []When{
			{Steps: atStart, Class: 4},
			{Steps: atStart, Class: 5},
		},
		Summary: func(f *Facts) string {
			if f.Reply == 0 {
				return words("The server advertised STARTTLS but the upgrade to TLS did not happen.", f.detail())
			}
			return fmt.Sprintf("The server advertised STARTTLS but refused it: %s. The server's TLS setup is broken or temporarily unavailable.", f.answered()) + codeNote(f, 454, "RFC 3207 §4: 454 means TLS is not available")
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Try implicit TLS on port 465 if the server offers it; it does not depend on STARTTLS.",
				"If you run the server: check that its certificate and key files exist and are readable by the mail service (Postfix: smtpd_tls_cert_file / smtpd_tls_key_file; the mail log names the error).",
				f.escalate(f.who()),
			}
		},
	},
	{
		Code: probe.CodeAuthTemporaryFailure, Severity: probe.SeverityError, Guide: "code-454",
		Title: "The server's authentication system failed",
		When: []When{
			// Words that name the back end, whatever the class: Postfix
			// reports a dead saslauthd as "535 ... generic failure".
			{Steps: atAuth, Phrases: []string{"temporary authentication failure", "generic failure", "connection lost to authentication server", "authentication server unavailable", "auth server unavailable", "authentication backend", "auth backend"}},
			{Steps: atAuth, Replies: []int{454, 435}},
			{Steps: atAuth, Class: 4},
		},
		Summary: func(f *Facts) string {
			return fmt.Sprintf("The server could not check the password because its own authentication back end failed: %s. This is the server's problem, not a wrong password.", f.answered()) + codeNote(f, 454, "RFC 4954 §6: 454 is a temporary authentication failure")
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Do not change or reset the password because of this error; it says nothing about the password.",
				"Try again in a few minutes: the server's password database or authentication service is down or overloaded.",
				"If you run the server: check the authentication service it asks (Dovecot auth socket, saslauthd, LDAP or SQL backend) and the mail log around " + f.when() + ".",
				f.escalate(f.who()),
			}
		},
	},
	{
		Code: probe.CodeAuthMechanismUnsupported, Severity: probe.SeverityError, Guide: "code-534",
		Title: "No authentication method in common",
		When: []When{
			{Steps: atAuth, Replies: []int{504}},
			{Steps: atAuth, Enhanced: []string{"5.4", "7.4"}},
			{Steps: atAuth, Phrases: []string{"unrecognized authentication type", "unsupported authentication mechanism", "invalid authentication mechanism", "unknown authentication mechanism", "unrecognized authentication mechanism", "mechanism not supported", "mechanism not available", "mechanism too weak", "unsupported mechanism", "not supported mechanism"}},
			{Steps: atAuth, Replies: []int{534}, Enhanced: []string{"7.9"}}, // RFC 4954: mechanism too weak
		},
		Summary: func(f *Facts) string {
			offered := offeredMechs(f)
			if f.Reply == 0 {
				return words("The server and the client have no authentication mechanism in common.", offered, f.detail())
			}
			return words(fmt.Sprintf("The server does not accept the authentication mechanism that was used: %s.", f.answered()), offered)
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Let the app pick the mechanism automatically, or choose one the server lists after EHLO (PLAIN or LOGIN over TLS are the common ones; XOAUTH2 for OAuth).",
				"Connect with TLS first: many servers list PLAIN and LOGIN only after STARTTLS or on port 465.",
				"If only NTLM, GSSAPI or Kerberos is offered (an on-premises Exchange connector), ask the administrator to enable Basic authentication over TLS on the client receive connector.",
			}
		},
	},
	{
		Code: probe.CodeAuthNotOffered, Severity: probe.SeverityError, Guide: "ports-and-tls",
		Title: "This port does not offer authentication",
		When: []When{
			{Steps: atAuth, Replies: []int{500, 502}},
			{Steps: atAuth, Replies: []int{503}, Phrases: []string{"not enabled", "not available", "not supported", "not allowed", "authentication not", "auth not"}},
		},
		Summary: func(f *Facts) string {
			if f.Reply == 0 {
				return words("The server at", f.target(), "does not list AUTH among its EHLO extensions, so it cannot accept a login here. This is typical of port 25 (server-to-server mail), not of a submission port.", f.detail())
			}
			return fmt.Sprintf("The server does not accept logins on this connection: %s.", f.answered())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Use the provider's submission service: port 587 with STARTTLS, or port 465 with implicit TLS, and its submission host name (often smtp.<domain>, not the MX host).",
				"If you run the server: enable SMTP AUTH on the submission port (Postfix: -o smtpd_sasl_auth_enable=yes on the submission entry in master.cf; Exim: an authenticator and auth_advertise_hosts; Exchange: the Client Frontend connector on 587).",
			}
		},
	},
	{
		Code: probe.CodeAuthCredentialsRejected, Severity: probe.SeverityError, Guide: "code-535",
		Title: "Username or password rejected",
		When: []When{
			{Steps: atAuth, Replies: []int{535}},
			{Steps: atAuth, Enhanced: []string{"7.8", "7.3", "7.0", "7.1"}},
			{Steps: atAuth, Phrases: []string{"authentication failed", "invalid credentials", "credentials invalid", "incorrect", "bad username", "bad user", "not accepted", "authentication unsuccessful", "auth failed", "login failed", "invalid login", "invalid user"}},
			{Steps: atAuth, Class: 5},
		},
		Summary: func(f *Facts) string {
			user := ""
			if u := f.R.Settings.User; u != "" {
				user = fmt.Sprintf(" for the username %q", plain(u, 120))
			}
			return fmt.Sprintf("The server refused the login%s: %s. Either the username or the password is not what the server expects, or the account may not use a password for SMTP.", user, f.answered())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Check the username: most providers want the full email address, exactly as registered.",
				"Re-enter the password by typing it (no spaces before or after); if two-step verification is on, use an app password instead of the account password.",
				"Confirm the account may send with SMTP AUTH at all (some providers and administrators turn it off per mailbox).",
				f.escalate(f.who()),
			}
		},
	},
	{
		Code: probe.CodeAuthRequired, Severity: probe.SeverityError, Guide: "code-530",
		Title: "The server wants a login before sending",
		When: []When{
			{Steps: atSend, Replies: []int{530}},
			{Steps: atSend, Enhanced: []string{"7.57"}},
			{Steps: atSend, Phrases: []string{"authentication required", "authentication is required", "not authenticated", "please authenticate", "must authenticate", "authenticate first", "auth required", "sender must authenticate", "requires authentication", "smtp auth required",
				"not logged in", "log in first", "login first", "authentication is needed", "need to authenticate"}},
			// "Relay access denied" without a login stays relay.denied (its
			// remediation starts with "authenticate"): the server's own words
			// name relaying, and that is what a user will search for.
			{Steps: atSend, Phrases: []string{"unauthenticated"}, If: func(f *Facts) bool { return !f.AuthAttempted }},
		},
		Summary: func(f *Facts) string {
			s := fmt.Sprintf("The server refused to take mail without a login: %s.", f.answered())
			switch {
			case !f.AuthAttempted:
				s += " No username was given, so no AUTH was attempted."
			case f.AuthSucceeded:
				s += " AUTH had succeeded, so the server did not tie it to this session (a proxy or connection pool in between?)."
			}
			return s
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Give the app a username and password (turn on \"My server requires authentication\" / \"SMTP authentication\"), and run the test with a username.",
				"Make sure the app authenticates on the same connection, after STARTTLS and before MAIL FROM (RFC 6409 §4.3).",
			}
		},
	},
	{
		Code: probe.CodeSenderRejected, Severity: probe.SeverityError, Guide: "senders-and-relay",
		Title: "The sender address was refused",
		When: []When{
			{Steps: atSend, Phrases: []string{"must match authenticated user", "not owned by", "sender address rejected", "sendasdenied", "send as", "sendas", "not verified", "identities failed", "unverified", "not allowed to send", "sender not allowed", "sender is not allowed", "from address", "sender verify failed", "sender address not allowed", "not authorized to send",
				"sending domain", "sender domain", "from domain", "domain not verified", "domain is not verified", "sending from domain", "from header", "permissions to send"}},
			{Steps: atSend, Phrases: []string{"unauthenticated senders"}, If: func(f *Facts) bool { return f.AuthAttempted }},
			{Steps: atMail, Enhanced: []string{"1.7", "1.8", "7.1"}},
			{Steps: atMail, Class: 5},
			// The end-of-data reply is read with the MAIL FROM rules when
			// it is about the sender: servers that check the From header
			// (or only decide once they have the message) refuse there.
			{Steps: []string{probe.StepData}, Class: 5, If: func(f *Facts) bool { return f.hasWord("sender", "from", "domain", "identity") }},
		},
		Summary: func(f *Facts) string {
			from := "this address"
			if a := f.R.Settings.From; a != "" {
				from = fmt.Sprintf("%q", plain(a, 200))
			}
			switch {
			case f.AuthSucceeded:
				return fmt.Sprintf("The login worked, but this account may not send as %s: %s.", from, f.answered())
			case !f.AuthAttempted:
				return fmt.Sprintf("The server refused the sender %s: %s. No login was tried (no username was given), and many servers accept a sender only from a logged-in account that owns it.", from, f.answered())
			}
			return fmt.Sprintf("The server refused the sender %s: %s.", from, f.answered())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Send from the account's own address, or from an alias or identity the provider lets this login use.",
				"To send as another address, have it added as an alias, a verified sender, or grant \"Send As\" permission to this account; then use exactly that address in MAIL FROM and the From header.",
			}
		},
	},
	{
		Code: probe.CodeRecipientRejected, Severity: probe.SeverityError, Guide: "senders-and-relay",
		Title: "The recipient address was refused",
		When: []When{
			{Steps: atRcpt, Enhanced: []string{"1.1", "1.2", "1.3", "1.10"}},
			{Steps: atRcpt, Phrases: []string{"user unknown", "unknown user", "does not exist", "no such user", "recipient address rejected", "mailbox unavailable", "invalid recipient", "recipient not found", "address rejected"}},
		},
		Summary: func(f *Facts) string {
			return fmt.Sprintf("The server does not accept mail for this recipient: %s. The login and sender were fine.", f.answered())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Check the recipient address for typos; the server says the mailbox does not exist or cannot receive.",
				"Test with another recipient you know works to confirm the rest of the setup.",
			}
		},
	},
	{
		Code: probe.CodeRelayDenied, Severity: probe.SeverityError, Guide: "senders-and-relay",
		Title: "Relaying denied",
		When: []When{
			{Steps: []string{probe.StepRcpt, probe.StepData}, Phrases: []string{"relay", "relaying"}},
			{Steps: atRcpt, Class: 5},
		},
		Summary: func(f *Facts) string {
			s := fmt.Sprintf("The server refused to pass mail on to this recipient: %s.", f.answered())
			if !f.AuthAttempted {
				s += " The session was not authenticated, and servers relay only for logged-in users or trusted networks."
			}
			return s
		},
		Steps: func(f *Facts) []string {
			s := []string{}
			if !f.AuthAttempted {
				s = append(s, "Authenticate first: give the app a username and password for this server.")
			}
			return append(s,
				"Use the submission port (587 or 465), not port 25: port 25 on most servers accepts mail only for their own domains.",
				"If you run the server: allow authenticated users to relay (Postfix: permit_sasl_authenticated in smtpd_relay_restrictions; Exchange: a receive connector for the sending device's IP).",
			)
		},
	},
	{
		Code: probe.CodeSMTPEHLORejected, Severity: probe.SeverityError, Guide: "causes",
		Title: "The server refused the EHLO greeting",
		When: []When{
			{Steps: atEHLO, Class: 4},
			{Steps: atEHLO, Class: 5},
		},
		Summary: func(f *Facts) string {
			return fmt.Sprintf("The server refused the client's EHLO %q: %s.", plain(helo(f), 120), f.answered())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Use a fully qualified domain name as the EHLO name (the sending machine's real host name, such as mail.example.com), never \"localhost\" or an unqualified name (smtpdoctor: --helo).",
				"If the name is fine, the server may block your IP address: check it on a blocklist and use the submission port 587 or 465.",
				f.escalate(f.who()),
			}
		},
	},
	{
		Code: probe.CodeSMTPUnexpectedReply, Severity: probe.SeverityError, Guide: "reply-codes",
		Title: "The server refused a command",
		When:  []When{{Class: 4}, {Class: 5}, {If: func(f *Facts) bool { return f.Reply != 0 }}},
		Summary: func(f *Facts) string {
			return fmt.Sprintf("The server refused a command: %s. smtpdoctor does not recognise this as a known cause; a %d reply is %s.", f.answered(), f.Reply, classWords(f.Reply))
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Read the server's own words above: they usually name the problem; the reply code's first digit says whether retrying can help (4) or not (5).",
				"Look up the enhanced status code (the x.y.z number) in the guide's reply code section.",
				f.escalate(f.who()),
			}
		},
	},

	// Codes the probe establishes itself.
	{
		Code: probe.CodeDNSNoSuchHost, Severity: probe.SeverityError, Guide: "dns", Title: "The server name does not exist",
		Summary: func(f *Facts) string {
			return words(fmt.Sprintf("The name %q does not exist in DNS (NXDOMAIN).", plain(f.R.Settings.Host, 255)), f.detail())
		},
		Steps: func(f *Facts) []string {
			s := []string{"Check the server name for typos; copy it from your provider's settings page."}
			if f.HasUserProvider && len(f.UserProvider.Submission) > 0 {
				s = append(s, "Your address is at "+f.UserProvider.Name+": its submission server is "+endpointWords(f.UserProvider)+".")
			}
			return append(s, "Use the submission host name (often smtp.<domain>), not the domain of your address or its web mail address.")
		},
	},
	{
		Code: probe.CodeDNSFailure, Severity: probe.SeverityError, Guide: "dns", Title: "DNS lookup failed",
		Summary: func(f *Facts) string {
			return words(fmt.Sprintf("Looking up %q failed: the resolver did not give an answer.", plain(f.R.Settings.Host, 255)), f.detail())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Check that this machine can resolve names at all (try: nslookup " + hostOr(f) + "); a broken or filtering DNS resolver gives this error.",
				"Try again in a minute; if it persists, use another resolver or ask your network administrator.",
			}
		},
	},
	{
		Code: probe.CodeNetRefused, Severity: probe.SeverityError, Guide: "firewall", Title: "Connection refused",
		Summary: func(f *Facts) string {
			return words("The server's address answered, but nothing listens on", f.target()+": the connection was refused.", f.detail())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Check the port: submission is 587 (STARTTLS) or 465 (implicit TLS); 25 is for server-to-server mail.",
				"Check the host name: you may be reaching a different machine than the mail server (a web server, an old IP).",
				"If you run the server: make sure the mail service is running and listening on that port and address (ss -ltnp).",
			}
		},
	},
	{
		Code: probe.CodeNetTimeout, Severity: probe.SeverityError, Guide: "firewall", Title: "Connection timed out: traffic is dropped",
		Summary: func(f *Facts) string {
			return words("Connecting to", f.target(), "timed out: no answer came back at all, which means a firewall or the network drops the traffic.", f.detail())
		},
		Steps: func(f *Facts) []string {
			s := []string{}
			if f.R.Settings.Port == 25 {
				s = append(s, "Use port 587 or 465 instead of 25: most ISPs and clouds (AWS, Google Cloud, Azure, many VPS hosts) block outgoing port 25.")
			} else {
				s = append(s, "Try the other submission port: 587 with STARTTLS, 465 with implicit TLS, or 2525 where the provider offers it.")
			}
			return append(s,
				"Check firewalls on this machine and network for outgoing traffic to that port (test with: nc -vz "+hostPort(f, " ")+", or Test-NetConnection "+hostPort(f, " -Port ")+" on Windows).",
				"If you run the server: check its firewall or cloud security group allows inbound traffic on that port.",
			)
		},
	},
	{
		Code: probe.CodeNetUnreachable, Severity: probe.SeverityError, Guide: "firewall", Title: "Network unreachable",
		Summary: func(f *Facts) string {
			return words("There is no route from this machine to", f.target()+".", f.detail())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Check this machine's network connection and routing; an IPv6-only or IPv4-only network cannot reach the other family.",
				"If the host has both IPv4 and IPv6 addresses, the other family may work; check the address list in this report.",
			}
		},
	},
	{
		Code: probe.CodeNetClosed, Severity: probe.SeverityError, Guide: "firewall", Title: "The server closed the connection",
		Summary: func(f *Facts) string {
			return words("The server closed the connection "+f.after()+", without a reply.", f.detail())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Check the security mode against the port: implicit TLS (465) versus plaintext with STARTTLS (587, 25); a mismatch often ends in a closed connection.",
				"A firewall, antivirus or \"mail shield\" that inspects SMTP can cut connections: test from another network.",
				f.escalate(f.who()),
			}
		},
	},
	{
		Code: probe.CodePolicyBlockedTarget, Severity: probe.SeverityError, Guide: "firewall", Title: "Blocked by this dashboard's policy",
		Summary: func(f *Facts) string {
			return words("smtpdoctor did not connect to", f.target()+", because its own target policy refuses this address or port. The mail server was not contacted, so this says nothing about it.", f.detail())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Use a public mail server and one of the ports 25, 465, 587 or 2525.",
				"Operators can widen the policy with serve --allow-targets and --allow-ports, or test internal servers with the command line (smtpdoctor probe HOST:PORT), to which the policy does not apply.",
			}
		},
	},
	{
		Code: probe.CodeSMTPNoGreeting, Severity: probe.SeverityError, Guide: "ports-and-tls", Title: "No SMTP greeting",
		Summary: func(f *Facts) string {
			return words("The connection to", f.target(), "opened, but the server never sent its 220 greeting.", f.detail())
		},
		Steps: func(f *Facts) []string {
			s := []string{}
			if f.R.Settings.Security != probe.SecurityTLS && f.R.Settings.Port == 465 {
				s = append(s, "Port 465 expects TLS from the first byte: choose implicit TLS (\"SSL/TLS\"), not STARTTLS or none.")
			}
			return append(s,
				"A server that greets slowly may be checking your IP address (DNS blocklists, greylisting): wait a minute and run the test again; from the command line, smtpdoctor probe --timeout 30s waits longer.",
				f.escalate(f.who()),
			)
		},
	},
	{
		Code: probe.CodeSMTPNotSMTP, Severity: probe.SeverityError, Guide: "ports-and-tls", Title: "Something other than SMTP answered",
		Summary: func(f *Facts) string {
			return words("The service at", f.target(), "is not an SMTP server.", f.detail())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Check the port: 587, 465 and 25 are mail; 80/443 are web, 22 is SSH, 993 and 143 are IMAP (for reading mail, not sending).",
				"Check the host name: use the provider's SMTP server, not its web or IMAP server.",
			}
		},
	},
	{
		Code: probe.CodeSMTPTimeout, Severity: probe.SeverityError, Guide: "firewall", Title: "The server stopped answering",
		Summary: func(f *Facts) string {
			return words("The server stopped answering "+f.after()+".", f.detail())
		},
		Steps: func(f *Facts) []string {
			s := []string{}
			if f.Step == probe.StepAuth {
				s = append(s, "Treat this as a possible refusal of the credentials: some providers stay silent instead of answering 535. Check the username and password (or app password) first.")
			}
			if f.Step == probe.StepStartTLS || f.Step == probe.StepTLS {
				s = append(s, "A firewall or antivirus that intercepts TLS can stall the handshake; test from another network.")
			}
			return append(s,
				"Try again: a busy server can stall; if it repeats at the same step, it is not chance.",
				f.escalate(f.who()),
			)
		},
	},
	{
		Code: probe.CodeSMTPBadReply, Severity: probe.SeverityError, Guide: "reply-codes", Title: "The server sent a malformed reply",
		Summary: func(f *Facts) string {
			return words("The server sent something that is not a valid SMTP reply "+f.after()+".", f.detail())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Check for a proxy, firewall or antivirus between you and the server that alters SMTP traffic; test from another network.",
				f.escalate(f.who()),
			}
		},
	},
	{
		Code: probe.CodeTLSStartTLSNotOffered, Severity: probe.SeverityError, Guide: "ports-and-tls", Title: "STARTTLS is not offered",
		Summary: func(f *Facts) string {
			return words("STARTTLS was asked for, but the server at", f.target(), "does not advertise it after EHLO.", f.detail())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"If this is port 465, use implicit TLS instead (\"SSL/TLS\").",
				"Something between you and the server may strip STARTTLS (some firewalls and antivirus \"SMTP inspection\" do): test from another network.",
				"If you run the server: enable STARTTLS with a certificate (Postfix: smtpd_tls_security_level = may or encrypt).",
				"Do not fall back to sending the password unencrypted.",
			}
		},
	},
	{
		Code: probe.CodeTLSImplicitOnPlainPort, Severity: probe.SeverityError, Guide: "ports-and-tls", Title: "Implicit TLS on a plaintext port",
		Summary: func(f *Facts) string {
			return words("The client started TLS right away, but the server at", f.target(), "speaks plaintext first and expects STARTTLS.", f.detail())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"On port 587 (or 25), choose STARTTLS (often labelled \"TLS\" or \"STARTTLS\"), not \"SSL/TLS\".",
				"Or keep implicit TLS and switch to port 465, if the server offers it.",
			}
		},
	},
	{
		Code: probe.CodeTLSPlainOnImplicitPort, Severity: probe.SeverityError, Guide: "ports-and-tls", Title: "Plaintext on an implicit-TLS port",
		Summary: func(f *Facts) string {
			return words("The server at", f.target(), "expects TLS from the first byte (implicit TLS, RFC 8314), but the client spoke plaintext or STARTTLS.", f.detail())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"On port 465, choose implicit TLS (often labelled \"SSL/TLS\" or \"SSL\").",
				"Or keep STARTTLS and switch to port 587.",
			}
		},
	},
	{
		Code: probe.CodeTLSHandshakeFailed, Severity: probe.SeverityError, Guide: "ports-and-tls", Title: "TLS handshake failed",
		Summary: func(f *Facts) string {
			return words("The TLS handshake with", f.target(), "failed.", f.detail())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Check the security mode against the port: implicit TLS on 465, STARTTLS on 587 and 25.",
				"If the error names versions or ciphers, the server only speaks old TLS or weak ciphers: its administrator must enable TLS 1.2 or 1.3 with modern ciphers.",
				"A firewall or antivirus that intercepts TLS can break the handshake: test from another network.",
				f.escalate(f.who()),
			}
		},
	},
	{
		Code: probe.CodeTLSCertUntrusted, Severity: probe.SeverityError, Guide: "certificates", Title: "Certificate not trusted",
		Summary: func(f *Facts) string {
			return words("The server's certificate is not signed by a trusted authority (self-signed, or an unknown or internal CA).", certWords(f, probe.CodeTLSCertUntrusted))
		},
		Steps: func(f *Facts) []string {
			return []string{
				"If you run the server: install a certificate from a public CA (Let's Encrypt is free) with the full chain, including intermediates.",
				"If the server uses your organisation's internal CA on purpose, trust that CA on the sending machine (smtpdoctor: --ca-file), rather than turning verification off.",
				"Never turn certificate checking off in the app: that lets anyone on the path read the password.",
			}
		},
	},
	{
		Code: probe.CodeTLSCertHostnameMismatch, Severity: probe.SeverityError, Guide: "certificates", Title: "Certificate is for another name",
		Summary: func(f *Facts) string {
			return words(fmt.Sprintf("The server's certificate does not name %q.", plain(f.R.Settings.Host, 255)), certWords(f, probe.CodeTLSCertHostnameMismatch))
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Connect using a name the certificate lists (see the certificate's names in this report), not an IP address or an alias.",
				"If you run the server: add this name to the certificate, or publish the name the certificate has.",
			}
		},
	},
	{
		Code: probe.CodeTLSCertExpired, Severity: probe.SeverityError, Guide: "certificates", Title: "Certificate expired or not yet valid",
		Summary: func(f *Facts) string {
			return words("The server's certificate is outside its validity dates.", certWords(f, probe.CodeTLSCertExpired))
		},
		Steps: func(f *Facts) []string {
			return []string{
				"If you run the server: renew the certificate and reload the mail service (an automatic renewal that does not reload Postfix, Exim or Dovecot is the classic cause).",
				"Check the clock of the sending machine: a wrong date makes valid certificates look expired or not yet valid.",
				f.escalate(f.who()),
			}
		},
	},
	{
		Code: probe.CodeProbeInterrupted, Severity: probe.SeverityError, Guide: "causes", Title: "The test was interrupted",
		Summary: func(f *Facts) string {
			return "smtpdoctor stopped before this test finished (the service restarted). Nothing can be concluded about the server from this attempt."
		},
		Steps: func(f *Facts) []string {
			return []string{"Run the test again."}
		},
	},
	{
		Code: probe.CodeProbeCancelled, Severity: probe.SeverityWarning, Guide: "causes", Title: "You cancelled the test",
		Summary: func(f *Facts) string {
			return words("The test was cancelled from the dashboard "+f.after()+", before it finished. The steps that completed are shown; nothing can be concluded about the rest.", f.detail())
		},
		Steps: func(f *Facts) []string {
			return []string{"Run the test again and let it finish; a server that is slow to answer is itself worth knowing about."}
		},
	},
	{
		Code: probe.CodeProbeSkipped, Severity: probe.SeverityWarning, Guide: "causes", Title: "Skipped: the dashboard was too busy to start this run in time",
		Summary: func(f *Facts) string {
			return "This monitor run waited for a free probe slot until the time it had to start by, and was dropped rather than run late: a late run would come too close to the next one. It never connected; nothing can be concluded about the server from it, and it raised no alert."
		},
		Steps: func(f *Facts) []string {
			return []string{
				"If this happens now and then (a burst of manual tests, a replica restarting), there is nothing to do: the next run comes at its usual time.",
				"If it happens often, the dashboard runs more monitors than it can probe at once: raise --max-probes, give the monitors longer intervals, or run another replica on the same PostgreSQL.",
			}
		},
	},
	{
		// A finding only: the session worked, over a cipher suite without
		// forward secrecy (RSA key exchange), which Go and modern clients
		// no longer offer by default.
		Code: probe.CodeTLSWeakCipher, Severity: probe.SeverityWarning, Guide: "ports-and-tls", Title: "The server chose an outdated cipher suite",
		Summary: func(f *Facts) string {
			return words("The server negotiated a cipher suite with RSA key exchange, which has no forward secrecy; current mail clients may refuse it.", f.detail())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"If you run the server, enable ECDHE cipher suites and TLS 1.2 or 1.3 (Postfix: tls_medium_cipherlist defaults are fine on current versions; Exchange: apply Microsoft's TLS hardening guidance).",
				"If a client fails to connect with a handshake error, this is the likely cause: update the server's TLS configuration rather than weakening the client.",
			}
		},
	},
	{
		// A finding, and the diagnosis when everything else worked: a
		// Microsoft 365 password login that works today.
		Code: probe.CodeAuthBasicAuthRetiring, Severity: probe.SeverityWarning, Guide: "microsoft-basic-auth",
		Title: "This Microsoft 365 password login stops working when Basic authentication is switched off",
		Summary: func(f *Facts) string {
			return words("The login with a password"+mechWords(f)+" to Microsoft 365 worked today.", basicAuthWords(f))
		},
		Steps: basicAuthSteps,
	},
	{
		Code: probe.CodeProbeError, Severity: probe.SeverityError, Guide: "causes", Title: "The test failed",
		Summary: func(f *Facts) string {
			return words("The test failed "+f.after()+".", f.detail())
		},
		Steps: func(f *Facts) []string {
			return []string{
				"Run the test again; if it repeats, the transcript below shows the last thing that happened.",
				f.escalate("the smtpdoctor operator"),
			}
		},
	},
	{
		Code: "ok", Severity: probe.SeverityInfo, Guide: "causes", Title: "Everything worked",
		Summary: func(f *Facts) string {
			var did []string
			if f.R.TLS != nil && f.R.TLS.Version != "" {
				did = append(did, "encrypted the connection with "+plain(f.R.TLS.Version, 20))
			}
			if f.AuthSucceeded {
				m := ""
				if f.Mech != "" {
					m = " with " + f.Mech
				}
				did = append(did, "logged in"+m)
			}
			if f.R.Settings.From != "" {
				did = append(did, "the server accepted the sender")
			}
			if f.R.Settings.To != "" {
				did = append(did, "the recipient")
			}
			if len(did) == 0 {
				return "The server answered correctly (" + f.target() + ")."
			}
			return "The server did everything asked (" + f.target() + "): " + joinAnd(did) + "."
		},
		Steps: func(f *Facts) []string {
			if f.R.Settings.Host == "" || f.R.Settings.Port == 0 {
				return []string{"Use the same settings in your app."}
			}
			return []string{"Use the same settings in your app: host " + plain(f.R.Settings.Host, 255) + ", port " + fmt.Sprint(f.R.Settings.Port) + ", security " + securityWords(f) + "."}
		},
	},
}

// hostPort is host and port for a shell command, joined by sep; HOST and
// PORT stand in for what is unknown.
func hostPort(f *Facts, sep string) string {
	h, p := hostOr(f), fmt.Sprint(f.R.Settings.Port)
	if f.R.Settings.Port == 0 {
		p = "587"
	}
	return h + sep + p
}

// hostOr is the host for a shell command, or HOST when unknown.
func hostOr(f *Facts) string {
	if h := plain(f.R.Settings.Host, 255); h != "" {
		return h
	}
	return "HOST"
}

func classWords(code int) string {
	switch code / 100 {
	case 4:
		return "a temporary failure: the same command may work later"
	case 5:
		return "a permanent failure: repeating the same command will not help"
	}
	return "not a failure code"
}

func helo(f *Facts) string {
	if f.R.Settings.HELO != "" {
		return f.R.Settings.HELO
	}
	return "(default)"
}

func offeredMechs(f *Facts) string {
	switch {
	case len(f.AuthAfterTLS) > 0:
		return "The server offers: " + plain(strings.Join(f.AuthAfterTLS, " "), 200) + "."
	case len(f.AuthBeforeTLS) > 0:
		return "The server offers: " + plain(strings.Join(f.AuthBeforeTLS, " "), 200) + "."
	}
	return ""
}

func oauthErrorWords(f *Facts) string {
	if f.R.Auth == nil || len(f.R.Auth.OAuthError) == 0 {
		return ""
	}
	var parts []string
	for _, k := range []string{"status", "schemes", "scope", "error"} {
		if v, ok := f.R.Auth.OAuthError[k]; ok {
			parts = append(parts, k+"="+plain(v, 120))
		}
	}
	return strings.Join(parts, ", ")
}

// certWords explains a certificate problem from the probe's facts.
func certWords(f *Facts, code probe.Code) string {
	var parts []string
	verifyErr := ""
	if f.R.TLS != nil && f.R.TLS.VerifyError != "" {
		verifyErr = f.R.TLS.VerifyError
		parts = append(parts, sentence(capitalize(plain(verifyErr, 300))))
	}
	for _, o := range f.R.Observations {
		// The probe's observation often repeats the verification error
		// word for word; say it once.
		if o.Code == code && o.Detail != "" && !strings.EqualFold(strings.TrimSpace(o.Detail), strings.TrimSpace(verifyErr)) {
			parts = append(parts, sentence(capitalize(plain(o.Detail, 300))))
			break
		}
	}
	if len(parts) == 0 {
		if d := f.detail(); d != "" {
			parts = append(parts, d)
		}
	}
	return strings.Join(parts, " ")
}

func securityWords(f *Facts) string {
	if f.R.TLS != nil && f.R.TLS.Mode == "implicit" {
		return "implicit TLS (SSL/TLS)"
	}
	if f.R.TLS != nil && f.R.TLS.Mode == "starttls" {
		return "STARTTLS"
	}
	if f.R.Settings.Security == "" {
		return "auto"
	}
	return string(f.R.Settings.Security)
}

// endpointWords lists a provider's submission endpoints for a sentence.
func endpointWords(p provider.Provider) string {
	var out []string
	for _, e := range p.Endpoints("") {
		mode := "STARTTLS"
		if e.Security == probe.SecurityTLS {
			mode = "implicit TLS"
		}
		out = append(out, fmt.Sprintf("%s port %d (%s)", e.Host, e.Port, mode))
		if len(out) == 2 {
			break
		}
	}
	return strings.Join(out, " or ")
}
