package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Go's net/smtp and crypto/tls errors, as Go programs print them:
// "x509: certificate signed by unknown authority", "x509: certificate is
// valid for a, b, not c", "tls: first record does not look like a TLS
// handshake", "smtp: server doesn't support AUTH", "unencrypted
// connection" (PlainAuth refusing to send a password in the clear), "dial
// tcp 192.0.2.1:587: connect: connection refused", "dial tcp: lookup
// host: no such host". The server's replies inside them are read in
// format_go_reply.go.
var (
	goDial     = regexp.MustCompile(`dial tcp (\S+):`)
	goLookup   = regexp.MustCompile(`lookup ([^\s:]+)`)
	goValidFor = regexp.MustCompile(`x509: certificate is valid for .*, not (\S+)`)
)

var formatGo = &format{
	Name:  "go",
	Title: `Go net/smtp and go-mail errors (535 "5.7.8 ..."), crypto/tls and x509 errors`,
	kind:  kindError,
	claims: func(line string) bool {
		return strings.Contains(line, "x509: ") || strings.Contains(line, "tls: ") || strings.Contains(line, "smtp: ") ||
			strings.Contains(line, "dial tcp") || strings.Contains(line, "unencrypted connection") || claimsGoReply(line)
	},
	read: func(r *reader, lines []string) {
		readGoReply(r, lines)
		for _, line := range lines {
			if m := goDial.FindStringSubmatch(line); m != nil {
				h, p := hostPort(m[1] + ":")
				if h == "" {
					h, p = hostPort(line)
				}
				r.setHost(h)
				r.setPort(p)
			}
			if m := goLookup.FindStringSubmatch(line); m != nil {
				r.setHost(m[1])
			}
			if m := goValidFor.FindStringSubmatch(line); m != nil {
				r.setHost(strings.Trim(m[1], `",.`))
			}
			if r.res.Failure != nil {
				continue
			}
			switch {
			case strings.Contains(line, "smtp: server doesn't support AUTH"):
				r.s.fail(probe.StepAuth, probe.CodeAuthNotOffered, strings.TrimSpace(line))
			case strings.Contains(line, "unencrypted connection"):
				r.s.fail(probe.StepAuth, probe.CodeAuthRequiresTLS, strings.TrimSpace(line))
			default:
				if sign, ok := netSignIn(line); ok {
					r.netFailure(sign, line)
				}
			}
		}
	},
}
