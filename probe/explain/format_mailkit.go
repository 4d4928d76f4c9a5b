package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// MailKit's ProtocolLogger: "Connected to smtp://host:port/?starttls=..."
// then "C: " and "S: " at the start of each line. Its exceptions
// (AuthenticationException "535: 5.7.3 ...", SmtpCommandException with
// the reply text only) come after.
var (
	mkMarker    = regexp.MustCompile(`^\s*([CS]): ?(.*)$`)
	mkConnected = regexp.MustCompile(`Connected to (smtps?)://([^/\s]+)/?(\?starttls=([\w-]+))?`)
	mkExc       = regexp.MustCompile(`MailKit\.(?:Security|Net\.Smtp)\.(\w+Exception):\s*(.*)$`)
	mkCodeColon = regexp.MustCompile(`(\d{3}): ([245]\.\d{1,3}\.\d{1,3}.*)$`)
)

var formatMailKit = &format{
	Name:  "mailkit",
	Title: "MailKit protocol log (ProtocolLogger) and its exceptions",
	kind:  kindTranscript,
	claims: func(line string) bool {
		if m := mkMarker.FindStringSubmatch(line); m != nil {
			if m[1] == "C" {
				return true
			}
			_, _, _, ok := replyLine(strings.TrimSpace(m[2]))
			return ok
		}
		return strings.Contains(line, "Connected to smtp") || strings.Contains(line, "MailKit.") && mkExc.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		for i, line := range lines {
			if m := mkConnected.FindStringSubmatch(line); m != nil {
				h, p := hostPort(m[2])
				if h == "" {
					h = m[2]
				}
				r.setHost(h)
				r.setPort(p)
				switch {
				case m[1] == "smtps":
					r.setSecurity(probe.SecurityTLS)
				case m[4] == "always":
					r.setSecurity(probe.SecurityStartTLS)
				}
				r.s.note(stamp(line, r.now), strings.TrimSpace(line))
				continue
			}
			if m := mkMarker.FindStringSubmatch(line); m != nil {
				if m[1] == "C" {
					r.s.client(stamp(line, r.now), m[2])
				} else {
					r.s.server(stamp(line, r.now), m[2])
				}
				continue
			}
			if m := mkExc.FindStringSubmatch(line); m != nil && r.res.Failure == nil && m[1] == "SslHandshakeException" {
				mailkitHandshake(r, lines[i:], strings.TrimSpace(m[2]))
				continue
			}
			if m := mkExc.FindStringSubmatch(line); m != nil && r.res.Failure == nil {
				msg := strings.Trim(strings.TrimSpace(m[2]), `'"`)
				if sign, ok := netSignIn(msg); ok {
					r.netFailure(sign, msg)
					continue
				}
				step := ""
				if m[1] == "AuthenticationException" {
					step = probe.StepAuth
				}
				if c := mkCodeColon.FindStringSubmatch(msg); c != nil {
					msg = c[1] + " " + c[2]
				}
				if code, rl, ok := extractReply(msg, nil); ok {
					r.s.failReply(step, "", code, rl)
				} else if e := enhanced(msg); e != "" {
					// SmtpCommandException: "5.7.3 Authentication unsuccessful".
					r.s.failReply(step, "", codeForEnhanced(e, msg), []string{msg})
				}
			}
		}
	},
}

// codeForEnhanced is the reply code that goes with an enhanced status
// code when a library dropped it: the class is the enhanced code's, and
// RFC 4954 gives the usual codes of the AUTH failures.
func codeForEnhanced(e, text string) int {
	t := strings.ToLower(text)
	switch {
	case strings.HasPrefix(e, "5.7.") && (strings.Contains(t, "authentication unsuccessful") || strings.Contains(t, "authentication failed") || strings.Contains(t, "credentials") || strings.Contains(t, "password")):
		return 535
	case strings.HasPrefix(e, "5.7.") && strings.Contains(t, "relay"):
		return 550
	case strings.HasPrefix(e, "5.7.0") || strings.HasPrefix(e, "5.7.57") || strings.HasPrefix(e, "5.5.1"):
		return 530
	case strings.HasPrefix(e, "4.7.") && strings.Contains(t, "authentication"):
		return 454 // RFC 4954 §6: temporary authentication failure
	case strings.HasPrefix(e, "4."):
		return 451
	}
	return 550
}

// mailkitHandshake reads MailKit's SslHandshakeException: the reasons it
// found come on the lines below ("The server certificate has the
// following errors: • …"); without them, its message lists the usual
// causes as numbered guesses ("1. The server is using a self-signed
// certificate…"), which are not findings, and says the certificate is
// most likely not trusted.
func mailkitHandshake(r *reader, lines []string, msg string) {
	block := lines[:min(len(lines), 20)]
	for _, l := range block[1:] {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "at ") || digit(t[0]) || strings.HasPrefix(strings.ToLower(t), "another possibility") {
			continue
		}
		if sign, ok := netSignIn(t); ok {
			r.netFailure(sign, t)
			return
		}
	}
	if strings.Contains(strings.ToLower(strings.Join(block, " ")), "not trusted by the system") {
		r.s.fail(probe.StepTLS, probe.CodeTLSCertUntrusted, msg)
		return
	}
	r.s.fail(probe.StepTLS, probe.CodeTLSHandshakeFailed, msg)
}
