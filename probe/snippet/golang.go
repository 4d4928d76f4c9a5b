package snippet

import (
	"github.com/smtpdoctor/smtpdoctor/probe"
)

// usesCAFile says whether the snippet loads the CA file: only when it
// speaks TLS at all.
func (in Input) usesCAFile() bool { return in.CAFile != "" && in.Security != probe.SecurityNone }

// goTLSConfig writes the tls.Config lines both Go snippets share.
func goTLSConfig(t *text, in Input, indent string) {
	if in.CAFile != "" {
		t.line("%spem, err := os.ReadFile(%s)", indent, goString(in.CAFile))
		t.line("%sif err != nil {", indent)
		t.line("%s\tlog.Fatalf(\"read CA file: %%v\", err)", indent)
		t.line("%s}", indent)
		t.line("%sroots := x509.NewCertPool()", indent)
		t.line("%sif !roots.AppendCertsFromPEM(pem) {", indent)
		t.line("%s\tlog.Fatal(\"no certificate in the CA file\")", indent)
		t.line("%s}", indent)
		t.line("%stlsConfig := &tls.Config{ServerName: host, RootCAs: roots, MinVersion: tls.VersionTLS12}", indent)
		return
	}
	t.line("%stlsConfig := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}", indent)
}

// goNetSMTP writes a program for the standard library's net/smtp, which
// has no LOGIN or XOAUTH2 of its own: those are small smtp.Auth types
// below. net/smtp's PlainAuth refuses to send a password without TLS
// except to localhost.
func goNetSMTP(in Input) string {
	var t text
	t.line("// Run: %s=… go run .   (the secret comes from the environment, never from this file)", in.secretEnv())
	t.line("package main")
	t.line("")
	t.line("import (")
	if in.Security != probe.SecurityNone {
		t.line("\t\"crypto/tls\"")
	}
	if in.usesCAFile() {
		t.line("\t\"crypto/x509\"")
	}
	if in.Auth() && in.Mech == probe.MechLogin {
		t.line("\t\"errors\"")
	}
	t.line("\t\"fmt\"")
	t.line("\t\"log\"")
	t.line("\t\"net\"")
	t.line("\t\"net/smtp\"")
	if in.Auth() || in.usesCAFile() {
		t.line("\t\"os\"")
	}
	t.line("\t\"time\"")
	t.line(")")
	t.line("")
	t.line("func main() {")
	t.line("\thost, port := %s, %s", goString(in.Host), goString(port(in.Port)))
	t.line("\tfrom, to := %s, %s", goString(in.sender()), goString(in.recipient()))
	if in.Security != probe.SecurityNone {
		goTLSConfig(&t, in, "\t")
	}
	t.line("\tdialer := &net.Dialer{Timeout: 30 * time.Second}")
	t.line("")
	switch in.Security {
	case probe.SecurityTLS:
		t.line("\t// TLS from the first byte (the 465 way).")
		t.line("\tconn, err := tls.DialWithDialer(dialer, \"tcp\", net.JoinHostPort(host, port), tlsConfig)")
	default:
		t.line("\tconn, err := dialer.Dial(\"tcp\", net.JoinHostPort(host, port))")
	}
	t.line("\tif err != nil {")
	t.line("\t\tlog.Fatalf(\"connect: %%v\", err)")
	t.line("\t}")
	t.line("\tconn.SetDeadline(time.Now().Add(time.Minute))")
	t.line("\tc, err := smtp.NewClient(conn, host)")
	t.line("\tif err != nil {")
	t.line("\t\tlog.Fatalf(\"greeting: %%v\", err)")
	t.line("\t}")
	t.line("\tdefer c.Close()")
	if in.Security == probe.SecurityStartTLS {
		t.line("\t// Plaintext first, then STARTTLS (the 587 way).")
		t.line("\tif err := c.StartTLS(tlsConfig); err != nil {")
		t.line("\t\tlog.Fatalf(\"STARTTLS: %%v\", err)")
		t.line("\t}")
	}
	if in.Auth() {
		switch in.Mech {
		case probe.MechXOAUTH2, probe.MechOAUTHBEARER:
			t.line("\tauth := oauthAuth{mech: %s, user: %s, token: os.Getenv(%s)}", goString(in.mechUpper()), goString(in.User), goString(TokenEnv))
		case probe.MechLogin:
			t.line("\tauth := loginAuth{user: %s, password: os.Getenv(%s)}", goString(in.User), goString(PasswordEnv))
		case probe.MechCRAMMD5:
			t.line("\tauth := smtp.CRAMMD5Auth(%s, os.Getenv(%s))", goString(in.User), goString(PasswordEnv))
		default:
			if in.Security == probe.SecurityNone {
				t.line("\t// PlainAuth refuses to send the password without TLS unless the host is localhost.")
			}
			t.line("\tauth := smtp.PlainAuth(\"\", %s, os.Getenv(%s), host)", goString(in.User), goString(PasswordEnv))
		}
		t.line("\tif err := c.Auth(auth); err != nil {")
		t.line("\t\tlog.Fatalf(\"AUTH: %%v\", err)")
		t.line("\t}")
	}
	t.line("\tif err := c.Mail(from); err != nil {")
	t.line("\t\tlog.Fatalf(\"MAIL FROM: %%v\", err)")
	t.line("\t}")
	t.line("\tif err := c.Rcpt(to); err != nil {")
	t.line("\t\tlog.Fatalf(\"RCPT TO: %%v\", err)")
	t.line("\t}")
	t.line("\tw, err := c.Data()")
	t.line("\tif err != nil {")
	t.line("\t\tlog.Fatalf(\"DATA: %%v\", err)")
	t.line("\t}")
	t.line("\tfmt.Fprintf(w, \"From: %%s\\r\\nTo: %%s\\r\\nSubject: %s\\r\\n\\r\\n%s\\r\\n\", from, to)", testSubject, testBody)
	t.line("\tif err := w.Close(); err != nil {")
	t.line("\t\tlog.Fatalf(\"message: %%v\", err)")
	t.line("\t}")
	t.line("\tif err := c.Quit(); err != nil {")
	t.line("\t\tlog.Fatalf(\"QUIT: %%v\", err)")
	t.line("\t}")
	t.line("\tfmt.Println(\"sent\")")
	t.line("}")
	switch {
	case in.OAuth():
		t.line("")
		t.line("// oauthAuth is XOAUTH2 or OAUTHBEARER (RFC 7628), which net/smtp lacks.")
		t.line("type oauthAuth struct{ mech, user, token string }")
		t.line("")
		t.line("func (a oauthAuth) Start(*smtp.ServerInfo) (string, []byte, error) {")
		t.line("\tif a.mech == \"OAUTHBEARER\" {")
		t.line("\t\treturn a.mech, []byte(\"n,a=\" + a.user + \",\\x01auth=Bearer \" + a.token + \"\\x01\\x01\"), nil")
		t.line("\t}")
		t.line("\treturn a.mech, []byte(\"user=\" + a.user + \"\\x01auth=Bearer \" + a.token + \"\\x01\\x01\"), nil")
		t.line("}")
		t.line("")
		t.line("// Next answers an error challenge with an empty response; the server then")
		t.line("// sends its final error reply.")
		t.line("func (a oauthAuth) Next(challenge []byte, more bool) ([]byte, error) {")
		t.line("\tif more {")
		t.line("\t\treturn []byte{}, nil")
		t.line("\t}")
		t.line("\treturn nil, nil")
		t.line("}")
	case in.Auth() && in.Mech == probe.MechLogin:
		t.line("")
		t.line("// loginAuth is the LOGIN mechanism, which net/smtp lacks.")
		t.line("type loginAuth struct{ user, password string }")
		t.line("")
		t.line("func (a loginAuth) Start(*smtp.ServerInfo) (string, []byte, error) { return \"LOGIN\", nil, nil }")
		t.line("")
		t.line("func (a loginAuth) Next(challenge []byte, more bool) ([]byte, error) {")
		t.line("\tif !more {")
		t.line("\t\treturn nil, nil")
		t.line("\t}")
		t.line("\tswitch string(challenge) {")
		t.line("\tcase \"Username:\":")
		t.line("\t\treturn []byte(a.user), nil")
		t.line("\tcase \"Password:\":")
		t.line("\t\treturn []byte(a.password), nil")
		t.line("\t}")
		t.line("\treturn nil, errors.New(\"LOGIN: unexpected challenge \" + string(challenge))")
		t.line("}")
	}
	return t.String()
}

