package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Postfix's smtpd log lines (syslog or journald, any instance name):
//
//	warning: host[ip]: SASL LOGIN authentication failed: <reason>[, sasl_username=u]
//	client=host[ip], sasl_method=PLAIN, sasl_username=u      (a login that worked)
//	NOQUEUE: reject: RCPT from host[ip]: 554 5.7.1 <x>: Relay access denied; from=<...> to=<...>
//	warning: SASL: Connect to private/auth failed: No such file or directory
//	SSL_accept error from host[ip]: ...
//
// Postfix answers a failed login "535 5.7.8 Error: authentication failed:
// <reason>"; the reason separates a refused password ("authentication
// failure", "UGFzc3dvcmQ6" when the client gave up at the password
// prompt) from a broken back end ("generic failure", "Connection lost to
// authentication server").
var (
	pfLine     = regexp.MustCompile(`postfix(?:-[\w]+)?/([\w/-]+)\[\d+\]: (.*)$`)
	pfSASLFail = regexp.MustCompile(`^warning: (\S*)\[([^\]]*)\]: SASL (\S+) authentication failed: ?(.*?)(?:, sasl_username=(\S+))?$`)
	pfSASLOK   = regexp.MustCompile(`client=(\S*)\[([^\]]*)\](?::\d+)?, sasl_method=(\S+), sasl_username=(\S+)`)
	pfReject   = regexp.MustCompile(`reject: (\w+) from (\S*)\[([^\]]*)\](?::\d+)?: ([45]\d\d) ([45]\.\d{1,3}\.\d{1,3}) (.*?)(?:; from=<([^>]*)> to=<([^>]*)>.*)?$`)
	pfBackend  = []string{"generic failure", "connection lost to authentication server", "temporary failure", "unable to connect", "connect to private/auth failed", "no sasl authentication mechanisms"}
)

var formatPostfix = &format{
	Name:  "postfix",
	Title: "Postfix mail log (smtpd, SASL, TLS, NOQUEUE rejects)",
	kind:  kindServerLog,
	claims: func(line string) bool {
		return strings.Contains(line, "postfix") && pfLine.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		portSet := false
		for _, line := range lines {
			if !strings.Contains(line, "postfix") {
				continue
			}
			m := pfLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			r.log.lines++
			service, msg := m[1], m[2]
			at := stamp(line, r.now)
			hasSASL := strings.Contains(msg, "SASL")
			if f := pfSASLFail.FindStringSubmatch(msg); hasSASL && f != nil {
				if !portSet {
					r.setPort(postfixPort(service))
					portSet = true
				}
				reason := f[4]
				if d, ok := decode64(reason); ok && len(reason) >= 8 {
					// "UGFzc3dvcmQ6" is the LOGIN prompt the client never
					// answered; say so.
					reason += " (base64 \"" + d + "\")"
				}
				kind := eventFailure
				if isBackendReason(reason) {
					kind = eventBackend
				}
				r.login(at, kind, f[5], f[2], reason)
				if kind == eventBackend {
					if strings.Contains(strings.ToLower(reason), "connection lost") {
						r.told("backend", probe.StepAuth, 454, "4.7.0", "4.7.0 Temporary authentication failure: "+reason)
					} else {
						r.told("backend", probe.StepAuth, 535, "5.7.8", "5.7.8 Error: authentication failed: "+reason)
					}
				} else {
					r.told("auth", probe.StepAuth, 535, "5.7.8", "5.7.8 Error: authentication failed: "+reason)
				}
				r.keepLine(at, line)
				continue
			}
			if !hasSASL && !strings.Contains(msg, "sasl_") && !strings.Contains(msg, "reject:") && !strings.Contains(msg, "SSL") && !strings.Contains(msg, "TLS") && !strings.Contains(msg, "AUTH") {
				continue
			}
			if f := pfSASLOK.FindStringSubmatch(msg); f != nil {
				r.login(at, eventSuccess, f[4], f[2], "")
				continue
			}
			if f := pfReject.FindStringSubmatch(msg); f != nil {
				text := f[6]
				step := probe.StepRcpt
				if f[1] == "MAIL" {
					step = probe.StepMail
				}
				key := f[4] + " " + f[5] + " " + rejectKind(text)
				if strings.Contains(strings.ToLower(text), "relay access denied") {
					key = "relay"
				}
				r.otherLine(f[1] + " refused: " + f[4] + " " + f[5] + " " + rejectKind(text))
				r.told(key, step, atoi(f[4]), f[5], f[5]+" "+text)
				r.keepLine(at, line)
				continue
			}
			l := strings.ToLower(msg)
			switch {
			case strings.Contains(l, "sasl: connect to") || strings.Contains(l, "no sasl authentication mechanisms"):
				r.login(at, eventBackend, "", "", msg)
				r.told("backend", probe.StepAuth, 454, "4.7.0", "4.7.0 Temporary authentication failure")
				r.keepLine(at, line)
			case strings.Contains(l, "ssl_accept error") || strings.Contains(l, "tls library problem"):
				r.otherLine("TLS handshake errors")
				r.keepLine(at, line)
			case strings.Contains(l, "too many errors after auth"):
				r.otherLine("sessions ended after too many AUTH errors")
			case strings.Contains(l, "lost connection after auth"):
				r.otherLine("connections lost after AUTH")
			}
		}
	},
}

// postfixPort guesses the port from the smtpd instance's name in
// master.cf as Debian and most guides name them.
func postfixPort(service string) int {
	switch {
	case strings.Contains(service, "submissions") || strings.Contains(service, "smtps"):
		return 465
	case strings.Contains(service, "submission"):
		return 587
	}
	return 25
}

func isBackendReason(reason string) bool {
	r := strings.ToLower(reason)
	for _, b := range pfBackend {
		if strings.Contains(r, b) {
			return true
		}
	}
	return false
}

// rejectKind is a reject's reason without the addresses in it, so that
// rejects of the same kind count together.
func rejectKind(text string) string {
	if i := strings.LastIndex(text, ">: "); i >= 0 {
		text = text[i+3:]
	}
	if i := strings.Index(text, ";"); i >= 0 {
		text = text[:i]
	}
	return strings.TrimSpace(text)
}
