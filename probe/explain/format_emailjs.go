package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// emailjs (Node) names its failures with dotted words and wraps the
// server's answer: "authorization.failed (bad response on command 'AUTH':
// 5.7.8 Username and Password not accepted.)", where the reply has lost
// its code (the library keeps code and text apart), or plain
// "authorization.failed" when no reply came with it.
var (
	emailjsBadResponse = regexp.MustCompile(`bad response on command '([A-Za-z]+)'(?::\s*(.*?))?\)?$`)
	emailjsEnhanced    = regexp.MustCompile(`^([245]\.\d{1,3}\.\d{1,3})\b`)
)

var formatEmailJS = &format{
	Name:  "emailjs",
	Title: "emailjs (Node) errors: authorization.failed, bad response on command",
	kind:  kindError,
	claims: func(line string) bool {
		return strings.Contains(line, "authorization.failed") || strings.Contains(line, "bad response on command '")
	},
	read: func(r *reader, lines []string) {
		for _, line := range lines {
			if m := emailjsBadResponse.FindStringSubmatch(line); m != nil {
				command, text := strings.ToUpper(m[1]), strings.TrimSpace(m[2])
				if code, rl, ok := extractReply(text, nil); ok && replyAtStart.MatchString(text) {
					r.s.failReply("", command, code, rl)
					return
				}
				if e := emailjsEnhanced.FindString(text); e != "" {
					r.s.failReply("", command, codeForEnhanced(e, text), []string{text})
					return
				}
			}
		}
		for _, line := range lines {
			if strings.Contains(line, "authorization.failed") {
				r.s.fail(probe.StepAuth, probe.CodeAuthCredentialsRejected, strings.TrimSpace(line))
				return
			}
		}
	},
}
