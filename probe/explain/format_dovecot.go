package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Dovecot's authentication log (auth_verbose = yes):
//
//	auth: passwd-file(user,ip,<session>): unknown user
//	auth: passwd-file(user,ip,<session>): Password mismatch
//	auth-worker(pid): pam(user,ip): pam_authenticate() failed: Authentication failure (password mismatch?)
//	auth: Error: passwd-file(user,ip,<session>): stat(/etc/...) failed: No such file or directory
//	imap-login: Disconnected (auth failed, 1 attempts in 10 secs): user=<u>, method=PLAIN, rip=ip, lip=...
//	imap-login: Login: user=<u>, method=PLAIN, rip=ip, lip=...
//
// Dovecot 2.3.x and later log the same with "(user=...,rip=...)" fields.
// With auth_verbose_passwords the attempted password is logged too; the
// reader removes it.
var (
	dvDriver  = regexp.MustCompile(`(?:auth|auth-worker)(?:\(\d+\))?: (?:(Info|Error|Warning|Fatal): )?(?:conn .*?: auth-worker<\d+>: )?([\w-]+)\(([^,()]*),([0-9a-fA-F:.]*)(?:,<[^>]*>)?\): (.*)$`)
	dvKV      = regexp.MustCompile(`(?:auth|auth-worker)(?:\(\d+\))?: (?:(Info|Error|Warning|Fatal): )?.*\((?:[^)]*\b)?user=<?([^,>)]*)>?,.*?rip=([0-9a-fA-F:.]+)[^)]*\)[:,]? ?(.*)$`)
	dvLogin   = regexp.MustCompile(`(imap|pop3|submission|managesieve)-login: (.*?): user=<([^>]*)>.*?rip=([0-9a-fA-F:.]+)`)
	dvAuthErr = regexp.MustCompile(`dovecot(?:\[\d+\])?: auth(?:-worker)?(?:\(\d+\))?: (Error|Fatal): (.*)$`)
)

var formatDovecot = &format{
	Name:  "dovecot",
	Title: "Dovecot authentication log (auth, auth-worker, *-login)",
	kind:  kindServerLog,
	claims: func(line string) bool {
		if !dovecotHint(line) {
			return false
		}
		return dvDriver.MatchString(line) || dvLogin.MatchString(line) || dvAuthErr.MatchString(line) || dvKV.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		for _, line := range lines {
			if !dovecotHint(line) {
				continue
			}
			at := stamp(line, r.now)
			var level, user, addr, what string
			if m := dvDriver.FindStringSubmatch(line); m != nil {
				level, user, addr, what = m[1], m[3], m[4], m[5]
			} else if m := dvKV.FindStringSubmatch(line); m != nil {
				level, user, addr, what = m[1], m[2], m[3], m[4]
			} else if m := dvLogin.FindStringSubmatch(line); m != nil {
				r.log.lines++
				switch {
				case strings.HasPrefix(m[2], "Login"):
					r.login(at, eventSuccess, m[3], m[4], "")
				case strings.Contains(m[2], "auth failed"):
					r.login(at, eventFailure, m[3], m[4], "auth failed ("+m[1]+"-login)")
					r.told("auth", probe.StepAuth, 535, "5.7.8", "5.7.8 Authentication failed")
					r.keepLine(at, line)
				}
				continue
			} else if m := dvAuthErr.FindStringSubmatch(line); m != nil {
				r.log.lines++
				r.login(at, eventBackend, "", "", m[2])
				r.told("backend", probe.StepAuth, 454, "4.7.0", "4.7.0 Temporary authentication failure")
				r.keepLine(at, line)
				continue
			} else {
				continue
			}
			r.log.lines++
			w := strings.ToLower(what)
			switch {
			case level == "Error" || level == "Fatal" || strings.Contains(w, "failed:") && !strings.Contains(w, "authentication failure") || strings.Contains(w, "timed out") || strings.Contains(w, "connection refused"):
				r.login(at, eventBackend, user, addr, Escape(what))
				r.told("backend", probe.StepAuth, 454, "4.7.0", "4.7.0 Temporary authentication failure")
			case strings.Contains(w, "unknown user"):
				r.login(at, eventFailure, user, addr, "unknown user")
				r.told("auth", probe.StepAuth, 535, "5.7.8", "5.7.8 Authentication failed")
			case strings.Contains(w, "mismatch") || strings.Contains(w, "authentication failure"):
				r.login(at, eventFailure, user, addr, "password mismatch")
				r.told("auth", probe.StepAuth, 535, "5.7.8", "5.7.8 Authentication failed")
			default:
				continue
			}
			r.keepLine(at, line)
		}
	},
}

// dovecotHint is a cheap test before the patterns.
func dovecotHint(line string) bool {
	return strings.Contains(line, "dovecot") || strings.Contains(line, "auth-worker") || strings.Contains(line, "auth: ") || strings.Contains(line, "-login: ")
}
