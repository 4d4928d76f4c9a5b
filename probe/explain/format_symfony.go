package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Symfony Mailer, SwiftMailer and Laravel (which uses them): "Expected
// response code "235" but got code "535", with message "535 5.7.8 ..."",
// SwiftMailer's older 'Expected response code 250 but got code "530"',
// "Expected response code(s) [334] but got response [530 ...]", and
// "Failed to authenticate on SMTP server with username "..." using the
// following authenticators". The expected code names the step.
var (
	sfExpected = regexp.MustCompile(`Expected response code(?:\(s\))?\s*\[?"?(\d{3})"?(?:[/,]\s*"?\d{3}"?)*\]?\s+but got (?:code "(\d{3})", with message "(.*)|response \[(.*)\]|an empty response)`)
	sfUsername = regexp.MustCompile(`with username "([^"]+)"`)
	sfConnHost = regexp.MustCompile(`Connection could not be established with host "?(?:(ssl|tls|tcp)://)?([^":\s]+)(?::(\d+))?"?`)
	sfStartTLS = regexp.MustCompile(`Unable to connect with STARTTLS`)
	sfExpStep  = map[string]string{"235": probe.StepAuth, "334": probe.StepAuth, "354": probe.StepData, "221": probe.StepQuit}
)

var formatSymfony = &format{
	Name:  "symfony",
	Title: "Symfony Mailer, SwiftMailer and Laravel transport exceptions",
	kind:  kindError,
	claims: func(line string) bool {
		return strings.Contains(line, "Expected response code") && sfExpected.MatchString(line) || strings.Contains(line, "Failed to authenticate on SMTP server") ||
			strings.Contains(line, "Swift_TransportException") || strings.Contains(line, "TransportException") ||
			strings.Contains(line, "Connection could not be established") || strings.Contains(line, "Unable to connect with STARTTLS")
	},
	read: func(r *reader, lines []string) {
		for i, line := range lines {
			if m := sfUsername.FindStringSubmatch(line); m != nil {
				r.setUser(m[1])
			}
			if m := sfConnHost.FindStringSubmatch(line); m != nil {
				r.setHost(m[2])
				if m[3] != "" {
					r.setPort(atoi(m[3]))
				}
				if m[1] == "ssl" || m[1] == "tls" {
					r.setSecurity(probe.SecurityTLS)
				}
			}
			if r.res.Failure != nil {
				continue
			}
			if sfStartTLS.MatchString(line) {
				r.setSecurity(probe.SecurityStartTLS)
				r.s.step = probe.StepStartTLS
			}
			m := sfExpected.FindStringSubmatch(line)
			if m == nil {
				if sfConnHost.MatchString(line) || sfStartTLS.MatchString(line) || strings.Contains(line, "stream_socket") {
					// OpenSSL's own words may follow on the next lines.
					for _, l := range lines[i:min(i+3, len(lines))] {
						if sign, ok := netSignIn(l); ok {
							r.netFailure(sign, l)
							break
						}
					}
				}
				continue
			}
			step := sfExpStep[m[1]]
			if m[1] == "220" && strings.Contains(strings.ToLower(line), "starttls") {
				step = probe.StepStartTLS
			}
			msg := m[3] + m[4]
			if m[2] == "" && m[4] == "" {
				r.s.fail(orStep(step, probe.StepGreeting), probe.CodeNetClosed, "the server sent an empty response: "+line)
				continue
			}
			if m[3] != "" && !strings.Contains(m[3], `"`) {
				// The message's own line ends: the quote closes later.
				for _, more := range lines[i+1:] {
					msg += "\n" + more
					if strings.Contains(more, `"`) {
						break
					}
				}
			}
			if code, rl, ok := extractReply(msg, nil); ok {
				r.s.failReply(step, "", code, rl)
			}
		}
	},
}
