package explain

import (
	"strings"
	"time"
)

// stamp finds the time a log line was written, near its start: an ISO
// 8601 time ("2024-03-25 13:55:16", "2023-12-14T09:42:08.835Z"), or a
// syslog "Nov 14 09:08:30", which has no year: the year is the one that
// puts it no later than two days from now. Times without a zone are read
// as UTC. It scans by hand: a regular expression per line made a
// megabyte of log slow to read.
func stamp(line string, now time.Time) time.Time {
	if len(line) > 64 {
		line = line[:64]
	}
	if strings.IndexByte(line, ':') < 0 {
		return time.Time{}
	}
	for i := 0; i+15 <= len(line); i++ {
		if i > 0 && isAlnum(line[i-1]) {
			continue
		}
		if t, ok := isoAt(line[i:]); ok {
			return t
		}
		if t, ok := syslogAt(line[i:], now); ok {
			return t
		}
	}
	return time.Time{}
}

// isoAt reads "YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|±hh[:]mm]" at the start of s.
func isoAt(s string) (time.Time, bool) {
	if len(s) < 19 || !digits(s[0:4]) || s[4] != '-' || !digits(s[5:7]) || s[7] != '-' || !digits(s[8:10]) ||
		(s[10] != 'T' && s[10] != ' ') || !digits(s[11:13]) || s[13] != ':' || !digits(s[14:16]) || s[16] != ':' || !digits(s[17:19]) {
		return time.Time{}, false
	}
	rest := s[19:]
	if len(rest) > 0 && rest[0] == '.' {
		j := 1
		for j < len(rest) && digit(rest[j]) {
			j++
		}
		rest = rest[j:]
	}
	base := s[0:10] + "T" + s[11:19]
	zone := "Z"
	switch {
	case strings.HasPrefix(rest, "Z"):
	case len(rest) >= 6 && (rest[0] == '+' || rest[0] == '-') && digits(rest[1:3]) && rest[3] == ':' && digits(rest[4:6]):
		zone = rest[:6]
	case len(rest) >= 5 && (rest[0] == '+' || rest[0] == '-') && digits(rest[1:5]):
		zone = rest[:3] + ":" + rest[3:5]
	}
	t, err := time.Parse(time.RFC3339, base+zone)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

var months = map[string]time.Month{"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}

// syslogAt reads "Mon _2 15:04:05" (RFC 3164) at the start of s.
func syslogAt(s string, now time.Time) (time.Time, bool) {
	mon, ok := months[s[:3]]
	if !ok || s[3] != ' ' {
		return time.Time{}, false
	}
	d := strings.TrimLeft(s[4:], " ")
	j := 0
	for j < len(d) && j < 2 && digit(d[j]) {
		j++
	}
	if j == 0 || len(d) < j+9 || d[j] != ' ' {
		return time.Time{}, false
	}
	day := atoi(d[:j])
	if day < 1 || day > 31 {
		return time.Time{}, false
	}
	c := d[j+1 : j+9]
	if !digits(c[0:2]) || c[2] != ':' || !digits(c[3:5]) || c[5] != ':' || !digits(c[6:8]) {
		return time.Time{}, false
	}
	t := time.Date(now.Year(), mon, day, atoi(c[0:2]), atoi(c[3:5]), atoi(c[6:8]), 0, time.UTC)
	if t.After(now.Add(48 * time.Hour)) {
		t = t.AddDate(-1, 0, 0)
	}
	return t, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !digit(s[i]) {
			return false
		}
	}
	return s != ""
}

func isAlnum(b byte) bool { return digit(b) || (b|0x20 >= 'a' && b|0x20 <= 'z') }
