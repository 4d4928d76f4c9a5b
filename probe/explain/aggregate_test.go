package explain

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

func TestLogPatterns(t *testing.T) {
	var brute, client, outage, dovecotClient strings.Builder
	for i := range 40 {
		fmt.Fprintf(&brute, "Nov 14 09:%02d:%02d mail postfix/submission/smtpd[%d]: warning: unknown[198.51.100.%d]: SASL LOGIN authentication failed: UGFzc3dvcmQ6\n", i/2, (i%2)*30, 100+i, i%7)
	}
	for i := range 12 {
		fmt.Fprintf(&client, "Nov 14 %02d:%02d:00 mail postfix/smtpd[%d]: warning: printer.lan[192.0.2.44]: SASL PLAIN authentication failed: authentication failure, sasl_username=scanner@example.com\n", 8+i/12, (i%12)*5, 200+i)
	}
	for i := range 6 {
		fmt.Fprintf(&outage, "Nov 14 10:00:%02d mail postfix/smtpd[%d]: warning: host%d.example[203.0.113.%d]: SASL LOGIN authentication failed: Connection lost to authentication server, sasl_username=user%d@example.com\n", i, 300+i, i, i, i)
	}
	fmt.Fprintf(&outage, "Nov 14 10:00:09 mail postfix/smtpd[400]: client=host9.example[203.0.113.9], sasl_method=PLAIN, sasl_username=early@example.com\n")
	for i := range 4 {
		fmt.Fprintf(&dovecotClient, "Dec 27 14:%02d:54 mail dovecot: auth: passwd-file(ann@example.com,192.0.2.7,<abc>): Password mismatch\n", 10*i)
	}

	for _, c := range []struct {
		name     string
		text     string
		pattern  probe.Code
		failures int
		topAddr  string
		wantText []string
	}{
		{"password guessing", brute.String(), probe.CodeLogBruteForce, 40, "198.51.100.0", []string{"fail2ban", "postscreen"}},
		{"one misconfigured client", client.String(), probe.CodeLogClientMisconfigured, 12, "192.0.2.44", []string{"scanner@example.com", "about every 5m0s", "192.0.2.44"}},
		{"back end down", outage.String(), probe.CodeLogBackendOutage, 6, "203.0.113.0", []string{"authentication back end", "Do not ask users"}},
		{"one client, Dovecot", dovecotClient.String(), probe.CodeLogClientMisconfigured, 4, "192.0.2.7", []string{"ann@example.com"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, _ := explain(c.text, testNow)
			s := res.LogSummary
			if s == nil {
				t.Fatal("no log summary")
			}
			if s.Pattern != c.pattern || res.Diagnosis.Code != c.pattern {
				t.Errorf("pattern %s, diagnosis %s, want %s", s.Pattern, res.Diagnosis.Code, c.pattern)
			}
			if s.Failures != c.failures {
				t.Errorf("%d failures, want %d", s.Failures, c.failures)
			}
			if s.Addresses[0].Key != c.topAddr {
				t.Errorf("top address %q, want %q", s.Addresses[0].Key, c.topAddr)
			}
			sum := 0
			for _, b := range s.Histogram {
				sum += b.Count
			}
			if sum != s.Failures || s.BucketSeconds <= 0 || len(s.Histogram) > 400 {
				t.Errorf("histogram holds %d of %d failures in %d buckets of %ds", sum, s.Failures, len(s.Histogram), s.BucketSeconds)
			}
			all := res.Diagnosis.Summary + " " + strings.Join(res.Diagnosis.Remediation, " ")
			for _, w := range c.wantText {
				if !strings.Contains(all, w) {
					t.Errorf("diagnosis lacks %q:\n%s", w, all)
				}
			}
			// What clients were told is kept as a finding: one engine.
			if len(res.Findings) == 0 || !strings.HasPrefix(res.Findings[0].Title, "What the failing clients were told") {
				t.Errorf("findings %v", res.Findings)
			}
		})
	}
}

func TestLogSummaryCountsSuccessesAndSpan(t *testing.T) {
	text := "Nov 14 10:00:00 mail postfix/smtpd[1]: warning: a[192.0.2.1]: SASL LOGIN authentication failed: authentication failure\n" +
		"Nov 14 10:30:00 mail postfix/smtpd[2]: client=a[192.0.2.1], sasl_method=LOGIN, sasl_username=bob@example.com\n" +
		"Nov 14 11:00:00 mail postfix/smtpd[3]: warning: a[192.0.2.1]: SASL LOGIN authentication failed: authentication failure\n"
	res, _ := explain(text, testNow)
	s := res.LogSummary
	if s.Successes != 1 || s.Failures != 2 || s.Lines != 3 {
		t.Errorf("successes %d failures %d lines %d", s.Successes, s.Failures, s.Lines)
	}
	if !s.First.Equal(time.Date(2026, 11, 14, 10, 0, 0, 0, time.UTC)) || !s.Last.Equal(time.Date(2026, 11, 14, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("span %v to %v", s.First, s.Last)
	}
	if res.Settings.Port != 25 {
		t.Errorf("port %d, want 25 from postfix/smtpd", res.Settings.Port)
	}
}
