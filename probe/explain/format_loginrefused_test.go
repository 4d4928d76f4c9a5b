package explain

import (
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// A refused login said in words is read as one, with the server the
// words name; words about something else are not.
func TestLoginRefusedInWords(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		text, host string
		port       int
		want       probe.Code
	}{
		{"cURL error 67: Login denied", "", 0, probe.CodeAuthCredentialsRejected},
		{`fatal: [localhost]: FAILED! => {"changed": false, "msg": "Authentication to smtp.gmail.com:587 failed, please check your username and/or password", "rc": 1}`, "smtp.gmail.com", 587, probe.CodeAuthCredentialsRejected},
		{"The SMTP server “smtp.office365.com” rejected the password for user “info@example.com”.", "", 0, probe.CodeAuthCredentialsRejected},
		{"curl: (56) Failure when receiving data from the peer", "", 0, probe.CodeNetClosed},
		{"The login page could not be found", "", 0, probe.CodeInputUnrecognized},
	} {
		res, used := explain(c.text, now)
		if code(res) != c.want || res.Settings.Host != c.host || res.Settings.Port != c.port {
			t.Errorf("%q: read by %v as %s at %s:%d; want %s at %s:%d", c.text, used, code(res), res.Settings.Host, res.Settings.Port, c.want, c.host, c.port)
		}
	}
}

// A client that reads the mechanisms offered and quits without logging
// in speaks none of them; one that was never offered any, or went on to
// send mail without a login, is not that.
func TestQuitBeforeLogin(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name, text string
		want       probe.Code
	}{
		{"offered LOGIN, client quits", "S: 220 mail.example.com\nC: EHLO client\nS: 250-mail.example.com\nS: 250 AUTH LOGIN\nC: QUIT\nS: 221 bye\n", probe.CodeAuthMechanismUnsupported},
		{"nothing offered, client quits", "S: 220 mail.example.com\nC: EHLO client\nS: 250-mail.example.com\nS: 250 SIZE 1000\nC: QUIT\nS: 221 bye\n", probe.CodeOK},
		{"offered, mail sent without login", "S: 220 mail.example.com\nC: EHLO client\nS: 250-mail.example.com\nS: 250 AUTH LOGIN\nC: MAIL FROM:<a@example.com>\nS: 250 ok\nC: QUIT\nS: 221 bye\n", probe.CodeOK},
	} {
		res, used := explain(c.text, now)
		if code(res) != c.want {
			t.Errorf("%s: read by %v as %s, want %s", c.name, used, code(res), c.want)
		}
	}
}

// Connection failures worded by JavaMail, .NET and MailKit: the server
// they name, and what each wording means.
func TestLibraryConnectionWords(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		text, host string
		port       int
		want       probe.Code
	}{
		{"org.springframework.mail.MailSendException: Mail server connection failed; nested exception is com.sun.mail.util.MailConnectException: Couldn't connect to host, port: smtp.gmail.com, 587; timeout -1;\n  nested exception is:\n\tjava.net.ConnectException: Connection timed out: connect", "smtp.gmail.com", 587, probe.CodeNetTimeout},
		{"javax.mail.MessagingException: Got bad greeting from SMTP host: smtp.gmail.com, port: 465, response: [EOF]", "smtp.gmail.com", 465, probe.CodeTLSPlainOnImplicitPort},
		{"javax.mail.MessagingException: Got bad greeting from SMTP host: smtp.example.com, port: 587, response: [EOF]", "smtp.example.com", 587, probe.CodeSMTPNoGreeting},
		{"System.Net.Mail.SmtpException: Failure sending mail. ---> System.IO.IOException: Unable to read data from the transport connection: net_io_connectionclosed.", "", 0, probe.CodeSMTPNoGreeting},
		{"MailKit.Security.SslHandshakeException: An error occurred while attempting to establish an SSL or TLS connection.\n\nThis usually means that the SSL certificate presented by the server is not trusted by the system for one or more of the following reasons:\n1. The server is using a self-signed certificate which cannot be verified.\n4. The certificate presented by the server is expired or invalid.\n\nAnother possibility is that you are trying to connect to a port which does not support SSL/TLS.", "", 0, probe.CodeTLSCertUntrusted},
		{"MailKit.Security.SslHandshakeException: An error occurred while attempting to establish an SSL or TLS connection.\n\nThe host name did not match the name given in the server's SSL certificate.", "", 0, probe.CodeTLSCertHostnameMismatch},
	} {
		res, used := explain(c.text, now)
		if code(res) != c.want || res.Settings.Host != c.host || res.Settings.Port != c.port {
			t.Errorf("%q: read by %v as %s at %s:%d; want %s at %s:%d", c.text, used, code(res), res.Settings.Host, res.Settings.Port, c.want, c.host, c.port)
		}
	}
}
