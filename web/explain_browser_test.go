package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Paste → permalink → history (kind filter) → "Probe this server" with
// the form filled in from what the text revealed.
func TestBrowserExplain(t *testing.T) {
	b := newBrowser(t)
	e := newEnv(t, Config{})
	base := e.http.URL
	const password = "browser-paste-secret"
	text := pastedDebugLog("bea@example.org", password)

	b.do(t, "open the front page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("explain-text")))
	// Beside the form, not below it or hidden, on a desktop-wide window.
	if !eval[bool](t, b, `(() => {
		const f = document.getElementById("probe-form").getBoundingClientRect(), x = document.getElementById("explain-form").getBoundingClientRect();
		return x.left >= f.right - 1 && x.top < f.bottom && x.width > 200;
	})()`) {
		t.Error("the paste box is not beside the form")
	}
	b.shot(t, "front-page-with-paste-box")
	b.do(t, "paste into the box beside the form",
		chromedp.SetValue(chromedp.ID("explain-text"), text),
		chromedp.Click(chromedp.CSS(`#explain-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".verdict.failure")))
	if loc := eval[string](t, b, `location.pathname`); !strings.HasPrefix(loc, "/p/") {
		t.Fatalf("landed on %s, not a permalink", loc)
	}
	if code := eval[string](t, b, `document.querySelector(".verdict code").textContent`); code != "auth.credentials_rejected" {
		t.Errorf("verdict code %q", code)
	}
	if h1 := eval[string](t, b, `document.querySelector("h1").textContent`); h1 != "Pasted text about smtp.example.net:587" {
		t.Errorf("heading %q", h1)
	}
	if eval[bool](t, b, fmt.Sprintf(`document.body.innerText.includes(%q)`, password)) {
		t.Error("the password is on the page")
	}
	b.pageChecks(t, "explain-permalink")
	b.shot(t, "explain-permalink")
	permalink := eval[string](t, b, `location.pathname`)

	b.do(t, "find it in the history, filtered by kind",
		chromedp.Navigate(base+"/history"),
		chromedp.WaitVisible(chromedp.ID("f-kind")),
		chromedp.SetValue(chromedp.ID("f-kind"), "explain"),
		chromedp.Submit(chromedp.ID("f-kind")),
		chromedp.WaitVisible(chromedp.CSS("table.history")))
	if q := eval[string](t, b, `location.search`); !strings.Contains(q, "kind=explain") {
		t.Errorf("history query %q", q)
	}
	if !eval[bool](t, b, fmt.Sprintf(`[...document.querySelectorAll("table.history a")].some(a => a.getAttribute("href") === %q)`, permalink)) {
		t.Error("the explanation is not in the filtered history")
	}

	b.do(t, "probe this server",
		chromedp.Navigate(base+permalink),
		chromedp.WaitVisible(chromedp.ID("probe-this")),
		chromedp.Click(chromedp.ID("probe-this")),
		chromedp.WaitVisible(chromedp.ID("password")))
	for field, want := range map[string]string{"host": "smtp.example.net", "port": "587", "security": "starttls", "user": "bea@example.org"} {
		if got := eval[string](t, b, `document.getElementById("`+field+`").value`); got != want {
			t.Errorf("form field %s = %q, want %q", field, got, want)
		}
	}
	if eval[string](t, b, `document.activeElement.id`) != "password" {
		t.Error("the password field is not focused")
	}
	b.shot(t, "explain-probe-this")
	// A server log: the permalink shows its tables and histogram.
	var log strings.Builder
	for i := range 40 {
		fmt.Fprintf(&log, "Nov 14 %02d:%02d:00 mail postfix/submission/smtpd[%d]: warning: unknown[203.0.113.%d]: SASL LOGIN authentication failed: UGFzc3dvcmQ6\n", 8+i/20, (i%20)*3, 100+i, i%9)
	}
	b.do(t, "paste a server log",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("explain-text")),
		chromedp.SetValue(chromedp.ID("explain-text"), log.String()),
		chromedp.Click(chromedp.CSS(`#explain-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("log-histogram")))
	if n := eval[int](t, b, `document.querySelectorAll("#log-histogram rect.bar").length`); n < 2 {
		t.Errorf("%d histogram bars", n)
	}
	if code := eval[string](t, b, `document.querySelector(".verdict code").textContent`); code != "log.brute_force" {
		t.Errorf("log verdict %q", code)
	}
	b.pageChecks(t, "explain-log")
	b.shot(t, "explain-log-permalink")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
