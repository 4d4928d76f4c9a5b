package explain

import (
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// gmailErrorChallenge is Gmail's error challenge for a refused token:
// {"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}.
const gmailErrorChallenge = "eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ=="

// A refused token reads as a refused token, however the client printed
// it, and a password login does not, even where the server offers
// XOAUTH2.
func TestOAuthRefusals(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name, text string
		want       probe.Code
		status     string // the decoded challenge's status, when one is in the text
	}{
		{"symfony gives up at the challenge",
			`Symfony\Component\Mailer\Exception\TransportException: Failed to authenticate on SMTP server with username "someone@example.com" using the following authenticators: "XOAUTH2". Authenticator "XOAUTH2" returned "Expected response code "235" but got code "334", with message "334 ` + gmailErrorChallenge + `".".`,
			probe.CodeAuthOAuthTokenInvalid, "400"},
		{"jakarta mail gives up at the challenge",
			"Exception in thread \"main\" jakarta.mail.AuthenticationFailedException: 334 " + gmailErrorChallenge + "\n;\n  nested exception is:\n\tjakarta.mail.AuthenticationFailedException: OAUTH2 asked for more",
			probe.CodeAuthOAuthTokenInvalid, "400"},
		{"phpmailer without a transcript: the 535 answers its QUIT",
			"SMTP ERROR: AUTH command failed: 334 " + gmailErrorChallenge + "\nSMTP ERROR: QUIT command failed: 535 5.7.8 Username and Password not accepted\nSMTP Error: Could not authenticate.",
			probe.CodeAuthOAuthTokenInvalid, "400"},
		{"phpmailer transcript: challenge, then QUIT",
			"2026-11-30 12:00:00 CLIENT -> SERVER: AUTH XOAUTH2 dXNlcj1zb21lb25lQGV4YW1wbGUuY29tAWF1dGg9QmVhcmVyIHh4eAEB\n2026-11-30 12:00:00 SERVER -> CLIENT: 334 " + gmailErrorChallenge + "\n2026-11-30 12:00:00 SMTP ERROR: AUTH command failed: 334 " + gmailErrorChallenge + "\n2026-11-30 12:00:00 CLIENT -> SERVER: QUIT\n2026-11-30 12:00:00 SERVER -> CLIENT: 535 5.7.8 Username and Password not accepted\n",
			probe.CodeAuthOAuthTokenInvalid, "400"},
		{"nodemailer names the mechanism",
			"Error: Invalid login: 535-5.7.8 Username and Password not accepted.\n    at SMTPConnection._formatError (node_modules/nodemailer/lib/smtp-connection/index.js:790:19) {\n  code: 'EAUTH',\n  response: '535-5.7.8 Username and Password not accepted.',\n  responseCode: 535,\n  command: 'AUTH XOAUTH2'\n}",
			probe.CodeAuthOAuthTokenInvalid, ""},
		{"msmtp names the method",
			"msmtp: authentication failed (method OAUTHBEARER)\nmsmtp: server message: 535 5.7.8 Username and Password not accepted\nmsmtp: could not send mail",
			probe.CodeAuthOAuthTokenInvalid, ""},
		{"a password login where XOAUTH2 is offered",
			"S: 250-smtp.gmail.com at your service\nS: 250-AUTH XOAUTH2 LOGIN PLAIN\nS: 250 SMTPUTF8\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: dXNlcg==\nS: 334 UGFzc3dvcmQ6\nC: cGFzcw==\nS: 535-5.7.8 Username and Password not accepted.\n",
			probe.CodeAuthCredentialsRejected, ""},
		{"nodemailer with a password",
			"Error: Invalid login: 535-5.7.8 Username and Password not accepted.\n  code: 'EAUTH',\n  responseCode: 535,\n  command: 'AUTH PLAIN'\n",
			probe.CodeAuthCredentialsRejected, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, used := explain(c.text, now)
			if res.Diagnosis == nil || res.Diagnosis.Code != c.want {
				t.Fatalf("read by %v as %v, want %s\n%s", used, code(res), c.want, dump(res))
			}
			if got := ""; c.status != "" {
				if res.Auth != nil {
					got = res.Auth.OAuthError["status"]
				}
				if got != c.status {
					t.Errorf("the error challenge's status: %q, want %q", got, c.status)
				}
			}
		})
	}
}
