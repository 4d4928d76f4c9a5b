package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Sendmail's log (sendmail or sm-mta, with Cyrus SASL):
//
//	sm-mta[65696]: 14NNwaRl065696: AUTH failure (DIGEST-MD5): user not found (-20) SASL(-13): user not found: …, user=scanner, relay=[31.210.21.53]
//	sendmail[1234]: AUTH failure (PLAIN): authentication failure (-13) SASL(-13): authentication failure: Password verification failed, relay=client.example.com [203.0.113.5]
//	sendmail[1234]: AUTH=server, relay=client.example.com [203.0.113.5], authid=alice, mech=PLAIN, bits=0   (a login that worked)
//
// SASL's -1 (generic failure) and -4 (no mechanism) are the back end's
// failure, not the password's (sasl/sasl.h). Clients are told 535 5.7.0
// "authentication failed" (sendmail's srvrsmtp.c).
var (
	smAuthFail = regexp.MustCompile(`\b(?:sendmail|sm-mta)\[\d+\]: (?:\w+: )?AUTH failure \(([\w-]+)\): (.*?)(?:, user=([^,]*))?, relay=(?:\S+ )?\[(?:IPv6:)?([0-9a-fA-F:.]+)\]`)
	smAuthOK   = regexp.MustCompile(`\b(?:sendmail|sm-mta)\[\d+\]: (?:\w+: )?AUTH=server, relay=(?:\S+ )?\[(?:IPv6:)?([0-9a-fA-F:.]+)\](?: \(may be forged\))?, authid=([^,]+), mech=`)
)

var formatSendmail = &format{
	Name:  "sendmail",
	Title: "Sendmail log (AUTH failure, AUTH=server)",
	kind:  kindServerLog,
	claims: func(line string) bool {
		return strings.Contains(line, "AUTH failure") && smAuthFail.MatchString(line) || strings.Contains(line, "AUTH=server") && smAuthOK.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		for _, line := range lines {
			if !strings.Contains(line, "AUTH failure") && !strings.Contains(line, "AUTH=server") {
				continue
			}
			at := stamp(line, r.now)
			if m := smAuthFail.FindStringSubmatch(line); m != nil {
				r.log.lines++
				reason := strings.TrimSpace(m[2])
				if strings.Contains(reason, "(-1)") || strings.Contains(reason, "(-4)") || strings.Contains(reason, "generic failure") {
					r.login(at, eventBackend, m[3], m[4], reason)
					r.told("backend", probe.StepAuth, 454, "4.7.0", "4.7.0 Temporary authentication failure")
				} else {
					r.login(at, eventFailure, m[3], m[4], reason)
					r.told("auth", probe.StepAuth, 535, "5.7.0", "5.7.0 authentication failed")
				}
				r.keepLine(at, line)
				continue
			}
			if m := smAuthOK.FindStringSubmatch(line); m != nil {
				r.log.lines++
				r.login(at, eventSuccess, m[2], m[1], "")
			}
		}
	},
}
