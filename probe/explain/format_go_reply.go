package explain

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Since Go 1.26.4 (the fix for CVE-2026-42507), net/textproto prints a
// server's error reply as its code and the reply text in Go's quoted form
// (textproto.Error: "%03d %q"), so that a reply cannot forge log lines;
// earlier releases print it bare, which format_reply.go reads. net/smtp
// and every library built on it (go-mail, Alertmanager, GoTrue) pass that
// along inside their own words:
//
//	AUTH: 535 "5.7.8 Authentication credentials invalid"
//	dial failed: SMTP AUTH failed: 535 "5.7.8 Authentication credentials invalid"
//	sending SMTP RCPT TO command: 550 "5.1.1 <x@example.com>: Recipient address rejected"
//
// A multi-line reply is one quoted string whose lines are joined by "\n",
// each without its code (RFC 5321 §4.2.1). The same text also arrives
// JSON-escaped from structured logs (535 \"5.7.8 ...\"), or with its
// quoted part broken over lines by whoever pasted it.
var (
	goQuotedReply = regexp.MustCompile(`(?:^|[^0-9A-Za-z.])([45]\d\d) ("(?:[^"\\]|\\.)*")`)
	// goQuoteOpen is a quoted reply whose closing quote is on a later line.
	goQuoteOpen = regexp.MustCompile(`(?:^|[^0-9A-Za-z.])([45]\d\d) "([^"]*)$`)
)

// goStepWords name the step in the words a Go program or library puts
// before the reply ("AUTH: ", "SMTP AUTH failed: ", "sending SMTP RCPT TO
// command: "); the last one before the reply wins.
var goStepWords = []struct{ word, step string }{
	{"greeting", probe.StepGreeting},
	{"EHLO", probe.StepEHLO},
	{"HELO", probe.StepEHLO},
	{"STARTTLS", probe.StepStartTLS},
	{"AUTH", probe.StepAuth},
	{"authenticat", probe.StepAuth},
	{"MAIL FROM", probe.StepMail},
	{"RCPT TO", probe.StepRcpt},
	{"DATA", probe.StepData},
	{"QUIT", probe.StepQuit},
}

// claimsGoReply is a line with a Go-quoted reply, whole or begun.
func claimsGoReply(line string) bool {
	if !mayHoldGoReply(line) {
		return false
	}
	l := goUnescapeJSON(line)
	return goReplyAt(goQuotedReply, l) != nil || goReplyAt(goQuoteOpen, l) != nil
}

// mayHoldGoReply is a cheap test before the patterns, which every line of
// a long log would otherwise pay for: a 4xx or 5xx code, a space and a
// quote, escaped or not.
func mayHoldGoReply(line string) bool {
	for i := strings.IndexByte(line, '"'); i >= 0; {
		j := i - 1
		if j > 0 && line[j] == '\\' {
			j--
		}
		if j >= 3 && line[j] == ' ' && (line[j-3] == '4' || line[j-3] == '5') && digit(line[j-2]) && digit(line[j-1]) {
			return true
		}
		next := strings.IndexByte(line[i+1:], '"')
		if next < 0 {
			return false
		}
		i += 1 + next
	}
	return false
}

// goReplyAt finds re's reply in line, or nil. A code right after another
// number is a web server's access log ("GET / HTTP/1.1" 404 512 "-"),
// not a reply; nor is a quoted text with no word in it.
func goReplyAt(re *regexp.Regexp, line string) []int {
	m := re.FindStringSubmatchIndex(line)
	if m == nil {
		return nil
	}
	before := strings.TrimRight(line[:m[2]], " ")
	if before != "" && digit(before[len(before)-1]) {
		return nil
	}
	if !strings.ContainsFunc(line[m[4]:m[5]], func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }) {
		return nil
	}
	return m
}

// readGoReply reads the first Go-quoted reply in lines, if any.
func readGoReply(r *reader, lines []string) bool {
	for i, line := range lines {
		if !mayHoldGoReply(line) {
			continue
		}
		l := goUnescapeJSON(line)
		if m := goReplyAt(goQuotedReply, l); m != nil {
			code := atoi(l[m[2]:m[3]])
			r.s.failReply(goStep(l[:m[2]]), "", code, goReplyLines(goUnquote(l[m[4]:m[5]])))
			return true
		}
		m := goReplyAt(goQuoteOpen, l)
		if m == nil {
			continue
		}
		// Broken over lines by hand: the reply runs to the line with
		// the closing quote.
		text := l[m[4]:m[5]]
		for _, more := range lines[i+1:] {
			more = goUnescapeJSON(more)
			if j := strings.Index(more, `"`); j >= 0 {
				text += "\n" + more[:j]
				break
			}
			text += "\n" + more
		}
		r.s.failReply(goStep(l[:m[2]]), "", atoi(l[m[2]:m[3]]), goReplyLines(unescapePy(text)))
		return true
	}
	return false
}

// goStep is the step the words before a reply name, or "" to let the
// reply's code decide.
func goStep(before string) string {
	step, at := "", -1
	for _, w := range goStepWords {
		if i := strings.LastIndex(before, w.word); i > at {
			step, at = w.step, i
		}
	}
	return step
}

// goUnquote undoes %q; a string cut short or otherwise not Go's own
// quoting is unescaped as far as it goes.
func goUnquote(q string) string {
	if s, err := strconv.Unquote(q); err == nil {
		return s
	}
	return unescapePy(strings.Trim(q, `"`))
}

// goUnescapeJSON turns a line of a JSON log (535 \"5.7.8 ...\") back into
// the text Go printed, when it holds an escaped quote.
func goUnescapeJSON(line string) string {
	if !strings.Contains(line, `\"`) || goQuotedReply.MatchString(line) {
		return line
	}
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		if line[i] == '\\' && i+1 < len(line) && (line[i+1] == '"' || line[i+1] == '\\') {
			i++
		}
		b.WriteByte(line[i])
	}
	return b.String()
}

// goReplyLines splits the reply text back into its lines.
func goReplyLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
