package explain

import (
	"strconv"
	"testing"
	"time"
)

func TestStamp(t *testing.T) {
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		line string
		want time.Time
	}{
		{"Nov 14 09:08:30 mail postfix/smtpd[1]: x", time.Date(2025, 11, 14, 9, 8, 30, 0, time.UTC)},
		{"Jan  2 10:00:00 mail postfix/smtpd[1]: x", time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)},
		{"mail_1 | Apr 20 00:55:25 mail dovecot: auth: x", time.Date(2025, 4, 20, 0, 55, 25, 0, time.UTC)},
		{"2013-01-04 17:03:46 login authenticator failed", time.Date(2013, 1, 4, 17, 3, 46, 0, time.UTC)},
		{"2023-08-30T00:37:33.499Z,EXCH", time.Date(2023, 8, 30, 0, 37, 33, 0, time.UTC)},
		{"2024-11-14T09:08:30.123456+01:00 mail postfix", time.Date(2024, 11, 14, 8, 8, 30, 0, time.UTC)},
		{"no time here: none", time.Time{}},
		{"Dec 99 10:00:00", time.Time{}},
	} {
		if got := stamp(c.line, now); !got.Equal(c.want) {
			t.Errorf("stamp(%q) = %v, want %v", c.line, got, c.want)
		}
	}
}

func TestHostPortIgnoresFilesAndTimes(t *testing.T) {
	for in, want := range map[string]string{
		"Error: connect ECONNREFUSED 65.55.163.152:587":                                      "65.55.163.152:587",
		"2014/05/15 21:22:04 [mailer.go:59] send err: x509: certificate signed":              ":0",
		"error:1408F10B:SSL routines:ssl3_get_record:wrong version number:ssl3_record.c:332": ":0",
		"email.go:76: send mail failed, dial tcp smtp.example.com:25: i/o timeout":           "smtp.example.com:25",
		"unable to connect to ssl://smtp.gmail.com:465 (Connection refused)":                 "smtp.gmail.com:465",
		"connect ECONNREFUSED ::1:587":                                                       "::1:587",
		"Connected to [2001:db8::1]:587":                                                     "2001:db8::1:587",
	} {
		h, p := hostPort(in)
		if got := h + ":" + strconv.Itoa(p); got != want && !(want == ":0" && h == "") {
			t.Errorf("hostPort(%q) = %s, want %s", in, got, want)
		}
	}
}