// goMail writes a program for github.com/wneessen/go-mail v0.8.1:
// WithSSL is implicit TLS; WithTLSPolicy(TLSMandatory) insists on
// STARTTLS; NoTLS stays in plaintext, where PLAIN and LOGIN need their
// -NOENC variants.
func goMail(in Input) string {
	var t text
	t.line("// go get github.com/wneessen/go-mail@v0.8.1")
	t.line("// Run: %s=… go run .   (the secret comes from the environment, never from this file)", in.secretEnv())
	t.line("package main")
	t.line("")
	t.line("import (")
	if in.Security != probe.SecurityNone {
		t.line("\t\"crypto/tls\"")
	}
	if in.usesCAFile() {
		t.line("\t\"crypto/x509\"")
	}
	t.line("\t\"fmt\"")
	t.line("\t\"log\"")
	if in.Auth() || in.usesCAFile() {
		t.line("\t\"os\"")
	}
	t.line("\t\"time\"")
	t.line("")
	t.line("\t\"github.com/wneessen/go-mail\"")
	t.line(")")
	t.line("")
	t.line("func main() {")
	t.line("\thost := %s", goString(in.Host))
	if in.Security != probe.SecurityNone {
		goTLSConfig(&t, in, "\t")
	}
	t.line("\tclient, err := mail.NewClient(host,")
	switch in.Security {
	case probe.SecurityTLS:
		t.line("\t\tmail.WithSSL(), // TLS from the first byte (the 465 way)")
	case probe.SecurityStartTLS:
		t.line("\t\tmail.WithTLSPolicy(mail.TLSMandatory), // STARTTLS or nothing (the 587 way)")
	default:
		t.line("\t\tmail.WithTLSPolicy(mail.NoTLS), // this server was used without TLS")
	}
	t.line("\t\tmail.WithPort(%d),", in.Port)
	if in.Security != probe.SecurityNone {
		t.line("\t\tmail.WithTLSConfig(tlsConfig),")
	}
	t.line("\t\tmail.WithTimeout(30*time.Second),")
	if in.Auth() {
		t.line("\t\tmail.WithSMTPAuth(mail.%s),", goMailAuth(in))
		t.line("\t\tmail.WithUsername(%s),", goString(in.User))
		t.line("\t\tmail.WithPassword(os.Getenv(%s)),", goString(in.secretEnv()))
	}
	t.line("\t)")
	t.line("\tif err != nil {")
	t.line("\t\tlog.Fatalf(\"go-mail client: %%v\", err)")
	t.line("\t}")
	t.line("\tmsg := mail.NewMsg()")
	t.line("\tif err := msg.From(%s); err != nil {", goString(in.sender()))
	t.line("\t\tlog.Fatalf(\"from: %%v\", err)")
	t.line("\t}")
	t.line("\tif err := msg.To(%s); err != nil {", goString(in.recipient()))
	t.line("\t\tlog.Fatalf(\"to: %%v\", err)")
	t.line("\t}")
	t.line("\tmsg.Subject(%s)", goString(testSubject))
	t.line("\tmsg.SetBodyString(mail.TypeTextPlain, %s)", goString(testBody))
	t.line("\tif err := client.DialAndSend(msg); err != nil {")
	t.line("\t\tlog.Fatalf(\"send: %%v\", err)")
	t.line("\t}")
	t.line("\tfmt.Println(\"sent\")")
	t.line("}")
	return t.String()
}

// goMailAuth names go-mail's SMTPAuthType constant for the mechanism.
func goMailAuth(in Input) string {
	noTLS := in.Security == probe.SecurityNone
	switch in.Mech {
	case probe.MechLogin:
		if noTLS {
			return "SMTPAuthLoginNoEnc"
		}
		return "SMTPAuthLogin"
	case probe.MechCRAMMD5:
		return "SMTPAuthCramMD5"
	case probe.MechXOAUTH2, probe.MechOAUTHBEARER:
		// go-mail has XOAUTH2 only; providers that offer OAUTHBEARER offer it too.
		return "SMTPAuthXOAUTH2"
	}
	if noTLS {
		return "SMTPAuthPlainNoEnc"
	}
	return "SMTPAuthPlain"
}
