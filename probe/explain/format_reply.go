package explain

import (
	"regexp"
	"strings"
)

// A bare SMTP reply, as apps and web pages print it: "535 5.7.8 ...",
// "535-5.7.8 ..." over several lines, or inside a sentence ("SMTP Error
// (535): Authentication failed", "Failed: Authentication failed: 535
// 5.7.0 Invalid login or password"). The step is read from the reply
// (RFC 4954 codes belong to AUTH, relay refusals to RCPT TO).
var (
	replyAnywhere = regexp.MustCompile(`(?:^|[^0-9A-Za-z.])[45]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b`)
	replyAtStart  = regexp.MustCompile(`^\s*[45]\d\d[ -]\S`)
	replyInParens = regexp.MustCompile(`(?i)SMTP Error \(([45]\d\d)\):? (.*)$`)
)

var formatReply = &format{
	Name:    "reply",
	Title:   "SMTP reply lines (535 5.7.8 ..., 550 5.7.1 ...), alone or inside an error message",
	kind:    kindError,
	generic: true,
	claims: func(line string) bool {
		return replyAnywhere.MatchString(line) || replyAtStart.MatchString(line) || replyInParens.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		for i, line := range lines {
			if m := replyInParens.FindStringSubmatch(line); m != nil {
				r.s.failReply("", "", atoi(m[1]), []string{strings.TrimSpace(m[2])})
				return
			}
			if !replyAnywhere.MatchString(line) && !replyAtStart.MatchString(line) {
				continue
			}
			if code, rl, ok := extractReply(line, continuation(lines, i, replyCodeOf(line))); ok {
				r.s.failReply("", "", code, rl)
				return
			}
		}
	},
}
