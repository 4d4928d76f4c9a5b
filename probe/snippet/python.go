package snippet

import (
	"github.com/smtpdoctor/smtpdoctor/probe"
)

// pythonSMTPLib writes a script for the standard library's smtplib:
// SMTP_SSL is implicit TLS, SMTP + starttls() is STARTTLS. login() tries
// the mechanisms the server offers; OAuth goes through SMTP.auth with the
// XOAUTH2 or OAUTHBEARER initial response (RFC 7628 §3.1).
func pythonSMTPLib(in Input) string {
	var t text
	t.line("# Run: %s=… python3 send.py   (the secret comes from the environment, never from this file)", in.secretEnv())
	t.line("import os")
	t.line("import smtplib")
	t.line("import ssl")
	t.line("import sys")
	t.line("from email.message import EmailMessage")
	t.line("")
	t.line("host, port = %s, %d", pyString(in.Host), in.Port)
	if in.Auth() {
		t.line("user = %s", pyString(in.User))
	}
	if in.Security != probe.SecurityNone {
		if in.CAFile != "" {
			t.line("context = ssl.create_default_context(cafile=%s)  # trust this CA", pyString(in.CAFile))
		} else {
			t.line("context = ssl.create_default_context()  # verifies the certificate and the host name")
		}
	}
	t.line("")
	t.line("msg = EmailMessage()")
	t.line("msg[\"From\"] = %s", pyString(in.sender()))
	t.line("msg[\"To\"] = %s", pyString(in.recipient()))
	t.line("msg[\"Subject\"] = %s", pyString(testSubject))
	t.line("msg.set_content(%s)", pyString(testBody))
	t.line("")
	t.line("try:")
	switch in.Security {
	case probe.SecurityTLS:
		t.line("    # SMTP_SSL: TLS from the first byte (the 465 way).")
		t.line("    with smtplib.SMTP_SSL(host, port, context=context, timeout=30) as s:")
	case probe.SecurityStartTLS:
		t.line("    # SMTP, then starttls(): plaintext first, then STARTTLS (the 587 way).")
		t.line("    with smtplib.SMTP(host, port, timeout=30) as s:")
		t.line("        s.starttls(context=context)")
	default:
		t.line("    # No TLS: this server was used in plaintext.")
		t.line("    with smtplib.SMTP(host, port, timeout=30) as s:")
	}
	if in.Auth() {
		switch in.Mech {
		case probe.MechXOAUTH2:
			t.line("        s.ehlo_or_helo_if_needed()  # auth() does not say EHLO itself, unlike login()")
			t.line("        token = os.environ[%s]", pyString(TokenEnv))
			t.line("        # XOAUTH2; on an error challenge the client answers with an empty line.")
			t.line("        s.auth(\"XOAUTH2\", lambda challenge=None: \"\" if challenge else f\"user={user}\\x01auth=Bearer {token}\\x01\\x01\")")
		case probe.MechOAUTHBEARER:
			t.line("        s.ehlo_or_helo_if_needed()  # auth() does not say EHLO itself, unlike login()")
			t.line("        token = os.environ[%s]", pyString(TokenEnv))
			t.line("        # OAUTHBEARER (RFC 7628); on an error challenge the client answers with an empty line.")
			t.line("        s.auth(\"OAUTHBEARER\", lambda challenge=None: \"\" if challenge else f\"n,a={user},\\x01auth=Bearer {token}\\x01\\x01\")")
		default:
			t.line("        s.login(user, os.environ[%s])", pyString(PasswordEnv))
		}
	}
	t.line("        s.send_message(msg)")
	t.line("except (smtplib.SMTPException, OSError) as e:")
	t.line("    sys.exit(f\"smtplib: {e}\")")
	t.line("print(\"sent\")")
	return t.String()
}

// django writes settings.py lines. EMAIL_USE_SSL is implicit TLS,
// EMAIL_USE_TLS is STARTTLS; Django refuses both at once.
func django(in Input) string {
	var t text
	t.line("# settings.py")
	t.line("import os")
	t.line("")
	if in.OAuth() {
		t.line("EMAIL_BACKEND = \"myproject.mail.OAuth2EmailBackend\"  # below: Django's backend logs in with passwords only")
	} else {
		t.line("EMAIL_BACKEND = \"django.core.mail.backends.smtp.EmailBackend\"")
	}
	t.line("EMAIL_HOST = %s", pyString(in.Host))
	t.line("EMAIL_PORT = %d", in.Port)
	switch in.Security {
	case probe.SecurityTLS:
		t.line("EMAIL_USE_SSL = True  # TLS from the first byte (the 465 way); not EMAIL_USE_TLS")
		t.line("EMAIL_USE_TLS = False")
	case probe.SecurityStartTLS:
		t.line("EMAIL_USE_TLS = True  # STARTTLS (the 587 way); not EMAIL_USE_SSL")
		t.line("EMAIL_USE_SSL = False")
	default:
		t.line("EMAIL_USE_TLS = False  # this server was used without TLS")
		t.line("EMAIL_USE_SSL = False")
	}
	if in.Auth() {
		t.line("EMAIL_HOST_USER = %s", pyString(in.User))
		if !in.OAuth() {
			t.line("EMAIL_HOST_PASSWORD = os.environ[%s]", pyString(PasswordEnv))
		}
	}
	t.line("DEFAULT_FROM_EMAIL = %s", pyString(in.sender()))
	t.line("EMAIL_TIMEOUT = 30")
	if in.Security != probe.SecurityNone {
		t.line("# Django 4.0 and later check the server's certificate; 3.2 and older do not check it at all.")
	}
	if in.CAFile != "" {
		t.line("# To trust the CA in %s, start Django with SSL_CERT_FILE pointing at it.", in.CAFile)
	}
	if in.OAuth() {
		mech, resp := "XOAUTH2", `f"user={user}\x01auth=Bearer {token}\x01\x01"`
		if in.Mech == probe.MechOAUTHBEARER {
			mech, resp = "OAUTHBEARER", `f"n,a={user},\x01auth=Bearer {token}\x01\x01"`
		}
		t.line("")
		t.line("# myproject/mail.py")
		t.line("import os")
		t.line("from django.core.mail.backends.smtp import EmailBackend")
		t.line("")
		t.line("class OAuth2EmailBackend(EmailBackend):")
		t.line("    def open(self):")
		t.line("        user, self.username = self.username, \"\"  # keeps Django from calling login()")
		t.line("        try:")
		t.line("            opened = super().open()")
		t.line("        finally:")
		t.line("            self.username = user")
		t.line("        if opened:")
		t.line("            self.connection.ehlo_or_helo_if_needed()")
		t.line("            token = os.environ[%s]", pyString(TokenEnv))
		t.line("            self.connection.auth(%s, lambda challenge=None: \"\" if challenge else %s)", pyString(mech), resp)
		t.line("        return opened")
	}
	return t.String()
}
