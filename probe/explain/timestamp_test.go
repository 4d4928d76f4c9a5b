package explain

import (
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
