package snippet

import (
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// postfixRelay writes the postconf lines and the sasl_passwd file for
// Postfix sending through this server (a smarthost). Postfix's words:
// smtp_tls_wrappermode = yes is implicit TLS (465); security level
// "secure" insists on TLS and checks the certificate against the relay's
// name; "none" never uses TLS.
func postfixRelay(in Input) string {
	var t text
	next := "[" + in.Host + "]:" + port(in.Port)
	t.line("# Run as root. Brackets around the host: use it as given, no MX lookup.")
	t.line("postconf -e %s", shQuote("relayhost = "+next))
	switch in.Security {
	case probe.SecurityTLS:
		t.line("postconf -e 'smtp_tls_wrappermode = yes'      # TLS from the first byte (the 465 way)")
		t.line("postconf -e 'smtp_tls_security_level = secure' # and verify the certificate")
	case probe.SecurityStartTLS:
		t.line("postconf -e 'smtp_tls_security_level = secure' # STARTTLS or no delivery, certificate verified (the 587 way)")
	default:
		t.line("postconf -e 'smtp_tls_security_level = none'   # this server was used without TLS")
	}
	if in.Security != probe.SecurityNone {
		ca := in.CAFile
		if ca == "" {
			ca = "/etc/ssl/certs/ca-certificates.crt"
		}
		t.line("postconf -e %s", shQuote("smtp_tls_CAfile = "+ca))
	}
	if in.Auth() {
		t.line("postconf -e 'smtp_sasl_auth_enable = yes'")
		t.line("postconf -e 'smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd'")
		t.line("postconf -e 'smtp_sasl_security_options = noanonymous'")
		t.line("postconf -e 'smtp_sasl_tls_security_options = noanonymous'")
		if in.OAuth() {
			t.line("# OAuth: Cyrus SASL needs the sasl-xoauth2 plugin, which fetches and refreshes the")
			t.line("# token itself; sasl_passwd then names the plugin's token file instead of a password.")
			t.line("postconf -e 'smtp_sasl_mechanism_filter = xoauth2'")
		} else {
			if m := in.mechUpper(); m != "" {
				t.line("postconf -e %s # the mechanism that worked", shQuote("smtp_sasl_mechanism_filter = "+strings.ToLower(m)))
			}
			t.line("")
			t.line("# The password file, written from the environment and readable by root only.")
			t.line("(umask 077; printf '%%s %%s:%%s\\n' %s %s \"$%s\" > /etc/postfix/sasl_passwd)", shQuote(next), shQuote(in.User), PasswordEnv)
			t.line("postmap /etc/postfix/sasl_passwd")
		}
	}
	t.line("postfix reload")
	return t.String()
}

// msmtp writes an account for ~/.msmtprc. msmtp's words: tls on with
// tls_starttls off is implicit TLS; tls_starttls on is STARTTLS; the
// password comes from passwordeval, a command whose output is the secret.
func msmtp(in Input) string {
	var t text
	t.line("# ~/.msmtprc (chmod 600). Send with: msmtp -a smtpdoctor %s < message.txt", shQuote(in.recipient()))
	t.line("account smtpdoctor")
	t.line("host %s", in.Host)
	t.line("port %d", in.Port)
	switch in.Security {
	case probe.SecurityTLS:
		t.line("# TLS from the first byte (the 465 way)")
		t.line("tls on")
		t.line("tls_starttls off")
	case probe.SecurityStartTLS:
		t.line("# plaintext first, then STARTTLS (the 587 way)")
		t.line("tls on")
		t.line("tls_starttls on")
	default:
		t.line("# this server was used without TLS")
		t.line("tls off")
	}
	if in.CAFile != "" && in.Security != probe.SecurityNone {
		t.line("tls_trust_file %s", dqConfig(in.CAFile))
	}
	if in.Auth() {
		if m := in.mechUpper(); m != "" {
			t.line("auth %s", strings.ToLower(m))
		} else {
			t.line("auth on")
		}
		t.line("user %s", dqConfig(in.User))
		if in.OAuth() {
			t.line("# the access token: any command that prints it (a token helper, say) will do")
		}
		t.line("passwordeval \"printenv %s\"", in.secretEnv())
	} else {
		t.line("auth off")
	}
	t.line("from %s", dqConfig(in.sender()))
	t.line("timeout 30")
	return t.String()
}

// securityWords are the names mail programs show for the three modes.
func securityWords(s probe.Security, tls, starttls, none string) string {
	switch s {
	case probe.SecurityTLS:
		return tls
	case probe.SecurityStartTLS:
		return starttls
	}
	return none
}

// thunderbird is the manual outgoing-server setup in Thunderbird's words.
func thunderbird(in Input) string {
	var t text
	t.line("Thunderbird: Account Settings → Outgoing Server (SMTP) → Add… (or Edit…)")
	t.line("")
	t.line("Server Name:            %s", in.Host)
	t.line("Port:                   %d", in.Port)
	t.line("Connection security:    %s", securityWords(in.Security, "SSL/TLS", "STARTTLS", "None"))
	auth := "No authentication"
	if in.Auth() {
		switch in.Mech {
		case probe.MechXOAUTH2, probe.MechOAUTHBEARER:
			auth = "OAuth2"
		case probe.MechCRAMMD5:
			auth = "Encrypted password"
		default:
			auth = "Normal password"
		}
	}
	t.line("Authentication method:  %s", auth)
	if in.Auth() {
		t.line("User Name:              %s", in.User)
		if in.OAuth() {
			t.line("")
			t.line("Thunderbird asks you to sign in in a browser window; it offers OAuth2 only for")
			t.line("providers it knows (Gmail, Microsoft 365, Outlook.com, Yahoo, and a few others).")
		} else {
			t.line("")
			t.line("Thunderbird asks for the password when it first sends and keeps it in its password manager.")
		}
	}
	return t.String()
}

// outlook is the manual setup in Outlook's (classic, Windows) words.
func outlook(in Input) string {
	var t text
	t.line("Outlook (classic): File → Account Settings → Account Settings… → the account → Change… → More Settings…")
	t.line("")
	t.line("Outgoing mail server (SMTP):  %s", in.Host)
	if in.Auth() {
		t.line("Outgoing Server tab:          \"My outgoing server (SMTP) requires authentication\" ticked,")
		t.line("                              \"Log on using\" User Name: %s", in.User)
	} else {
		t.line("Outgoing Server tab:          \"My outgoing server (SMTP) requires authentication\" not ticked")
	}
	t.line("Advanced tab:                 Outgoing server (SMTP): %d", in.Port)
	t.line("                              Use the following type of encrypted connection: %s",
		securityWords(in.Security, "SSL/TLS", "STARTTLS", "None"))
	if in.OAuth() {
		t.line("")
		t.line("OAuth: Outlook signs in with OAuth only for accounts it adds as Microsoft 365, Outlook.com")
		t.line("or Gmail (File → Add Account); it has no OAuth setting for other SMTP servers.")
	}
	return t.String()
}
