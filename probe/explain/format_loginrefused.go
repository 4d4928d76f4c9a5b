package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// A refused login said in words, without the server's reply: what apps
// show when their library kept the reply to itself. PHPMailer's "SMTP
// Error: Could not authenticate.", libcurl's "Login denied" (error 67,
// also as PHP's "cURL error 67"), Apple Mail's "rejected the password for
// user", Ansible's "Authentication to smtp.example.com:587 failed", Dart
// mailer's "Incorrect username / password / credentials". Text
// cannot tell a wrong password from a login turned off, so the
// diagnosis says what else it could be (input.text_only).
var (
	loginRefusedPhrases = []string{
		"could not authenticate", "login denied", "rejected the password",
		"username and/or password", "smtp authentication failed", "smtp auth failed",
		"incorrect username / password", // Dart's mailer
	}
	loginRefusedTo = regexp.MustCompile(`(?i)\bauthentication to (\S+?) failed\b`)
)

var formatLoginRefused = &format{
	Name:    "login-refused",
	Title:   "a refused login in words, without the reply (Could not authenticate, Login denied, rejected the password)",
	kind:    kindError,
	generic: true,
	claims: func(line string) bool {
		_, ok := loginRefusedIn(line)
		return ok
	},
	read: func(r *reader, lines []string) {
		for _, line := range lines {
			if _, ok := loginRefusedIn(line); !ok {
				continue
			}
			if m := loginRefusedTo.FindStringSubmatch(line); m != nil {
				if h, p := hostPort(m[1]); plausibleHost(h) {
					r.setHost(h)
					r.setPort(p)
				}
			}
			r.s.fail(probe.StepAuth, probe.CodeAuthCredentialsRejected, strings.TrimSpace(line))
			return
		}
	},
}

// loginRefusedIn finds the words of a refused login in line.
func loginRefusedIn(line string) (string, bool) {
	l := strings.ToLower(line)
	for _, p := range loginRefusedPhrases {
		if strings.Contains(l, p) {
			return p, true
		}
	}
	if strings.Contains(l, "authentication to ") && loginRefusedTo.MatchString(line) {
		return "authentication to … failed", true
	}
	return "", false
}
