package diagnosis

import (
	"slices"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// GuideSection is one section of the /guide page on SMTP authentication
// errors. Diagnoses link to sections as "/guide#" + ID.
type GuideSection struct {
	ID         string
	Title      string
	Paragraphs []string
	// List, when set, follows the paragraphs as a bulleted list.
	List []string
	// Links are further reading: RFCs and providers' own pages.
	Links []probe.Link
	// Codes are the diagnosis codes this section explains.
	Codes []probe.Code
}

// Guide returns the guide's sections in reading order. The slice is a
// copy.
func Guide() []GuideSection {
	out := slices.Clone(guide)
	for i := range out {
		out[i].Codes = codesFor(out[i].ID)
	}
	return out
}

func codesFor(id string) []probe.Code {
	var codes []probe.Code
	for _, r := range rules {
		if r.Guide == id {
			codes = append(codes, r.Code)
		}
	}
	return codes
}

var guide = []GuideSection{
	{
		ID:    "causes",
		Title: "Why SMTP authentication fails",
		Paragraphs: []string{
			"An app that sends mail walks a short conversation with the server: it connects, reads the greeting, introduces itself with EHLO, switches on encryption (STARTTLS, or TLS from the first byte on port 465), logs in with AUTH, and then names the sender (MAIL FROM) and the recipients (RCPT TO). An \"authentication error\" in an app can come from any of these steps, and most of them have nothing to do with the password.",
			"The server says what is wrong in its reply: a three-digit code, often an enhanced status code such as 5.7.8, and a line of text. Apps tend to hide this behind a generic message. smtpdoctor records the whole conversation and reads the reply for you; the step where it failed and the server's own words are the two most useful facts when asking anyone for help.",
		},
		List: []string{
			"The wrong port or security mode: implicit TLS spoken to port 587, or plaintext to port 465.",
			"No encryption yet: most servers offer AUTH only after STARTTLS.",
			"The account password used where the provider needs an app password or OAuth.",
			"SMTP AUTH switched off for the account, mailbox or whole organisation.",
			"A wrong username: most providers want the full email address; some sending services want a fixed word such as apikey.",
			"A stray space copied with the password.",
			"A firewall or ISP blocking the port (port 25 above all).",
			"The provider's own authentication back end failing, or a rate limit after too many attempts.",
			"A login that works, but a sender address the account may not use.",
		},
	},
	{
		ID:    "reply-codes",
		Title: "Reading SMTP reply codes",
		Paragraphs: []string{
			"Every SMTP reply starts with three digits (RFC 5321 §4.2). The first digit is what matters most: 2 means success, 3 means \"go on\" (the server waits for more, as with 334 during AUTH), 4 is a temporary failure (the same thing may work later, so apps retry) and 5 is a permanent failure (repeating it will not help until something changes).",
			"Many servers add an enhanced status code after the reply code (RFC 3463): class.subject.detail, such as 5.7.8. The class repeats the first digit; subject 7 is security and policy, 5 is protocol, 1 is addresses. Enhanced codes are more precise than reply codes and more stable across servers, so smtpdoctor reads both, together with key words of the text and the step where the reply came.",
			"Servers disagree on details: Postfix answers 504 where RFC 4954 says 538, go-smtp answers 502 where 530 is meant, and Gmail reuses 5.7.9 (\"mechanism too weak\" in the RFC) for \"application-specific password required\". Read the whole reply, all lines: the meaning is often in the first line and a link in the last.",
		},
		Links: []probe.Link{
			{Title: "RFC 5321: SMTP", URL: "https://www.rfc-editor.org/rfc/rfc5321#section-4.2"},
			{Title: "RFC 3463: enhanced status codes", URL: "https://www.rfc-editor.org/rfc/rfc3463"},
			{Title: "RFC 4954: SMTP AUTH", URL: "https://www.rfc-editor.org/rfc/rfc4954#section-6"},
		},
	},
	{
		ID:    "code-530",
		Title: "530: authentication or encryption required",
		Paragraphs: []string{
			"530 5.7.0 \"Authentication required\" means the server will not accept MAIL FROM from a client that has not logged in (RFC 4954, RFC 6409 §4.3). The fix is to turn on authentication in the app (\"My server requires authentication\") with a username and password, on the same connection, before sending.",
			"530 5.7.0 \"Must issue a STARTTLS command first\" is different: the server wants the connection encrypted before anything else (RFC 3207). Turn on STARTTLS on port 587, or use implicit TLS on port 465. Microsoft 365 says \"530 5.7.57 Client not authenticated to send mail\"; go-smtp says \"502 5.7.0 Please authenticate first\"; both mean log in first.",
		},
	},
	{
		ID:    "code-534",
		Title: "534: mechanism too weak, or app password required",
		Paragraphs: []string{
			"RFC 4954 defines 534 5.7.9 as \"authentication mechanism is too weak\": the server wants a stronger mechanism, or the same one over TLS. In practice the best-known 534 comes from Gmail: \"534-5.7.9 Application-specific password required\" when the account has 2-Step Verification, and \"534-5.7.14 Please log in via your web browser\" when Google wants the owner to confirm a sign-in from a new place.",
			"For the first, create an app password and use it instead of the account password. For the second, sign in to the account in a browser on the same network as the app and confirm the security alert, then retry; for lasting access use an app password or OAuth.",
		},
	},
	{
		ID:    "code-535",
		Title: "535: credentials rejected",
		Paragraphs: []string{
			"535 5.7.8 \"Authentication credentials invalid\" (RFC 4954) is the classic \"wrong username or password\". Every server has its own words: \"Username and Password not accepted\" (Gmail), \"Authentication unsuccessful\" (Microsoft 365), \"Incorrect authentication data\" (Exim), \"Authentication failed\" (Postfix, OpenSMTPD, go-smtp), \"Authentication Credentials Invalid\" (Amazon SES), \"Bad username / password\" (SendGrid).",
			"Before changing the password, check the username (most providers want the full address; SendGrid wants the literal word apikey; Amazon SES wants SES SMTP credentials, not IAM keys), look for a stray space, and check whether the provider needs an app password. Microsoft 365 uses 535 5.7.139 and 5.7.3 also when SMTP AUTH is turned off for the mailbox or Basic authentication is disabled: the text after the code says which.",
			"Some servers use 535 when their own password back end failed (Postfix \"authentication failed: generic failure\" means its SASL service is down). smtpdoctor separates these by the words; do not reset a password for a back-end failure.",
		},
	},
	{
		ID:    "code-538",
		Title: "538: encryption required for this mechanism",
		Paragraphs: []string{
			"538 5.7.11 (RFC 4954) means the server refuses this authentication mechanism on an unencrypted connection: PLAIN and LOGIN send the password almost in clear text, so servers allow them only over TLS. Other servers say the same with 530 \"Must issue a STARTTLS command first\", 523 5.7.10 \"TLS is required\" (go-smtp), 504 (Postfix, Microsoft) or by simply not listing AUTH until STARTTLS has run.",
			"Turn on STARTTLS (port 587) or implicit TLS (port 465). After STARTTLS the app must send EHLO again (RFC 3207 §4.2); the AUTH mechanisms appear only in that second EHLO reply.",
		},
	},
	{
		ID:    "code-454",
		Title: "454 and 435: temporary authentication failure",
		Paragraphs: []string{
			"454 4.7.0 \"Temporary authentication failure\" (RFC 4954 §6) means the server could not check the credentials right now: its password database, LDAP directory or authentication service did not answer. It says nothing about the password, so do not reset it. Some servers use 435 for the same thing.",
			"Wait and retry. If you run the server, check its authentication service (Dovecot's auth socket, saslauthd, the directory) and the mail log. 454 at STARTTLS is something else: \"TLS not available due to temporary reason\" (RFC 3207), a broken certificate setup on the server. And 454 \"Throttling failure\" from Amazon SES is a rate limit.",
		},
	},
	{
		ID:    "code-421",
		Title: "421: service not available, closing",
		Paragraphs: []string{
			"421 (RFC 5321 §3.8) means the server is closing the connection: it is busy, shutting down, or does not want this client right now. It can come at the greeting, after EHLO, or at any step, and it is temporary by definition.",
			"Common reasons are too many connections or failed logins (Postfix \"421 4.7.0 Error: too many errors\"), an EHLO name such as localhost (Gmail \"421-4.7.0 Try again later, closing connection. (EHLO)\"), a poor reputation of the sending IP address, or an old TLS version (Microsoft \"421 4.7.66 TLS 1.0 and 1.1 are not supported\"). Stop retrying for a while, fix the EHLO name, find the app that keeps retrying with a wrong password, and check your IP address on blocklists.",
		},
	},
	{
		ID:    "ports-and-tls",
		Title: "Ports and TLS modes",
		Paragraphs: []string{
			"Port 587 is for mail submission (RFC 6409): the connection starts in plaintext and the app upgrades it with STARTTLS before logging in. Apps often label this \"STARTTLS\" or just \"TLS\".",
			"Port 465 is submission with implicit TLS (RFC 8314): TLS starts with the first byte, before the greeting. Apps label this \"SSL/TLS\" or \"SSL\". RFC 8314 recommends it; many providers offer both 465 and 587.",
			"Port 25 is for server-to-server delivery. It usually offers no AUTH, and many ISPs and clouds block outgoing connections to it. Port 2525 is an unofficial alternative some sending services offer when 587 is blocked.",
			"Mixing them up gives confusing errors: implicit TLS spoken to 587 fails with \"wrong version number\" or \"first record does not look like a TLS handshake\" (the plaintext greeting read as TLS); plaintext spoken to 465 waits for a greeting that never comes. Servers must speak TLS 1.2 or newer; TLS 1.0 and 1.1 are deprecated (RFC 8996).",
		},
		Links: []probe.Link{
			{Title: "RFC 8314: implicit TLS for submission", URL: "https://www.rfc-editor.org/rfc/rfc8314"},
			{Title: "RFC 3207: STARTTLS", URL: "https://www.rfc-editor.org/rfc/rfc3207"},
			{Title: "RFC 6409: message submission", URL: "https://www.rfc-editor.org/rfc/rfc6409"},
		},
	},
	{
		ID:    "certificates",
		Title: "Certificate problems",
		Paragraphs: []string{
			"A mail app must check the server's certificate (RFC 8314 §4.1): it must be signed by a trusted authority, name the host the app connects to, and be within its dates. Otherwise anyone on the path could pose as the server and collect the password.",
			"Self-signed or unknown CA: install a certificate from a public CA (Let's Encrypt is free) with its intermediate certificates, or trust your organisation's internal CA on the sending machine. Wrong name: connect with a name the certificate lists, not an IP address or an alias. Expired: renew it and reload the mail service. Never fix these by turning verification off in the app.",
		},
	},
	{
		ID:    "app-passwords",
		Title: "App passwords",
		Paragraphs: []string{
			"Providers with two-step verification do not let mail apps use the account password, because the app cannot ask for the second factor. Instead they offer app passwords (app-specific passwords): long random passwords created in the account's security settings, used by one app only, and revocable. They usually need two-step verification to be on.",
			"App passwords are shown in groups of four letters for readability; type them without the spaces. If no app password option exists, two-step verification is off, an administrator has disabled app passwords, or the provider has moved to OAuth only.",
		},
		Links: []probe.Link{
			{Title: "Google: sign in with app passwords", URL: "https://support.google.com/mail/answer/185833"},
			{Title: "Apple: app-specific passwords", URL: "https://support.apple.com/en-us/102654"},
			{Title: "Yahoo: app passwords", URL: "https://help.yahoo.com/kb/SLN15241.html"},
			{Title: "Fastmail: app passwords", URL: "https://www.fastmail.help/hc/en-us/articles/360058752854-App-passwords"},
		},
	},
	{
		ID:    "oauth",
		Title: "OAuth 2.0 (XOAUTH2 and OAUTHBEARER)",
		Paragraphs: []string{
			"With OAuth the app does not hold a password: it signs in once through the provider's web page and gets short-lived access tokens, which it sends with AUTH XOAUTH2 (Google and Microsoft) or OAUTHBEARER (RFC 7628). Providers that turn off passwords for SMTP expect this.",
			"When a token is refused, the server often sends a JSON error first (RFC 7628 §3.2.2), such as {\"status\":\"400\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}. The usual causes: the token expired (they last about an hour; the app must refresh it), it was issued for the wrong scope (Gmail needs https://mail.google.com/; Microsoft 365 needs https://outlook.office.com/SMTP.Send, not a Microsoft Graph token), or the user named in XOAUTH2 is not the account the token belongs to.",
		},
		Links: []probe.Link{
			{Title: "Google: XOAUTH2 protocol", URL: "https://developers.google.com/gmail/imap/xoauth2-protocol"},
			{Title: "Microsoft: OAuth for IMAP, POP and SMTP", URL: "https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth"},
			{Title: "RFC 7628: OAUTHBEARER", URL: "https://www.rfc-editor.org/rfc/rfc7628"},
		},
	},
	{
		ID:    "policy",
		Title: "When SMTP AUTH is switched off",
		Paragraphs: []string{
			"Organisations can turn password-based SMTP off for a mailbox or for everyone. Then every password looks wrong, even the right one. Microsoft 365 says so plainly: \"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant\" (or \"for the Mailbox\"), \"basic authentication is disabled\", or \"user is locked by your organization's security defaults policy\".",
			"An administrator can enable Authenticated SMTP for the one mailbox that needs it (Microsoft 365 admin center → Users → Active users → Mail → Manage email apps), but Microsoft is retiring Basic authentication for SMTP AUTH; the lasting fix is OAuth (XOAUTH2) or a sending API. Security defaults block all legacy authentication; use OAuth rather than switching them off.",
		},
		Links: []probe.Link{
			{Title: "Microsoft: enable or disable SMTP AUTH", URL: "https://aka.ms/smtp_auth_disabled"},
			{Title: "Microsoft: security defaults", URL: "https://learn.microsoft.com/en-us/entra/fundamentals/security-defaults"},
		},
	},
	{
		ID:    "microsoft-basic-auth",
		Title: "Microsoft 365: the end of password logins for SMTP",
		Paragraphs: []string{
			"Microsoft is retiring Basic authentication (a username and a password, app passwords included) for SMTP AUTH Client Submission, the smtp.office365.com endpoint that apps, printers and scanners use. smtpdoctor warns on every password login to Microsoft 365 that works today (auth.basic_auth_retiring), because it stops working on this schedule unless an administrator acts.",
			"What to move to: OAuth 2.0 with AUTH XOAUTH2 and the SMTP.Send permission (delegated, for one mailbox) or SMTP.SendAsApp (app-only, with the app's service principal registered in Exchange Online); or, for apps that cannot do OAuth, Microsoft Graph's sendMail, High Volume Email for internal mail, a connector that accepts the device's IP address, or another relay service. The SMTP AUTH clients submission report in the Exchange admin center lists what still logs in with Basic authentication.",
			"The schedule below is as Microsoft published it (Message center MC786329, updated 27 January 2026).",
		},
		List: []string{
			"Until December 2026: no change; password logins keep working where SMTP AUTH is enabled.",
			"End of December 2026: Basic authentication for SMTP AUTH is disabled by default for existing tenants. Administrators can still turn it back on.",
			"Tenants created after December 2026: Basic authentication for SMTP AUTH is unavailable by default; OAuth is the supported method.",
			"Second half of 2027: Microsoft announces the date Basic authentication for SMTP AUTH is removed for good. After that, password logins get \"550 5.7.30 Basic authentication is not supported for Client Submission\".",
			"Earlier dates (September 2025, then 1 March to 30 April 2026) were announced and withdrawn; the January 2026 update replaced them.",
		},
		Links: []probe.Link{
			{Title: "Microsoft: Exchange Online to retire Basic auth for Client Submission (SMTP AUTH)", URL: msRetireURL},
			{Title: "Microsoft: authenticate an SMTP connection with OAuth", URL: msOAuthURL},
			{Title: "Microsoft: High Volume Email", URL: msHVEURL},
			{Title: "Microsoft Graph: sendMail", URL: msGraphSendURL},
			{Title: "Microsoft: options for devices and applications that send mail", URL: msDeviceURL},
		},
	},
	{
		ID:    "senders-and-relay",
		Title: "Sender and recipient refusals",
		Paragraphs: []string{
			"A successful login does not mean the account may send as any address. Servers check MAIL FROM against the login: Microsoft 365 needs \"Send As\" permission, Gmail needs the address under \"Send mail as\", sending services need a verified sender or domain (Amazon SES also in the sandbox for recipients), Postfix and mox answer \"must match authenticated user\" or \"Sender address rejected\".",
			"At RCPT TO, \"Relay access denied\" or \"Unable to relay\" means the server will not pass mail on to other domains for this client: log in first, and use the submission port (587 or 465), not port 25.",
		},
	},
	{
		ID:    "firewall",
		Title: "Firewalls and network checks",
		Paragraphs: []string{
			"A connection that times out means something drops the packets: a firewall on this machine, the network's, the ISP's or the cloud provider's (AWS, Google Cloud and Azure block outgoing port 25 by default, as do many home ISPs). A refused connection is different: the host answered, but nothing listens on that port.",
			"Test from the machine that sends: nc -vz HOST 587 (Linux, macOS) or Test-NetConnection HOST -Port 587 (Windows PowerShell). If 587 is blocked, try 465 or 2525. Antivirus \"mail shields\" and corporate proxies that inspect SMTP can also strip STARTTLS or break TLS; a test from another network tells.",
			"A server that stays silent in the middle of a step is a different case: some providers do not answer a refused login at all, to slow down password guessing.",
		},
	},
	{
		ID:    "interception",
		Title: "When another server answers",
		Paragraphs: []string{
			"Some hosting providers, and some company and hotel networks, redirect every outgoing SMTP connection to their own mail server. The app asked for smtp.gmail.com, but an Exim server of the hosting company answers with its own greeting and certificate. Every error that follows, a refused password above all, comes from that server, not from the provider the app meant.",
			"smtpdoctor compares the host you typed with the names the server gives itself (greeting, EHLO, certificate). Ways around it: another port (465 is redirected least often), the hosting provider's own relay, or asking the hosting provider to let the traffic through. Never send the provider's password to the server that answered.",
		},
	},
	{
		ID:    "dns",
		Title: "Server names and DNS",
		Paragraphs: []string{
			"The SMTP server's name is usually not your address's domain: it is a host such as smtp.gmail.com, smtp.office365.com or email-smtp.us-east-1.amazonaws.com. Copy it from the provider's settings page. \"No such host\" means the name does not exist (a typo, or a name that was never published); a DNS failure means this machine's resolver did not answer.",
		},
	},
	{
		ID:    "contact-provider",
		Title: "When to contact your provider, and what to send",
		Paragraphs: []string{
			"Contact the provider (or the server's administrator) when the server itself is at fault: a temporary authentication failure that lasts, a 421 that does not lift, a STARTTLS or certificate failure on their side, or a policy you cannot change yourself. Do not start there for a wrong username, a missing app password or the wrong port: those are fixed on your side.",
			"Send them what lets them find your attempt in their logs: the permalink of the smtpdoctor report, the server's reply line exactly as quoted, the time of the attempt (with time zone), the server address it connected to, and your public IP address. Never send your password.",
		},
	},
}
