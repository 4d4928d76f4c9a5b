package explain

import (
	"regexp"
	"slices"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// PHPMailer's SMTPDebug output (class SMTP, edebug): "CLIENT -> SERVER: "
// and "SERVER -> CLIENT: " before each line, "Connection: opening to
// HOST:PORT" when connecting, "SMTP ERROR: " and "SMTP Error: " when a
// step fails. Level 4 adds "SMTP -> get_lines()" lines, which repeat the
// replies and are skipped.
var (
	phpMarker     = regexp.MustCompile(`(CLIENT -> SERVER|SERVER -> CLIENT): ?(.*)$`)
	phpOpening    = regexp.MustCompile(`Connection: opening to (?:(ssl|tls)://)?(\S+?)(?::(\d+))?,`)
	phpSetting    = regexp.MustCompile(`^\s*(Host|Port|SMTPSecure|Username):\s*(\S+)`)
	phpUsername   = regexp.MustCompile(`->Username\s*=\s*['"]([^'"]+)['"]`)
	phpHostSet    = regexp.MustCompile(`->Host\s*=\s*['"]([^'"]+)['"]`)
	phpPortSet    = regexp.MustCompile(`->Port\s*=\s*['"]?(\d+)`)
	phpSMTPError  = regexp.MustCompile(`(?i)SMTP ERROR: (.*)$`)
	phpCmdFailed  = regexp.MustCompile(`^([A-Z]+(?: [A-Z]+)?) command failed: (.*)$`)
	phpConnFailed = regexp.MustCompile(`(?i)(Connection failed|Failed to connect to server|SMTP connect\(\) failed|Could not connect to SMTP host)`)
)

var formatPHPMailer = &format{
	Name:  "phpmailer",
	Title: "PHPMailer SMTPDebug output (levels 2 to 4)",
	kind:  kindTranscript,
	claims: func(line string) bool {
		return strings.Contains(line, "CLIENT -> SERVER:") || strings.Contains(line, "SERVER -> CLIENT:") ||
			strings.Contains(line, "Connection: opening to") || strings.Contains(line, "SMTP ERROR:")
	},
	read: func(r *reader, lines []string) {
		inServer := false
		transcript := slices.ContainsFunc(lines, phpMarker.MatchString)
		for _, line := range lines {
			at := stamp(line, r.now)
			if m := phpMarker.FindStringSubmatch(line); m != nil {
				if m[1] == "CLIENT -> SERVER" {
					inServer = false
					r.s.client(at, m[2])
				} else {
					inServer = true
					if strings.TrimSpace(m[2]) != "" {
						r.s.server(at, m[2])
					}
				}
				continue
			}
			if strings.Contains(line, "get_lines()") {
				inServer = false
				if strings.Contains(line, "timed-out") && r.res.Failure == nil {
					// PHPMailer waited for a reply in vain.
					if r.res.Server == nil || len(r.res.Server.Banner) == 0 {
						r.s.fail(probe.StepGreeting, probe.CodeSMTPNoGreeting, strings.TrimSpace(line))
					} else {
						r.s.fail(orStep(r.s.step, probe.StepGreeting), probe.CodeSMTPTimeout, strings.TrimSpace(line))
					}
				}
				continue
			}
			t := strings.TrimSpace(line)
			if _, _, _, ok := replyLine(t); ok && inServer {
				// PHPMailer 6 prints the further lines of a reply as they came.
				r.s.server(at, t)
				continue
			}
			inServer = false
			switch m := phpOpening.FindStringSubmatch(line); {
			case m != nil:
				r.setHost(m[2])
				if m[3] != "" {
					r.setPort(atoi(m[3]))
				}
				if m[1] == "ssl" || m[1] == "tls" {
					r.setSecurity(probe.SecurityTLS)
				}
				r.s.note(at, strings.TrimSpace(line))
				continue
			}
			if m := phpSetting.FindStringSubmatch(line); m != nil {
				switch m[1] {
				case "Host":
					r.setHost(m[2])
				case "Port":
					r.setPort(atoi(m[2]))
				case "SMTPSecure":
					if m[2] == "ssl" {
						r.setSecurity(probe.SecurityTLS)
					}
				case "Username":
					r.setUser(m[2])
				}
				continue
			}
			if m := phpUsername.FindStringSubmatch(line); m != nil {
				r.setUser(m[1])
			}
			if m := phpHostSet.FindStringSubmatch(line); m != nil {
				r.setHost(m[1])
			}
			if m := phpPortSet.FindStringSubmatch(line); m != nil {
				r.setPort(atoi(m[1]))
			}
			if m := phpSMTPError.FindStringSubmatch(line); m != nil && !phpConnFailed.MatchString(line) {
				if c := phpCmdFailed.FindStringSubmatch(m[1]); c != nil && !transcript && r.res.Failure == nil {
					// No transcript (SMTPDebug below 2): the error line is
					// the only record of the command and its reply.
					if code, rl, ok := extractReply(c[2], nil); ok {
						r.s.failReply("", c[1], code, rl)
						continue
					}
				}
				r.s.note(at, "SMTP ERROR: "+m[1])
				if sign, ok := netSignIn(m[1]); ok {
					r.netFailure(sign, m[1])
				}
				continue
			}
			if phpConnFailed.MatchString(line) {
				r.s.note(at, t)
				if sign, ok := netSignIn(line); ok {
					r.netFailure(sign, line)
				} else if r.s.step == probe.StepStartTLS && r.s.res.Failure == nil {
					// "Could not connect to SMTP host" right after "220 Ready
					// to start TLS": the TLS handshake failed.
					r.s.fail(probe.StepStartTLS, probe.CodeTLSHandshakeFailed, t)
				}
			}
		}
	},
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
		if n > 1<<20 {
			return 0
		}
	}
	return n
}
