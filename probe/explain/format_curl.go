package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// curl -v against smtp:// or smtps:// URLs: "< " what the server sent,
// "> " what curl sent, "* " curl's notes ("Connected to host (ip) port
// 587"), and "curl: (67) Login denied" at the end.
var (
	curlServer    = regexp.MustCompile(`^< ([2-5]\d\d(?:[ -].*)?)$`)
	curlClient    = regexp.MustCompile(`^> ((?i:EHLO|HELO|STARTTLS|AUTH|MAIL FROM|RCPT TO|DATA|QUIT)\b.*)$`)
	curlConnected = regexp.MustCompile(`^\* +Connected to (\S+) \(([^)]*)\) port (\d+)`)
	curlURL       = regexp.MustCompile(`\b(smtps?)://(?:[^@\s/]+@)?([^/\s:]+)(?::(\d+))?`)
	curlError     = regexp.MustCompile(`curl: \((\d+)\) (.*)$`)
)

var formatCurl = &format{
	Name:  "curl",
	Title: "curl -v output for smtp:// and smtps:// URLs",
	kind:  kindTranscript,
	claims: func(line string) bool {
		if len(line) < 2 || (line[0] != '<' && line[0] != '>' && line[0] != '*' && !strings.Contains(line, "curl: (")) {
			return false
		}
		return curlServer.MatchString(line) || curlClient.MatchString(line) || curlConnected.MatchString(line) || curlError.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		for _, line := range lines {
			if m := curlURL.FindStringSubmatch(line); m != nil {
				r.setHost(m[2])
				if m[3] != "" {
					r.setPort(atoi(m[3]))
				}
				if m[1] == "smtps" {
					r.setSecurity(probe.SecurityTLS)
				}
			}
			switch {
			case curlServer.MatchString(line):
				r.s.server(timeZero, line[2:])
			case curlClient.MatchString(line):
				r.s.client(timeZero, line[2:])
			case curlConnected.MatchString(line):
				m := curlConnected.FindStringSubmatch(line)
				r.setHost(m[1])
				r.setPort(atoi(m[3]))
				r.s.note(timeZero, strings.TrimPrefix(line, "* "))
			case curlError.MatchString(line):
				m := curlError.FindStringSubmatch(line)
				r.s.note(timeZero, line)
				if r.res.Failure != nil {
					continue
				}
				switch m[1] {
				case "67":
					// Login denied: the reply above says why; without one,
					// it is a refusal of the credentials.
					r.s.fail(probe.StepAuth, probe.CodeAuthCredentialsRejected, m[2])
				case "28":
					r.s.fail(probe.StepConnect, probe.CodeNetTimeout, m[2])
				default:
					if sign, ok := netSignIn(m[2]); ok {
						r.netFailure(sign, m[2])
					}
				}
			case strings.HasPrefix(line, "* "):
				if sign, ok := netSignIn(line); ok && r.res.Failure == nil && sign.step == probe.StepTLS {
					r.netFailure(sign, line[2:])
				}
			}
		}
	},
}
