package web

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
)

// From a permalink, "Watch this server" opens the form filled in with the
// test's settings; the password is typed again; the monitor's page then
// shows its first run and a working test alert.
func TestBrowserMonitorFromPermalink(t *testing.T) {
	b := newBrowser(t)
	e := newMonitorEnv(t, testKey(t))
	hook, bodies := hookReceiver(t)
	ctx := context.Background()
	if err := e.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	set := e.sandboxSettings()
	r := probe.Result{ID: attempt.NewID(), Status: probe.StatusDone, Outcome: probe.OutcomeSuccess, Settings: set, StartedAt: time.Now(),
		Diagnosis: &probe.Diagnosis{Code: probe.CodeOK, Title: "It works"}}
	if err := e.store.Save(ctx, r); err != nil {
		t.Fatal(err)
	}
	base := e.http.URL

	b.do(t, "open the permalink and choose Watch this server",
		chromedp.Navigate(base+"/p/"+r.ID),
		chromedp.WaitVisible(chromedp.ID("watch")),
		chromedp.Click(chromedp.ID("watch")),
		chromedp.WaitVisible(chromedp.ID("monitor-form")))
	if host := eval[string](t, b, `document.getElementById("host").value`); host != set.Host {
		t.Errorf("the form's host is %q, want %q", host, set.Host)
	}
	if port := eval[string](t, b, `document.getElementById("port").value`); port != strconv.Itoa(set.Port) {
		t.Errorf("the form's port is %q", port)
	}
	if pw := eval[string](t, b, `document.getElementById("password").value`); pw != "" {
		t.Error("the form came with a password filled in")
	}
	b.pageChecks(t, "monitor form")
	b.shot(t, "monitor-form")

	b.do(t, "fill in the password and a webhook, and save",
		chromedp.SetValue(chromedp.ID("name"), "Sandbox relay"),
		chromedp.SendKeys(chromedp.ID("password"), sandbox.DemoPassword),
		chromedp.SendKeys(chromedp.ID("alert_webhook"), hook.URL+"/hook"),
		chromedp.Click(chromedp.CSS(`#monitor-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("monitor-facts")))
	b.poll(t, "the first run shows", `(() => {
		if (!document.getElementById("monitor-state").textContent.includes("pending")) return true;
		setTimeout(() => location.reload(), 200);
		return false;
	})()`)
	b.do(t, "the page after the first run", chromedp.WaitVisible(chromedp.ID("monitor-state")))
	if st := eval[string](t, b, `document.getElementById("monitor-state").textContent`); st != "ok" {
		t.Errorf("the monitor's state reads %q, want ok", st)
	}
	facts := eval[string](t, b, `document.getElementById("monitor-facts").textContent`)
	for _, want := range []string{"Last run", "with a stored password (encrypted)", "webhook"} {
		if !strings.Contains(facts, want) {
			t.Errorf("the monitor page lacks %q", want)
		}
	}
	b.do(t, "send a test alert", chromedp.Click(chromedp.ID("test-alert")), chromedp.WaitVisible(chromedp.CSS(".alert.info")))
	waitFor(t, "the test alert", func() bool { return len(bodies()) == 1 })
	page := eval[string](t, b, `location.origin + location.pathname`)
	b.do(t, "open the page again to see the delivery log", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("deliveries")))
	if log := eval[string](t, b, `document.getElementById("deliveries").textContent`); !strings.Contains(log, "delivered") || !strings.Contains(log, "test") {
		t.Errorf("the delivery log reads %q", log)
	}
	if strings.Contains(eval[string](t, b, `document.documentElement.outerHTML`), sandbox.DemoPassword) {
		t.Error("the monitor page holds the password")
	}
	b.pageChecks(t, "monitor page")
	b.shot(t, "monitor-page")

	b.do(t, "the list", chromedp.Navigate(base+"/monitors"), chromedp.WaitVisible(chromedp.CSS("tr.monitor")))
	if row := eval[string](t, b, `document.querySelector("tr.monitor").textContent`); !strings.Contains(row, "Sandbox relay") || !strings.Contains(row, "ok") {
		t.Errorf("the list row reads %q", row)
	}
	b.pageChecks(t, "monitors")
}
