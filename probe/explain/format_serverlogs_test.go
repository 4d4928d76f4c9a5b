package explain

import (
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Sendmail's and OpenSMTPD's logs: refused logins counted per client
// address (OpenSMTPD's taken from the session's "connected" line), a
// back end that failed told apart from a wrong password, logins that
// worked counted as such.
func TestSendmailAndOpenSMTPDLogs(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name, text string
		want       probe.Code
		addr       string
	}{
		{"opensmtpd 6.4 sessions",
			"Nov 30 10:00:00 mx smtpd[95842]: 2b9a4c1f3e8d7a66 smtp connected address=203.0.113.5 host=client.example.com\n" +
				"Nov 30 10:00:01 mx smtpd[95842]: 2b9a4c1f3e8d7a66 smtp authentication user=alice result=permfail\n" +
				"Nov 30 10:00:01 mx smtpd[95842]: 2b9a4c1f3e8d7a66 smtp failed-command command=\"AUTH PLAIN (...)\" result=\"535 Authentication failed\"\n",
			probe.CodeAuthCredentialsRejected, "203.0.113.5"},
		{"opensmtpd table failing",
			"Nov 30 10:00:00 mx smtpd[95842]: 2b9a4c1f3e8d7a66 smtp connected address=203.0.113.5 host=client.example.com\n" +
				"Nov 30 10:00:01 mx smtpd[95842]: 2b9a4c1f3e8d7a66 smtp authentication user=alice result=tempfail\n",
			probe.CodeAuthTemporaryFailure, "203.0.113.5"},
		{"sendmail saslauthd down",
			"Nov 30 10:00:00 mx sendmail[1234]: AUTH failure (PLAIN): generic failure (-1) SASL(-1): generic failure: checkpass failed, user=alice, relay=client.example.com [203.0.113.5]\n",
			probe.CodeAuthTemporaryFailure, "203.0.113.5"},
	} {
		res, used := explain(c.text, now)
		if code(res) != c.want {
			t.Errorf("%s: read by %v as %s, want %s", c.name, used, code(res), c.want)
		}
		found := false
		if res.LogSummary != nil {
			for _, a := range res.LogSummary.Addresses {
				found = found || a.Key == c.addr
			}
		}
		if !found {
			t.Errorf("%s: the client address %s is not among the log's addresses: %+v", c.name, c.addr, res.LogSummary)
		}
	}
}
