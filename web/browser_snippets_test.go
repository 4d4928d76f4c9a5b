package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
)

// The permalink of a working sandbox probe in a real browser, under the
// real CSP: the snippets are there, a copy button copies its snippet's
// text, and "Copy as ticket text" copies the Markdown. The clipboard is
// replaced by a recorder, so the test reads exactly what the page's
// script handed to navigator.clipboard.writeText.
func TestBrowserSnippetsAndTicket(t *testing.T) {
	b := newBrowser(t)
	e, sb := sandboxEnv(t)
	id := runExample(t, e, sb, sandbox.ExampleWorking)
	permalink := e.http.URL + "/p/" + id

	const recordClipboard = `navigator.clipboard.writeText = text => { window.copied = text; return Promise.resolve(); }; true`
	b.do(t, "open the permalink",
		chromedp.Navigate(permalink),
		chromedp.WaitVisible(chromedp.ID("snippets-h")),
		chromedp.WaitVisible(chromedp.CSS(`#snippet-python > summary`)))
	eval[bool](t, b, recordClipboard)

	titles := eval[[]string](t, b, `[...document.querySelectorAll("details.snippet > summary")].map(s => s.textContent.trim())`)
	for _, want := range []string{"Nodemailer (Node.js)", "PHPMailer", "Django (settings.py)", "Python smtplib", "msmtp (~/.msmtprc)", "swaks", "curl"} {
		if !strings.Contains(strings.Join(titles, "|"), want) {
			t.Errorf("no %q snippet among %v", want, titles)
		}
	}

	b.do(t, "open the Python snippet and copy it",
		chromedp.Click(chromedp.CSS(`#snippet-python > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#snippet-python button.copy`)),
		chromedp.Click(chromedp.CSS(`#snippet-python button.copy`)))
	b.poll(t, "the Python snippet is copied", `window.copied !== undefined`)
	copied := eval[string](t, b, `window.copied`)
	shown := eval[string](t, b, `document.getElementById("snippet-text-python").textContent`)
	if copied != shown || !strings.Contains(copied, "s.starttls(context=context)") || !strings.Contains(copied, `os.environ["SMTP_PASSWORD"]`) {
		t.Errorf("copied %q, the page shows %q", copied, shown)
	}
	if label := eval[string](t, b, `document.querySelector("#snippet-python button.copy").textContent`); label != "Copied" {
		t.Errorf("the button says %q after copying", label)
	}
	b.pageChecks(t, "permalink with snippets")
	b.shot(t, "permalink-snippets")

	eval[bool](t, b, `window.copied = undefined; true`)
	b.do(t, "copy the ticket text",
		chromedp.WaitVisible(chromedp.CSS(`button[data-copy-from="ticket-text"]`)),
		chromedp.Click(chromedp.CSS(`button[data-copy-from="ticket-text"]`)))
	b.poll(t, "the ticket text is copied", `window.copied !== undefined`)
	ticket := eval[string](t, b, `window.copied`)
	for _, want := range []string{"**Verdict:** success", "| Username | `" + sandbox.DemoUser + "` |", "Full report: " + permalink, "<details><summary>Transcript"} {
		if !strings.Contains(ticket, want) {
			t.Errorf("ticket text lacks %q:\n%s", want, ticket)
		}
	}
	if strings.Contains(ticket, sandbox.DemoPassword) || strings.Contains(ticket, "13 characters") {
		t.Errorf("ticket text carries the password or its length:\n%s", ticket)
	}

	b.media(t, 390, 844, true)
	b.pageChecks(t, "permalink with snippets, phone, dark")
	b.shot(t, "permalink-snippets-phone-dark")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors (a CSP violation is one): %v", errs)
	}
}
