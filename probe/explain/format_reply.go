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
		return replyAtStart.MatchString(line) || mayHoldReply(line) && replyAnywhere.MatchString(line) || strings.Contains(line, "rror (") && replyInParens.MatchString(line)
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

// mayHoldReply is a cheap test before the reply pattern: a 4xx or 5xx
// code, a space or hyphen, and an enhanced code's class and dot.
func mayHoldReply(line string) bool {
	for i := 0; i+5 < len(line); i++ {
		if (line[i] == '4' || line[i] == '5') && digit(line[i+1]) && digit(line[i+2]) && (line[i+3] == ' ' || line[i+3] == '-') &&
			(line[i+4] == '2' || line[i+4] == '4' || line[i+4] == '5') && line[i+5] == '.' {
			return true
		}
	}
	return false
}
