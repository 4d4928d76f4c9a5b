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

	b.do(t, "paste into the box beside the form",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("explain-text")),
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
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
