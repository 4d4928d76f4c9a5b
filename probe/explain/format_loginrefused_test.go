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
