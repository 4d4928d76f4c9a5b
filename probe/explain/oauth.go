package explain

import (
	"encoding/base64"
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// What a text says of OAuth when no transcript showed the AUTH exchange:
// the mechanism the client used, and the server's error challenge.

// mechanismUsed finds the SASL mechanism an error message says the client
// used, when no transcript showed its AUTH command: nodemailer's
// "command: 'AUTH XOAUTH2'", msmtp's "authentication failed (method
// XOAUTH2)", a Python traceback's "auth("XOAUTH2", ...)". Only the token
// mechanisms are looked for: they change the advice (a refused token is
// renewed, not retyped), and their names cannot be mistaken for words.
// A server's EHLO line lists mechanisms it offers ("250-AUTH PLAIN
// XOAUTH2"), not the one used, so reply lines do not count.
var mechanismUsed = regexp.MustCompile(`(?i)(?:\bAUTH\s+|\bmethod\s+|\bmechanism[:=\s]+['"]?|\.auth\(\s*['"])(XOAUTH2|OAUTHBEARER)\b`)

// offeredList is a server's line listing what it offers: an EHLO reply.
var offeredList = regexp.MustCompile(`(?:^|[^0-9])250[ -]|\bAUTH=`)

func mechanismIn(lines []string) string {
	for _, l := range lines {
		if !containsFold(l, "oauth") || offeredList.MatchString(l) {
			continue
		}
		if m := mechanismUsed.FindStringSubmatch(l); m != nil {
			return strings.ToUpper(m[1])
		}
	}
	return ""
}

// errorChallenge is base64 that starts with `{"` ("eyJ"): the error
// challenge of a refused token (RFC 7628 §3.2.2) wherever a client puts
// it ("334 eyJ…", "code: 334, response: < eyJ…", alone on a line).
var errorChallenge = regexp.MustCompile(`\beyJ[A-Za-z0-9+/]{8,}={0,2}`)

// challengeIn is the first error challenge in line: base64 JSON with the
// "status" RFC 7628 §3.2.2 requires. Its shape, not the words around it,
// says what it is, so clients that print it their own way are read too.
func challengeIn(line string) (string, bool) {
	if !strings.Contains(line, "eyJ") {
		return "", false
	}
	for _, b64 := range errorChallenge.FindAllString(line, 4) {
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			continue
		}
		if e, ok := probe.DecodeOAuthError(raw, func(s string) string { return s }); ok && e["status"] != "" {
			return b64, true
		}
	}
	return "", false
}

var formatOAuthChallenge = &format{
	Name:    "oauth-challenge",
	Title:   "the error challenge of a refused OAuth token (334 and base64 JSON), however a client prints it",
	kind:    kindError,
	generic: true,
	claims: func(line string) bool {
		_, ok := challengeIn(line)
		return ok
	},
	read: func(r *reader, lines []string) {
		for _, line := range lines {
			if b64, ok := challengeIn(line); ok {
				// The session reads the challenge as it reads one in a
				// transcript: the token refused at AUTH.
				r.s.failReply(probe.StepAuth, "", 334, []string{b64})
				return
			}
		}
	},
}
