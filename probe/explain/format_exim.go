package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Exim's main log:
//
//	dovecot_login authenticator failed for (helo) [ip]:port I=[ip]:587: 535 Incorrect authentication data (set_id=user)
//	plain authenticator failed for ... 435 Unable to authenticate at present (set_id=user): <why>
//	H=(helo) [ip] F=<from> rejected RCPT <to>: relay not permitted
//	<= from H=host [ip] P=esmtpsa X=... A=dovecot_login:user ...        (a login that worked)
//
// 535 is a refused login; 435 is Exim's "the authentication back end is
// not available".
var (
	exAuthFail = regexp.MustCompile(`(\S+)\s+authenticator failed for (?:\S+ )?(?:\([^)]*\) )?\[([0-9a-fA-F:.]+)\](?::\d+)?(?: I=\[[^\]]*\](?::(\d+))?)?: ([45]\d\d) (.*?)(?: \(set_id=([^)]*)\))?(?::\s*(.*))?$`)
	exReject   = regexp.MustCompile(`H=.*?\[([0-9a-fA-F:.]+)\](?::\d+)?.* rejected (RCPT|MAIL) <?([^>:]*)>?: (.*)$`)
	exLoginOK  = regexp.MustCompile(`<= .* H=.*?\[([0-9a-fA-F:.]+)\].* A=[\w-]+:(\S+)`)
)

var formatExim = &format{
	Name:  "exim",
	Title: "Exim main log (authenticator failed, rejected RCPT)",
	kind:  kindServerLog,
	claims: func(line string) bool {
		return strings.Contains(line, "authenticator failed") && exAuthFail.MatchString(line) ||
			strings.Contains(line, " rejected ") && exReject.MatchString(line) ||
			strings.Contains(line, "<= ") && exLoginOK.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		for _, line := range lines {
			if !strings.Contains(line, "authenticator failed") && !strings.Contains(line, " rejected ") && !strings.Contains(line, "<= ") {
				continue
			}
			at := stamp(line, r.now)
			if m := exAuthFail.FindStringSubmatch(line); m != nil {
				r.log.lines++
				if m[3] != "" {
					r.setPort(atoi(m[3]))
				}
				code := atoi(m[4])
				text := strings.TrimSpace(m[5])
				if code == 435 || code == 454 {
					r.login(at, eventBackend, m[6], m[2], text+" "+m[7])
					r.told("backend", probe.StepAuth, code, "4.7.0", text)
				} else {
					r.login(at, eventFailure, m[6], m[2], text)
					r.told("auth", probe.StepAuth, code, enhanced(text), text)
				}
				r.keepLine(at, line)
				continue
			}
			if m := exReject.FindStringSubmatch(line); m != nil {
				r.log.lines++
				reason := strings.TrimSpace(m[4])
				step := probe.StepRcpt
				if m[2] == "MAIL" {
					step = probe.StepMail
				}
				key := m[2] + " rejected: " + reason
				if strings.Contains(strings.ToLower(reason), "relay not permitted") {
					key = "relay"
				}
				r.otherLine(m[2] + " rejected: " + reason)
				r.told(key, step, 550, "", reason)
				r.keepLine(at, line)
				continue
			}
			if m := exLoginOK.FindStringSubmatch(line); m != nil {
				r.log.lines++
				r.login(at, eventSuccess, m[2], m[1], "")
			}
		}
	},
}
