package explain

import (
	"regexp"
	"strings"
)

// hMailServer's SMTP log (Windows): tab-separated, quoted fields, one
// line a command or reply, seen from the server: "SMTPD" <thread>
// <session> "<time>" "<client address>" "SENT: 250-mail.example.com[nl]250
// AUTH LOGIN" (its replies, lines joined by [nl]) or "RECEIVED: EHLO
// client" (the client's commands; it masks the password as ***). A log
// holds many sessions; the one read is the last that failed, or else the
// last one.
var hmsLine = regexp.MustCompile(`^"SMTPD"\t\d+\t([^\t]+)\t"([^"]*)"\t"([^"]*)"\t"(SENT|RECEIVED): ?(.*)"\s*$`)

// hmsEntry is one line of the log.
type hmsEntry struct {
	session, at, dir, text string
}

var formatHMailServer = &format{
	Name:  "hmailserver",
	Title: "hMailServer SMTP logs (SENT: / RECEIVED:)",
	kind:  kindTranscript,
	claims: func(line string) bool {
		return strings.HasPrefix(line, `"SMTPD"`) && hmsLine.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		var entries []hmsEntry
		last, lastFailed := "", ""
		for _, line := range lines {
			m := hmsLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			e := hmsEntry{m[1], m[2], m[4], m[5]}
			entries = append(entries, e)
			last = e.session
			if code, _, _, ok := replyLine(e.text); e.dir == "SENT" && ok && code >= 400 {
				lastFailed = e.session
			}
		}
		chosen := last
		if lastFailed != "" {
			chosen = lastFailed
		}
		for _, e := range entries {
			if e.session != chosen {
				continue
			}
			at := stamp(e.at, r.now)
			if e.dir == "RECEIVED" {
				r.s.client(at, e.text)
				continue
			}
			for _, l := range strings.Split(e.text, "[nl]") {
				r.s.server(at, l)
			}
		}
	},
}
