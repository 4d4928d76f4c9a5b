package snippet

import "github.com/smtpdoctor/smtpdoctor/probe"

// nodemailer writes an ES module for Nodemailer. Nodemailer's own words
// (SMTP transport docs): secure: true is TLS from the first byte (465);
// secure: false with requireTLS: true insists on STARTTLS; ignoreTLS: true
// never upgrades. OAuth2 sends XOAUTH2 with the given accessToken.
func nodemailer(in Input) string {
	var t text
	t.line("// npm install nodemailer")
	t.line("// Run: %s=… node send.mjs   (the secret comes from the environment, never from this file)", in.secretEnv())
	if in.CAFile != "" {
		t.line(`import fs from "node:fs";`)
	}
	t.line(`import nodemailer from "nodemailer";`)
	t.line("")
	t.line("const transporter = nodemailer.createTransport({")
	t.line("  host: %s,", jsString(in.Host))
	t.line("  port: %d,", in.Port)
	switch in.Security {
	case probe.SecurityTLS:
		t.line("  secure: true, // implicit TLS: TLS from the first byte (the 465 way)")
	case probe.SecurityStartTLS:
		t.line("  secure: false, // plaintext first, then STARTTLS (the 587 way); secure: true is only for implicit TLS")
		t.line("  requireTLS: true, // refuse to go on if STARTTLS fails or is not offered")
	default:
		t.line("  secure: false,")
		t.line("  ignoreTLS: true, // this server was used without TLS")
	}
	if in.CAFile != "" {
		t.line("  tls: { ca: fs.readFileSync(%s) }, // trust this CA besides the system's", jsString(in.CAFile))
	}
	if in.Auth() {
		if in.OAuth() {
			if in.Mech == probe.MechOAUTHBEARER {
				t.line("  // Nodemailer's OAuth2 speaks XOAUTH2 (not OAUTHBEARER); providers that offer one offer both.")
			}
			t.line("  auth: {")
			t.line(`    type: "OAuth2",`)
			t.line("    user: %s,", jsString(in.User))
			t.line("    accessToken: process.env.%s,", TokenEnv)
			t.line("  },")
		} else {
			if m := in.mechUpper(); m != "" {
				t.line("  authMethod: %s, // the mechanism that worked", jsString(m))
			}
			t.line("  auth: {")
			t.line("    user: %s,", jsString(in.User))
			t.line("    pass: process.env.%s,", PasswordEnv)
			t.line("  },")
		}
	}
	t.line("});")
	t.line("")
	t.line("const info = await transporter.sendMail({")
	t.line("  from: %s,", jsString(in.sender()))
	t.line("  to: %s,", jsString(in.recipient()))
	t.line("  subject: %s,", jsString(testSubject))
	t.line("  text: %s,", jsString(testBody))
	t.line("});")
	t.line("console.log(info.response);")
	return t.String()
}
