package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// JavaMail (Jakarta Mail) with mail.debug=true: "DEBUG SMTP: ..." lines of
// its own, and the protocol lines as they were sent and received, without
// a direction mark (replies start with a code; the rest is the client).
// Its exceptions (AuthenticationFailedException, SMTPSendFailedException,
// MessagingException) carry the server's reply as their message.
var (
	jmDebug   = regexp.MustCompile(`DEBUG SMTP: (.*)$`)
	jmConnect = regexp.MustCompile(`trying to connect to host "([^"]+)", port (\d+), isSSL (true|false)`)
	jmUser    = regexp.MustCompile(`(?:user|username)=([^\s,]+)`)
	jmExc     = regexp.MustCompile(`((?:javax|jakarta)\.mail\.(?:\w+\.)*(\w+Exception)|com\.sun\.mail\.(?:smtp|util)\.(\w+Exception)|org\.eclipse\.angus\.mail\.(?:smtp|util)\.(\w+Exception)):?\s*(.*)$`)
	// jmCouldNot names the server JavaMail could not reach: "Could not
	// connect to SMTP host: H, port: P" (older), "Couldn't connect to
	// host, port: H, P" (MailConnectException).
	jmCouldNot = regexp.MustCompile(`(?:Could not connect to SMTP host: (\S+?), port: |Couldn't connect to host, port: (\S+?), )(\d+)`)
	// jmBadGreeting is the server closing (or answering wrongly) before
	// its greeting: "Got bad greeting from SMTP host: H, port: P,
	// response: [EOF]", what plaintext to an implicit-TLS port gives.
	jmBadGreeting = regexp.MustCompile(`Got bad greeting from SMTP host: (\S+?), port: (\d+), response: (.*)$`)
	jmVerb        = regexp.MustCompile(`^(EHLO|HELO|STARTTLS|AUTH|MAIL FROM|RCPT TO|DATA|QUIT|RSET|NOOP)\b`)
)

var formatJavaMail = &format{
	Name:  "javamail",
	Title: "JavaMail / Jakarta Mail debug output (mail.debug) and its exceptions",
	kind:  kindTranscript,
	claims: func(line string) bool {
		return strings.Contains(line, "DEBUG SMTP:") || strings.Contains(line, "mail.") && jmExc.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		debug := false
		for _, l := range lines {
			if strings.Contains(l, "DEBUG SMTP:") {
				debug = true
				break
			}
		}
		for _, line := range lines {
			at := stamp(line, r.now)
			if m := jmDebug.FindStringSubmatch(line); m != nil {
				if c := jmConnect.FindStringSubmatch(m[1]); c != nil {
					r.setHost(c[1])
					r.setPort(atoi(c[2]))
					if c[3] == "true" {
						r.setSecurity(probe.SecurityTLS)
					}
				}
				if strings.Contains(m[1], "protocolConnect login") {
					if u := jmUser.FindStringSubmatch(m[1]); u != nil {
						r.setUser(u[1])
					}
				}
				r.s.note(at, "DEBUG SMTP: "+m[1])
				continue
			}
			if m := jmExc.FindStringSubmatch(line); m != nil {
				if r.res.Failure != nil {
					continue
				}
				msg := m[5]
				if c := jmCouldNot.FindStringSubmatch(msg); c != nil {
					r.setHost(c[1] + c[2])
					r.setPort(atoi(c[3]))
				}
				if g := jmBadGreeting.FindStringSubmatch(msg); g != nil {
					r.setHost(g[1])
					r.setPort(atoi(g[2]))
					if code, rl, ok := extractReply(g[3], nil); ok {
						r.s.failReply(probe.StepGreeting, "", code, rl)
					} else {
						r.netFailure(netSign{code: probe.CodeSMTPNoGreeting, step: probe.StepGreeting}, msg)
					}
					continue
				}
				if sign, ok := netSignIn(msg); ok {
					r.netFailure(sign, msg)
					continue
				}
				if code, rl, ok := extractReply(msg, nil); ok {
					step := ""
					if strings.HasSuffix(m[1], "AuthenticationFailedException") {
						step = probe.StepAuth
					}
					r.s.failReply(step, "", code, rl)
				}
				continue
			}
			if !debug {
				continue
			}
			t := strings.TrimSpace(line)
			if strings.HasPrefix(line, "\tat ") || strings.HasPrefix(t, "at ") || strings.HasPrefix(t, "Caused by") {
				if sign, ok := netSignIn(t); ok && r.res.Failure == nil {
					r.netFailure(sign, t)
				}
				continue
			}
			if _, _, _, ok := replyLine(t); ok {
				r.s.server(at, t)
				continue
			}
			if jmVerb.MatchString(strings.ToUpper(t)) || r.s.wait != waitNone {
				r.s.client(at, t)
			}
		}
	},
}
