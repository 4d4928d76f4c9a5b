package explain

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Go-quoted replies in the forms Go programs print them. The replies are
// formatted by net/textproto's own Error, as net/smtp returns them, so the
// quoting is Go's and not a copy of it.
func TestGoQuotedReplies(t *testing.T) {
	reply := func(code int, lines ...string) error {
		// ReadResponse joins a multi-line reply's lines with "\n",
		// each without its code.
		return &textproto.Error{Code: code, Msg: strings.Join(lines, "\n")}
	}
	var jsonLog bytes.Buffer
	slog.New(slog.NewJSONHandler(&jsonLog, nil)).Error("sending mail failed",
		"err", fmt.Errorf("AUTH: %w", reply(535, "5.7.8 Authentication credentials invalid")))

	cases := []struct {
		name, text string
		want       probe.Code
		step       string
		lines      int
	}{
		{"net/smtp, one line", fmt.Sprintf("AUTH: %v", reply(535, "5.7.8 Authentication credentials invalid")),
			probe.CodeAuthCredentialsRejected, probe.StepAuth, 1},
		{"Gmail's multi-line web login reply: the meaning is in the first lines", fmt.Sprintf("send: dial failed: SMTP AUTH failed: %v",
			reply(534, "5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbt>", "5.7.14 Please log in via your web browser and",
				"5.7.14 then try again.", "5.7.14  Learn more at", "5.7.14  https://support.google.com/mail/answer/78754 d2sm1234567wrb.1 - gsmtp")),
			probe.CodeAuthWebLoginRequired, probe.StepAuth, 5},
		{"Gmail's two-line 535", fmt.Sprintf("failed to authenticate: %v", reply(535, "5.7.8 Username and Password not accepted. For more information, go to",
			"5.7.8  https://support.google.com/mail/?p=BadCredentials d2sm1234567wrb.1 - gsmtp")),
			probe.CodeAuthCredentialsRejected, probe.StepAuth, 2},
		{"go-mail names the MAIL FROM step", fmt.Sprintf("send failed: sending SMTP MAIL FROM command: %v",
			reply(553, "5.7.1 <boss@example.com>: Sender address rejected: not owned by user me@example.com")),
			probe.CodeSenderRejected, probe.StepMail, 1},
		{"a temporary AUTH failure", fmt.Sprintf("AUTH: %v", reply(454, "4.7.0 Temporary authentication failure")),
			probe.CodeAuthTemporaryFailure, probe.StepAuth, 1},
		{"slog's JSON handler escapes the quotes", jsonLog.String(), probe.CodeAuthCredentialsRejected, probe.StepAuth, 1},
		{"the quoted reply broken over lines by hand", "*email.loginAuth auth: 535 \"5.7.8 Username and Password not accepted.\n" +
			"https://support.google.com/mail/?p=BadCredentials\" - gsmtp", probe.CodeAuthCredentialsRejected, probe.StepAuth, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, used := explain(c.text, time.Now())
			if len(used) == 0 || used[0] != "go" {
				t.Errorf("read by %v, want go", used)
			}
			if code(res) != c.want {
				t.Errorf("diagnosis %s, want %s\n%s\n%s", code(res), c.want, c.text, dump(res))
			}
			if f := res.Failure; f == nil || f.Step != c.step || len(f.Lines) != c.lines {
				t.Errorf("failure %+v, want step %s with %d reply lines\n%s", f, c.step, c.lines, c.text)
			}
		})
	}
}

// A web server's access log has a status, a size and quoted fields; it is
// not a Go error.
func TestGoQuotedReplyIsNotAnAccessLog(t *testing.T) {
	for _, line := range []string{
		`192.0.2.7 - - [30/Nov/2026:19:59:41 +0000] "GET /favicon.ico HTTP/1.1" 404 512 "-" "curl/8.5.0"`,
		`192.0.2.7 - - [30/Nov/2026:19:59:41 +0000] "POST /login HTTP/1.1" 200 535 "https://example.com/" "Mozilla/5.0"`,
	} {
		if claimsGoReply(line) {
			t.Errorf("the Go reply reader claims an access log line: %s", line)
		}
	}
}
