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
	// msmtpLog is a line of msmtp's log file or syslog: "host=smtp.example.com
	// tls=on auth=on user=me from=… recipients=… smtpstatus=535
	// smtpmsg='535-5.7.8 …\n535 5.7.8 …' errormsg='authentication failed
	// (method PLAIN)' exitcode=EX_NOPERM". A failed delivery has an exit
	// code other than EX_OK, the server's last reply if there was one, and
	// msmtp's own words.
	msmtpLog       = regexp.MustCompile(`\bhost=(\S+) tls=(?:on|off) auth=(?:on|off)\b.*\bexitcode=(EX_\w+)`)
	msmtpLogUser   = regexp.MustCompile(`\buser=(\S+)`)
	msmtpLogStatus = regexp.MustCompile(`\bsmtpstatus=(\d{3}) smtpmsg='((?:[^'\\]|\\.)*)'`)
	msmtpLogError  = regexp.MustCompile(`\berrormsg='((?:[^'\\]|\\.)*)'`)
)

var formatMsmtp = &format{
	Name:  "msmtp",
	Title: "msmtp --debug output",
	kind:  kindTranscript,
	claims: func(line string) bool {
		if m := msmtpLine.FindStringSubmatch(line); m != nil {
			return true
		}
		return strings.HasPrefix(line, "msmtp: ") || strings.HasPrefix(line, "tls_starttls = ") ||
			strings.Contains(line, "exitcode=EX_") && msmtpLog.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		if readMsmtpLog(r, lines) {
			return
		}
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

// readMsmtpLog reads the last failed delivery of msmtp's log, if the text
// has one.
func readMsmtpLog(r *reader, lines []string) bool {
	last := ""
	for _, line := range lines {
		if !strings.Contains(line, "exitcode=EX_") {
			continue
		}
		if m := msmtpLog.FindStringSubmatch(line); m != nil && m[2] != "EX_OK" {
			last = line
		}
	}
	if last == "" {
		return false
	}
	m := msmtpLog.FindStringSubmatch(last)
	r.setHost(m[1])
	if u := msmtpLogUser.FindStringSubmatch(last); u != nil {
		r.setUser(u[1])
	}
	errormsg := ""
	if e := msmtpLogError.FindStringSubmatch(last); e != nil {
		errormsg = e[1]
	}
	if st := msmtpLogStatus.FindStringSubmatch(last); st != nil {
		if code, rl, ok := extractReply(strings.ReplaceAll(st[2], `\n`, "\n"), nil); ok {
			r.s.failReply(stepOfMsmtpError(errormsg), "", code, rl)
			return true
		}
	}
	switch {
	case strings.HasPrefix(errormsg, "authentication failed"):
		r.s.fail(probe.StepAuth, probe.CodeAuthCredentialsRejected, errormsg)
	case errormsg != "":
		if sign, ok := netSignIn(errormsg); ok {
			r.netFailure(sign, errormsg)
		} else {
			r.s.fail(probe.StepGreeting, probe.CodeSMTPBadReply, errormsg)
		}
	default:
		return false
	}
	return true
}

// stepOfMsmtpError is the step msmtp's words name: its "authentication
// failed (method …)" goes with the AUTH reply; otherwise the reply says.
func stepOfMsmtpError(errormsg string) string {
	if strings.HasPrefix(errormsg, "authentication failed") {
		return probe.StepAuth
	}
	return ""
}
