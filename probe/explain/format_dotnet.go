package explain

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// System.Net.Mail's SmtpException (and PowerShell's Send-MailMessage,
// which wraps it): a sentence for the status code, then "The server
// response was: " and the reply text without its code. The sentence tells
// the code back (SmtpStatusCode): "requires a secure connection or the
// client was not authenticated" is 530, "Mailbox unavailable" 550.
var (
	dotnetResponse = regexp.MustCompile(`(?i)(.*?)\s*The server response (?:was|is): (.*)$`)
	dotnetInner    = regexp.MustCompile(`Error: ([45]\d\d) (\d\.\d{1,3}\.\d{1,3}) (.*)$`)
	dotnetSentence = []struct {
		phrase string
		code   int
		step   string
	}{
		{"requires a secure connection or the client was not authenticated", 530, probe.StepMail},
		{"mailbox unavailable", 550, probe.StepRcpt},
		{"transaction failed", 554, probe.StepRcpt},
		{"service not available", 421, probe.StepGreeting},
		{"syntax error, command unrecognized", 500, ""},
		{"insufficient system storage", 452, probe.StepRcpt},
		{"user not local", 551, probe.StepRcpt},
		{"mailbox name not allowed", 553, probe.StepMail},
	}
)

var formatDotNet = &format{
	Name:  "dotnet",
	Title: ".NET System.Net.Mail SmtpException (also PowerShell Send-MailMessage)",
	kind:  kindError,
	claims: func(line string) bool {
		return strings.Contains(line, "SmtpException") || strings.Contains(line, "The server response was:") ||
			strings.Contains(line, "The server response is:") || strings.Contains(line, "System.Net.Mail")
	},
	read: func(r *reader, lines []string) {
		for i, line := range lines {
			m := dotnetResponse.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			text := strings.TrimSpace(m[2])
			// A message split over lines (a web page's wrapping).
			for _, more := range lines[i+1:] {
				t := strings.TrimSpace(more)
				if t == "" || strings.HasPrefix(t, "at ") || strings.Contains(t, ":") && !strings.Contains(t, "://") {
					break
				}
				text += " " + t
			}
			text = strings.TrimRight(text, `"'.]`)
			// Microsoft 365 puts the failed AUTH into the MAIL reply:
			// "5.7.57 Client not authenticated to send mail. Error: 535
			// 5.7.139 Authentication unsuccessful, ...": the AUTH reply is
			// the cause.
			if in := dotnetInner.FindStringSubmatch(text); in != nil {
				r.s.failReply(probe.StepAuth, "", atoi(in[1]), []string{in[2] + " " + in[3]})
				return
			}
			sentence := strings.ToLower(m[1] + " " + lineBefore(lines, i))
			code, step := 0, ""
			for _, s := range dotnetSentence {
				if strings.Contains(sentence, s.phrase) {
					code, step = s.code, s.step
					break
				}
			}
			if c, rl, ok := extractReply(text, nil); ok && strings.HasPrefix(strings.TrimSpace(text), strconv.Itoa(c)) {
				r.s.failReply(step, "", c, rl)
				return
			}
			if code == 0 {
				code = codeForEnhanced(enhanced(text), text)
			}
			r.s.failReply(step, "", code, []string{text})
			return
		}
		for _, line := range lines {
			if sign, ok := netSignIn(line); ok {
				r.netFailure(sign, line)
				return
			}
		}
	},
}

// lineBefore is the line before i, where a wrapped message may begin.
func lineBefore(lines []string, i int) string {
	if i == 0 {
		return ""
	}
	return lines[i-1]
}
