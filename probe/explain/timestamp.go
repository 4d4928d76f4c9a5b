package explain

import (
	"regexp"
	"time"
)

var (
	isoStamp    = regexp.MustCompile(`\b(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?`)
	syslogStamp = regexp.MustCompile(`\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) (\d\d:\d\d:\d\d)\b`)
	isoLayouts  = []string{"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05"}
)

// stamp finds the time a log line was written: an ISO 8601 time, or a
// syslog "Nov 14 09:08:30" (which has no year: the year is the one that
// puts it no later than now). Times without a zone are read as UTC.
func stamp(line string, now time.Time) time.Time {
	if len(line) > 120 {
		line = line[:120]
	}
	if m := isoStamp.FindStringSubmatch(line); m != nil {
		s := m[1] + "T" + m[2]
		zone := m[4]
		if zone == "" {
			zone = "Z"
		}
		for _, layout := range isoLayouts {
			if t, err := time.Parse(layout, s+zone); err == nil {
				return t.UTC()
			}
		}
		if t, err := time.Parse("2006-01-02T15:04:05", s); err == nil {
			return t
		}
	}
	if m := syslogStamp.FindStringSubmatch(line); m != nil {
		t, err := time.Parse("Jan 2 15:04:05 2006", m[1]+" "+m[2]+" "+m[3]+" "+itoa(now.Year()))
		if err != nil {
			return time.Time{}
		}
		if t.After(now.Add(48 * time.Hour)) {
			t = t.AddDate(-1, 0, 0)
		}
		return t
	}
	return time.Time{}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
