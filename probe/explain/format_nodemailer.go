package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Nodemailer's logger/debug output (smtp-connection: "[cid] C: ..." and
// "[cid] S: ..." lines, "Connection established to IP:PORT", "Connection
// upgraded with STARTTLS"), and the error object it hands the app:
// "Error: Invalid login: 535 ...", with code, response, responseCode and
// command fields.
var (
	nmMarker      = regexp.MustCompile(`\[[A-Za-z0-9_+/=-]{4,}\] ([CS]): ?(.*)$`)
	nmEstablished = regexp.MustCompile(`Connection established to (\S+)`)
	nmResolved    = regexp.MustCompile(`Resolved (\S+) as `)
	nmCommand     = regexp.MustCompile(`command:\s*['"]([^'"]+)['"]`)
	nmResponse    = regexp.MustCompile(`response"?:\s*['"](.*)$`)
	nmAuthOK      = regexp.MustCompile(`User "([^"]+)" authenticated`)
	nmError       = regexp.MustCompile(`(Invalid login|Mail command failed|Can't send mail - all recipients were rejected|Data command failed|Message failed): (.*)$`)
	nmErrStep     = map[string]string{"Invalid login": probe.StepAuth, "Mail command failed": probe.StepMail,
		"Can't send mail - all recipients were rejected": probe.StepRcpt, "Data command failed": probe.StepData, "Message failed": probe.StepData}
)

var formatNodemailer = &format{
	Name:  "nodemailer",
	Title: "Nodemailer logger/debug output and its errors (EAUTH, ESOCKET, ...)",
	kind:  kindTranscript,
	claims: func(line string) bool {
		return (strings.Contains(line, "] C:") || strings.Contains(line, "] S:")) && nmMarker.MatchString(line) ||
			(strings.Contains(line, "Invalid login") || strings.Contains(line, "command failed") || strings.Contains(line, "Can't send mail") || strings.Contains(line, "Message failed")) && nmError.MatchString(line) || strings.Contains(line, "code: 'EAUTH'") ||
			strings.Contains(line, `"code": "EAUTH"`) || strings.Contains(line, "smtp-connection") || strings.Contains(line, "responseCode")
	},
	read: func(r *reader, lines []string) {
		command := ""
		for _, line := range lines {
			if m := nmCommand.FindStringSubmatch(line); m != nil && m[1] != "CONN" {
				command = m[1]
			}
		}
		for i, line := range lines {
			at := stamp(line, r.now)
			if m := nmMarker.FindStringSubmatch(line); m != nil {
				if m[1] == "C" {
					r.s.client(at, m[2])
				} else {
					r.s.server(at, m[2])
				}
				continue
			}
			if m := nmEstablished.FindStringSubmatch(line); m != nil {
				h, p := hostPort(m[1])
				r.setPort(p)
				_ = h
				r.s.note(at, "Connection established to "+m[1])
				continue
			}
			if m := nmResolved.FindStringSubmatch(line); m != nil {
				r.setHost(m[1])
				continue
			}
			if strings.Contains(line, "Connection upgraded with STARTTLS") {
				r.s.note(at, "Connection upgraded with STARTTLS")
				continue
			}
			if m := nmAuthOK.FindStringSubmatch(line); m != nil {
				r.setUser(m[1])
				continue
			}
			if m := nmError.FindStringSubmatch(line); m != nil && r.res.Failure == nil {
				if code, rl, ok := extractReply(m[2], continuation(lines, i, replyCodeOf(m[2]))); ok {
					r.s.failReply(nmErrStep[m[1]], command, code, rl)
				}
				continue
			}
			if m := nmResponse.FindStringSubmatch(line); m != nil && r.res.Failure == nil {
				// response: '535-5.7.8 ...\n' +
				//   '535 5.7.8 ...',
				msg := m[1]
				for _, more := range lines[i+1:] {
					t := strings.TrimSpace(more)
					if !strings.HasPrefix(t, "'") && !strings.HasPrefix(t, `"`) {
						break
					}
					msg += "\n" + t
				}
				if code, rl, ok := extractReply(msg, nil); ok {
					r.s.failReply("", command, code, rl)
				}
			}
		}
	},
}

// replyCodeOf is the reply code at the start of an error message's reply.
func replyCodeOf(msg string) int {
	if loc := replyStart.FindStringSubmatchIndex(msg); loc != nil {
		return atoi(msg[loc[2] : loc[2]+3])
	}
	return 0
}
