package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// msmtp --debug (or sendmail -v through msmtp): "--> " what msmtp sent,
// "<-- " what the server answered, its settings dump ("host = ...") and
// its own errors ("msmtp: authentication failed (method PLAIN)",
// "msmtp: server message: 535 ...").
var (
	msmtpLine    = regexp.MustCompile(`^\s*(-->|<--) ?(.*)$`)
	msmtpSetting = regexp.MustCompile(`^(host|port|user|tls|tls_starttls) = (.*)$`)
	msmtpError   = regexp.MustCompile(`^(?:msmtp|sendmail): (.*)$`)
)

var formatMsmtp = &format{
	Name:  "msmtp",
	Title: "msmtp --debug output",
	kind:  kindTranscript,
	claims: func(line string) bool {
		if m := msmtpLine.FindStringSubmatch(line); m != nil {
			return true
		}
		return strings.HasPrefix(line, "msmtp: ") || strings.HasPrefix(line, "tls_starttls = ")
	},
	read: func(r *reader, lines []string) {
		tlsOn, starttls := false, false
		for _, line := range lines {
			if m := msmtpLine.FindStringSubmatch(line); m != nil {
				if m[1] == "-->" {
					r.s.client(timeZero, m[2])
				} else {
					r.s.server(timeZero, m[2])
				}
				continue
			}
			if m := msmtpSetting.FindStringSubmatch(line); m != nil {
				v := strings.TrimSpace(m[2])
				switch m[1] {
				case "host":
					r.setHost(v)
				case "port":
					r.setPort(atoi(v))
				case "user":
					if v != "(not set)" {
						r.setUser(v)
					}
				case "tls":
					tlsOn = v == "on"
				case "tls_starttls":
					starttls = v == "on"
				}
				continue
			}
			if m := msmtpError.FindStringSubmatch(line); m != nil {
				msg := m[1]
				r.s.note(timeZero, line)
				if r.res.Failure != nil {
					continue
				}
				switch {
				case strings.HasPrefix(msg, "server message: "):
					if code, rl, ok := extractReply(strings.TrimPrefix(msg, "server message: "), nil); ok {
						r.s.failReply("", "", code, rl)
					}
				case strings.Contains(msg, "does not support authentication"):
					r.s.fail(probe.StepAuth, probe.CodeAuthNotOffered, msg)
				case strings.Contains(msg, "does not support TLS via the STARTTLS"):
					r.s.fail(probe.StepStartTLS, probe.CodeTLSStartTLSNotOffered, msg)
				case strings.Contains(msg, "cannot use a secure authentication method"):
					r.s.fail(probe.StepAuth, probe.CodeAuthMechanismUnsupported, msg)
				default:
					if sign, ok := netSignIn(msg); ok {
						r.netFailure(sign, msg)
					}
				}
			}
		}
		switch {
		case tlsOn && starttls:
			r.setSecurity(probe.SecurityStartTLS)
		case tlsOn:
			r.setSecurity(probe.SecurityTLS)
		}
	},
}
