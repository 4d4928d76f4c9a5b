package explain

import (
	"regexp"
	"strings"
)

// Ruby's net-smtp exceptions, as Action Mailer, the mail gem and any Ruby
// program print them: the reply is the message. The class says no more
// than the code (net-smtp raises SMTPAuthenticationError for any 53x,
// Gmail's 530 to MAIL FROM too), so the reply decides the step.
//
//	/usr/lib/ruby/.../net/smtp.rb:1071:in `check_auth_response': 535 5.7.8 ... (Net::SMTPAuthenticationError)
//	Net::SMTPAuthenticationError: 535 5.7.8 Sorry.
//	Net::SMTPAuthenticationError (535-5.7.8 Username and Password not accepted. Learn more at
//	):
//
// A multi-line reply keeps its codes ("535-5.7.8 ..."), and Rails' log
// closes the parenthesis on the next line.
var (
	rubyExc = regexp.MustCompile(`Net::(SMTPAuthenticationError|SMTPServerBusy|SMTPSyntaxError|SMTPFatalError|SMTPUnknownError|SMTPUnsupportedCommand)\b`)
	// rubyUncaught is Ruby's own report of an uncaught exception:
	// "file:line:in `method': message (Class)".
	rubyUncaught = regexp.MustCompile(":in [`'][^']*': (.*) \\(Net::\\w+\\)\\s*$")
	// rubyLogged is "Class: message" and Rails' "Class (message".
	rubyLogged = regexp.MustCompile(`Net::\w+(?::| \()\s*(.*)$`)
)

var formatRuby = &format{
	Name:  "ruby",
	Title: "Ruby net-smtp errors (Action Mailer, the mail gem)",
	kind:  kindError,
	claims: func(line string) bool {
		return strings.Contains(line, "Net::SMTP") && rubyExc.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		for i, line := range lines {
			if r.res.Failure != nil {
				return
			}
			if !rubyExc.MatchString(line) {
				continue
			}
			msg := ""
			if u := rubyUncaught.FindStringSubmatch(line); u != nil {
				msg = u[1]
			} else if l := rubyLogged.FindStringSubmatch(line); l != nil {
				msg = l[1]
			}
			code, rl, ok := extractReply(msg, continuation(lines, i, replyCodeOf(msg)))
			if !ok {
				continue
			}
			r.s.failReply("", "", code, rl)
		}
	},
}
