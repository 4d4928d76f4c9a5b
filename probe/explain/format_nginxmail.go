package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// nginx's mail proxy (Mailu and others put it in front of Postfix):
//
//	client login failed: "Authentication credentials invalid" while in http auth state, client: 192.0.2.1, server: 0.0.0.0:25, login: "user"
//
// The quoted reason is what the auth_http back end answered.
var ngLoginFailed = regexp.MustCompile(`client login failed: "([^"]*)" while in http auth state, client: ([0-9a-fA-F:.]+), server: (\S+?), login: "([^"]*)"`)

var formatNginxMail = &format{
	Name:  "nginx-mail",
	Title: "nginx mail proxy log (Mailu and others)",
	kind:  kindServerLog,
	claims: func(line string) bool {
		return strings.Contains(line, "client login failed") && ngLoginFailed.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		for _, line := range lines {
			if !strings.Contains(line, "client login failed") {
				continue
			}
			m := ngLoginFailed.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			r.log.lines++
			at := stamp(strings.ReplaceAll(line, "/", "-"), r.now)
			if _, p := hostPort(m[3]); p != 0 {
				r.setPort(p)
			}
			reason := m[1]
			l := strings.ToLower(reason)
			switch {
			case strings.Contains(l, "temporar") || strings.Contains(l, "unavailable"):
				r.login(at, eventBackend, m[4], m[2], reason)
				r.told("backend", probe.StepAuth, 454, "4.7.0", "4.7.0 "+reason)
			case strings.Contains(l, "rate limit"):
				r.login(at, eventFailure, m[4], m[2], reason)
				r.told("rate", probe.StepAuth, 451, "4.7.1", "4.7.1 "+reason)
			default:
				r.login(at, eventFailure, m[4], m[2], reason)
				r.told("auth", probe.StepAuth, 535, "5.7.8", "5.7.8 "+reason)
			}
			r.keepLine(at, line)
		}
	},
}
