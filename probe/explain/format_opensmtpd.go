package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// OpenSMTPD's log, per session id:
//
//	smtpd[95842]: 2b9a4c1f3e8d7a66 smtp connected address=203.0.113.5 host=client.example.com
//	smtpd[95842]: 2b9a4c1f3e8d7a66 smtp authentication user=alice result=permfail
//	smtpd[95842]: 2b9a4c1f3e8d7a66 smtp failed-command command="AUTH PLAIN (...)" result="535 Authentication failed"
//
// Versions 6.0 to 6.3 wrote "smtp event=authentication user=alice
// address=203.0.113.5 host=… result=permfail" in one line. tempfail is
// the credentials table failing, not the password.
var (
	osConnected = regexp.MustCompile(`\bsmtpd\[\d+\]: ([0-9a-f]{8,16}) smtp connected address=([0-9a-fA-F:.]+)`)
	osAuth      = regexp.MustCompile(`(?:\bsmtpd\[\d+\]: (?:([0-9a-f]{8,16}) )?|^\s*)smtp (?:event=)?authentication user=(\S+)(?: address=([0-9a-fA-F:.]+))?(?: host=\S+)? result=(ok|permfail|tempfail)`)
	osFailed    = regexp.MustCompile(`\bsmtpd\[\d+\]: ([0-9a-f]{8,16}) smtp failed-command command="([^"]*)" result="([45]\d\d)[ -]([^"]*)"`)
)

var formatOpenSMTPD = &format{
	Name:  "opensmtpd",
	Title: "OpenSMTPD log (smtp authentication, failed-command)",
	kind:  kindServerLog,
	claims: func(line string) bool {
		return strings.Contains(line, "authentication user=") && osAuth.MatchString(line) ||
			strings.Contains(line, "smtp failed-command") && osFailed.MatchString(line) ||
			strings.Contains(line, "smtp connected") && osConnected.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		addr := map[string]string{} // session → client address
		for _, line := range lines {
			if !strings.Contains(line, "smtp connected") && !strings.Contains(line, "authentication user=") && !strings.Contains(line, "smtp failed-command") {
				continue
			}
			at := stamp(line, r.now)
			if m := osConnected.FindStringSubmatch(line); m != nil {
				addr[m[1]] = m[2]
				continue
			}
			if m := osAuth.FindStringSubmatch(line); m != nil {
				r.log.lines++
				ip := m[3]
				if ip == "" {
					ip = addr[m[1]]
				}
				switch m[4] {
				case "ok":
					r.login(at, eventSuccess, m[2], ip, "")
				case "tempfail":
					r.login(at, eventBackend, m[2], ip, "result=tempfail")
					r.told("backend", probe.StepAuth, 454, "4.7.0", "Temporary authentication failure")
					r.keepLine(at, line)
				default:
					r.login(at, eventFailure, m[2], ip, "result=permfail")
					r.told("auth", probe.StepAuth, 535, "", "Authentication failed")
					r.keepLine(at, line)
				}
				continue
			}
			if m := osFailed.FindStringSubmatch(line); m != nil && !strings.HasPrefix(strings.ToUpper(m[2]), "AUTH") {
				r.log.lines++
				cmd := strings.ToUpper(m[2])
				step := probe.StepRcpt
				if strings.HasPrefix(cmd, "MAIL") {
					step = probe.StepMail
				}
				r.otherLine(strings.Fields(cmd + " x")[0] + " refused: " + m[3] + " " + m[4])
				r.told(m[3]+" "+m[4], step, atoi(m[3]), enhanced(m[4]), m[4])
				r.keepLine(at, line)
			}
		}
	},
}
