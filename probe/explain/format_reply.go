package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// A bare SMTP reply, as apps and web pages print it: "535 5.7.8 ...",
// "535-5.7.8 ..." over several lines, inside a sentence ("Failed:
// Authentication failed: 535 5.7.0 Invalid login or password"), or its
// code named by the message ("SMTP Error (535): Authentication failed").
// The step is read from the reply (RFC 4954 codes belong to AUTH, relay
// refusals to RCPT TO).
var (
	replyAnywhere = regexp.MustCompile(`(?:^|[^0-9A-Za-z.])[45]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b`)
	replyAtStart  = regexp.MustCompile(`^\s*[45]\d\d[ -]\S`)
	// labelledCode is a reply code an error message names rather than
	// quotes: in parentheses after an error word ("SMTP Error (535): …",
	// Rust lettre's "permanent error (535): …", Dart mailer's
	// "Authentication Failed (code: 535)", Roundcube's "Invalid response
	// code received from server (535)"), or after "code:" ("SMTP Last
	// Response Code: 535 (authentication failed)"). Submatch 1 or 2 is the
	// code, 3 what follows it.
	labelledCode = regexp.MustCompile(`(?i)(?:\b(?:error|failed|failure|code)\b[^()\n]{0,40}\(\s*(?:code:?\s*)?([45][0-5]\d)\s*\)|\bcode:\s*([45][0-5]\d)\b)[:,.]?\s*(.*)$`)
	// serverSaid is a reply a client quotes without its code: the
	// enhanced code (class 4 or 5, an RFC 3463 subject) right after a
	// colon that ends a phrase about SMTP, as Thunderbird ("Outgoing
	// server (SMTP) error. The server responded: 5.7.139 Authentication
	// unsuccessful, …") and Delta Chat ("SMTP failed to send message:
	// 5.7.0 authentication failed", "SMTP failed to login: transient:
	// 4.7.0 …") print it. codeForEnhanced gives the code back. Words must
	// follow, so a version number ("Django 4.2.1") is not read as one.
	serverSaid = regexp.MustCompile(`(?i)\b(?:smtp|server|response|responded|replied|said|message|exception|login|authentication|transient|permanent)\b[^:\n]{0,40}:\s*["']?([45]\.[0-7]\.\d{1,3})\s+([A-Za-z].*)$`)
	// responseLine continues a labelled code on the lines below it: Dart
	// mailer's "response: < 5.7.8 …", then "< …" for each further line.
	responseLine = regexp.MustCompile(`^\s*(?:response:\s*)?<\s?(.*)$`)
	// httpStatus marks a code named as HTTP's, whose status codes look
	// like SMTP's ("HTTP Error (503)", "status code 500").
	httpStatus = regexp.MustCompile(`(?i)\bHTTP\b|status code`)
)

// labelled reads a reply code a message names (labelledCode) and the
// reply text after it, with the response lines below it.
func labelled(lines []string, i int) (int, []string, bool) {
	line := lines[i]
	if !mayHoldCode(line) || !strings.Contains(line, "(") && !containsFold(line, "code:") {
		return 0, nil, false
	}
	loc := labelledCode.FindStringSubmatchIndex(line)
	if loc == nil {
		return 0, nil, false
	}
	m := make([]string, 4)
	for k := range m {
		if loc[2*k] >= 0 {
			m[k] = line[loc[2*k]:loc[2*k+1]]
		}
	}
	at := loc[2]
	if at < 0 {
		at = loc[4]
	}
	if httpStatus.MatchString(line[max(0, at-40):at]) {
		return 0, nil, false
	}
	code := atoi(m[1] + m[2])
	var text []string
	if t := strings.TrimSpace(strings.Trim(strings.TrimSpace(m[3]), "()")); t != "" {
		text = append(text, t)
	}
	for _, l := range lines[i+1:] {
		c := responseLine.FindStringSubmatch(l)
		if c == nil {
			break
		}
		if t := strings.TrimSpace(c[1]); t != "" {
			text = append(text, t)
		}
	}
	return code, text, true
}

var formatReply = &format{
	Name:    "reply",
	Title:   "SMTP reply lines (535 5.7.8 ..., 550 5.7.1 ...), alone or inside an error message",
	kind:    kindError,
	generic: true,
	claims: func(line string) bool {
		if replyAtStart.MatchString(line) || mayHoldReply(line) && replyAnywhere.MatchString(line) {
			return true
		}
		_, _, ok := labelled([]string{line}, 0)
		return ok || saidWithoutCode(line) != nil
	},
	read: func(r *reader, lines []string) {
		for i, line := range lines {
			if !replyAtStart.MatchString(line) {
				if code, text, ok := labelled(lines, i); ok {
					r.s.failReply("", "", code, text)
					return
				}
			}
			if m := saidWithoutCode(line); m != nil && !mayHoldReply(line) {
				text := m[1] + " " + strings.TrimRight(strings.TrimSpace(m[2]), `"'`)
				r.s.failReply("", "", codeForEnhanced(m[1], text), []string{text})
				return
			}
			if !replyAnywhere.MatchString(line) && !replyAtStart.MatchString(line) {
				continue
			}
			if code, rl, ok := extractReply(line, continuation(lines, i, replyCodeOf(line))); ok {
				// Microsoft 365 puts the failed AUTH into the MAIL reply (as
				// .NET's reader also finds): "530 5.7.57 Client not
				// authenticated to send mail. Error: 535 5.7.139 …". The
				// AUTH reply is the cause.
				if in := dotnetInner.FindStringSubmatch(strings.Join(rl, " ")); in != nil {
					r.s.failReply(probe.StepAuth, "", atoi(in[1]), []string{in[2] + " " + in[3]})
					return
				}
				r.s.failReply("", "", code, rl)
				return
			}
		}
	},
}

// saidWithoutCode matches serverSaid, after a cheap test for an enhanced
// code's shape ("5.7.") behind a colon.
func saidWithoutCode(line string) []string {
	i := strings.IndexByte(line, ':')
	if i < 0 || !mayHoldEnhanced(line[i:]) {
		return nil
	}
	return serverSaid.FindStringSubmatch(line)
}

// mayHoldCode is a cheap test for a 4xx or 5xx reply code's shape.
func mayHoldCode(line string) bool {
	for i := 0; i+2 < len(line); i++ {
		if (line[i] == '4' || line[i] == '5') && digit(line[i+1]) && digit(line[i+2]) {
			return true
		}
	}
	return false
}

// mayHoldEnhanced is a cheap test for an enhanced code's class and
// subject: "4.7." or "5.5.".
func mayHoldEnhanced(line string) bool {
	for i := 0; i+3 < len(line); i++ {
		if (line[i] == '4' || line[i] == '5') && line[i+1] == '.' && digit(line[i+2]) && line[i+3] == '.' {
			return true
		}
	}
	return false
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
