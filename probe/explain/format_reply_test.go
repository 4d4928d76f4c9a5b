package explain

import (
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// A reply code a message names rather than quotes is read as the reply,
// with the text after it; an HTTP status that looks like one is not.
func TestLabelledReplyCodes(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		text     string
		want     probe.Code
		reply    int
		enhanced string
	}{
		{"Error: permanent error (535): 5.7.8 Username and Password not accepted.", probe.CodeAuthCredentialsRejected, 535, "5.7.8"},
		{"Error: transient error (454): 4.7.0 Temporary authentication failure", probe.CodeAuthTemporaryFailure, 454, "4.7.0"},
		{"Error: Authentication Failed (code: 535),\nresponse: < 5.7.8 Username and Password not accepted. Learn more at\n< 5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp", probe.CodeAuthCredentialsRejected, 535, "5.7.8"},
		{`FastCGI sent in stderr: "PHP message: ERROR: Invalid response code received from server (535)" while reading response header from upstream, request: "POST /mail/ HTTP/1.1"`, probe.CodeAuthCredentialsRejected, 535, ""},
		{"SMTP Last Response Code: 535 (authentication failed)", probe.CodeAuthCredentialsRejected, 535, ""},
		{"Sending of the message failed.\nAn error occurred while sending mail: Outgoing server (SMTP) error. The server responded: 5.7.139 Authentication unsuccessful, basic authentication is disabled. [AM0PR02CA0123.eurprd02.prod.outlook.com]", probe.CodeAuthBlockedByPolicy, 535, "5.7.139"},
		{"An error occurred while sending mail: Outgoing server (SMTP) error. The server responded: 5.7.57 Client not authenticated to send mail.", probe.CodeAuthRequired, 530, "5.7.57"},
		{"Send test e-mail message: Your outgoing (SMTP) e-mail server has reported an internal error. The server responded: 530 5.7.57 Client not authenticated to send mail. Error: 535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [PH0PR07CA0077.namprd07.prod.outlook.com]", probe.CodeAuthBlockedByPolicy, 535, "5.7.139"},
		{"SMTP failed to send message: 5.7.0 authentication failed", probe.CodeAuthCredentialsRejected, 535, "5.7.0"},
		{"src/smtp.rs:145: SMTP failed to connect and authenticate: SMTP failed to login: transient: 4.7.0 Temporary authentication failure: Connection lost to authentication server.", probe.CodeAuthTemporaryFailure, 454, "4.7.0"},
		{"Upgraded to mail version: 4.2.1 Something else", probe.CodeInputUnrecognized, 0, ""},
		{"HTTP Error (503): Service Unavailable", probe.CodeInputUnrecognized, 0, ""},
		{"Request failed with status code (500)", probe.CodeInputUnrecognized, 0, ""},
	} {
		res, used := explain(c.text, now)
		got, reply, enhanced := code(res), 0, ""
		if res.Failure != nil {
			reply, enhanced = res.Failure.Reply, res.Failure.Enhanced
		}
		if got != c.want || reply != c.reply || enhanced != c.enhanced {
			t.Errorf("%q: read by %v as %s, reply %d %q; want %s, reply %d %q", c.text, used, got, reply, enhanced, c.want, c.reply, c.enhanced)
		}
	}
}

// emailjs keeps the reply's code apart from its text; the text is read
// back with the code its enhanced code implies, at the command it names.
func TestEmailJSBadResponse(t *testing.T) {
	res, used := explain("Error: authorization.failed (bad response on command 'AUTH': 5.7.8 Username and Password not accepted. Learn more at https://support.google.com/mail/?p=BadCredentials)", time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	if code(res) != probe.CodeAuthCredentialsRejected || res.Failure == nil || res.Failure.Reply != 535 || res.Failure.Enhanced != "5.7.8" || res.Failure.Step != probe.StepAuth {
		t.Errorf("read by %v as %s, failure %+v", used, code(res), res.Failure)
	}
}
