package ticket_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
	"github.com/smtpdoctor/smtpdoctor/probe/ticket"
)

func sandboxResult(t *testing.T, key string) (probe.Result, string) {
	t.Helper()
	sb, err := sandbox.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	i := slices.IndexFunc(sb.Examples(), func(e sandbox.Example) bool { return e.Key == key })
	ex := sb.Examples()[i]
	res := probe.Run(t.Context(), ex.Settings, probe.Secret{Password: ex.Password}, probe.Options{RootCAs: sb.RootCAs(), StepTimeout: 10 * time.Second})
	diagnosis.Diagnose(&res)
	return res, ex.Password
}

func TestWrongPasswordTicket(t *testing.T) {
	res, password := sandboxResult(t, sandbox.ExampleWrongPassword)
	md := ticket.Markdown(res, ticket.Link{URL: "http://127.0.0.1:8080/p/abc", LocalOnly: true})
	for _, want := range []string{
		"**Verdict:** failure",
		"(`" + string(probe.CodeAuthCredentialsRejected) + "`)",
		"| Username | `" + sandbox.DemoUser + "` |",
		"| Security | STARTTLS |",
		"| SMTP AUTH offered | yes: PLAIN LOGIN after TLS |",
		"S: 535 5.7.8",
		"password withheld",
		"Full report: http://127.0.0.1:8080/p/abc",
		"works only on the machine that ran the test",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("want %q in the ticket:\n%s", want, md)
		}
	}
	for _, secret := range []string{password, "16 characters", "characters]"} {
		if strings.Contains(md, secret) {
			t.Errorf("the ticket holds %q:\n%s", secret, md)
		}
	}
}

func TestPublicLinkHasNoLoopbackNote(t *testing.T) {
	res, _ := sandboxResult(t, sandbox.ExampleWorking)
	md := ticket.Markdown(res, ticket.Link{URL: "https://smtpdoctor.example.com/p/abc"})
	if !strings.Contains(md, "**Verdict:** success") || strings.Contains(md, "only on the machine") {
		t.Errorf("ticket:\n%s", md)
	}
}

// A server reply with backticks must not close the transcript's code fence,
// nor a username with a pipe break the settings table.
func TestServerTextCannotBreakTheMarkdown(t *testing.T) {
	res := probe.Result{
		Status: probe.StatusDone, Outcome: probe.OutcomeFailure,
		Settings:   probe.Settings{Host: "mx.example.com", Port: 25, Security: probe.SecurityNone, User: "a|b`c"},
		Diagnosis:  &probe.Diagnosis{Code: probe.CodeAuthNotOffered, Title: "No AUTH"},
		Transcript: []probe.Line{{Dir: probe.DirServer, Text: "220 ```` <script>"}, {Dir: probe.DirClient, Text: "EHLO x"}},
	}
	md := ticket.Markdown(res, ticket.Link{})
	if !strings.Contains(md, "\n`````\n") {
		t.Errorf("the fence is not longer than the reply's backticks:\n%s", md)
	}
	if !strings.Contains(md, "| Username | ``a\\|b`c`` |") {
		t.Errorf("the username is not kept in one cell:\n%s", md)
	}
}

func TestLinkToKnowsLoopback(t *testing.T) {
	for url, local := range map[string]bool{
		"http://127.0.0.1:8080/p/x":          true,
		"http://[::1]:8080/p/x":              true,
		"http://localhost:8080/p/x":          true,
		"https://smtpdoctor.example.com/p/x": false,
		"http://192.168.1.10:8080/p/x":       false,
		"http://127.0.0.53.example.com/p/x":  false,
	} {
		if got := ticket.LinkTo(url).LocalOnly; got != local {
			t.Errorf("LinkTo(%s).LocalOnly = %v, want %v", url, got, local)
		}
	}
}

// A server reply quoted in the diagnosis is text in the ticket: no image
// that loads from elsewhere, no link, no HTML.
func TestQuotedRepliesStayText(t *testing.T) {
	res := probe.Result{
		Status: probe.StatusDone, Outcome: probe.OutcomeFailure,
		Settings: probe.Settings{Host: "mx.example.com", Port: 25},
		Diagnosis: &probe.Diagnosis{Code: probe.CodeAuthCredentialsRejected, Title: "Refused",
			Summary: `The server said "535 ![x](https://evil.example/t.png) <img src=x> [click](https://evil.example)".`},
	}
	md := ticket.Markdown(res, ticket.Link{})
	for _, bad := range []string{"![x](", " <img", "[click]("} {
		if strings.Contains(md, bad) {
			t.Errorf("the ticket carries live Markdown %q:\n%s", bad, md)
		}
	}
	if !strings.Contains(md, `\!\[x\](https://evil.example/t.png) \<img src=x\>`) {
		t.Errorf("the reply is not kept as escaped text:\n%s", md)
	}
}
