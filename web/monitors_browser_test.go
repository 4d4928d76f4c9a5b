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
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/service"
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

// The edit form on a monitor's page: filled in from the monitor, with the
// password and the webhook address left out (kept when left empty); a new
// name and interval are saved, and the kept webhook still gets alerts at
// its full address.
func TestBrowserMonitorEdit(t *testing.T) {
	b := newBrowser(t)
	e := newMonitorEnv(t, testKey(t))
	hook, bodies := hookReceiver(t)
	ctx := context.Background()
	if err := e.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	const hookPath = "/hook/T0AB1CD2E3FG4HI5JK6LM7"
	pw := sandbox.DemoPassword
	m, err := e.svc.Create(ctx, watch.Monitor{Name: "Sandbox relay", Settings: e.sandboxSettings(), Interval: 5 * time.Minute,
		Alerts: []watch.Alert{{Type: watch.AlertWebhook, URL: hook.URL + hookPath}}}, service.Secrets{Login: &pw})
	if err != nil {
		t.Fatal(err)
	}
	b.do(t, "open the monitor and choose Edit",
		chromedp.Navigate(e.http.URL+"/monitors/"+m.ID),
		chromedp.WaitVisible(chromedp.ID("edit-monitor")),
		chromedp.Click(chromedp.ID("edit-monitor")),
		chromedp.WaitVisible(chromedp.ID("monitor-form")))
	if name := eval[string](t, b, `document.getElementById("name").value`); name != "Sandbox relay" {
		t.Errorf("the form's name is %q", name)
	}
	if v := eval[string](t, b, `document.getElementById("password").value + document.getElementById("alert_webhook").value`); v != "" {
		t.Errorf("the edit form came with a secret filled in: %q", v)
	}
	if hint := eval[string](t, b, `document.getElementById("alert_webhook-hint").textContent`); !strings.Contains(hint, "kept: "+hook.URL) {
		t.Errorf("the webhook field's hint reads %q, want the kept address's scheme and host", hint)
	}
	html := eval[string](t, b, `document.documentElement.outerHTML`)
	if strings.Contains(html, hookPath) || strings.Contains(html, pw) {
		t.Error("the edit form holds the webhook path or the password")
	}
	b.pageChecks(t, "monitor edit form")
	b.shot(t, "monitor-edit")

	b.do(t, "rename, run every 15 minutes, save",
		chromedp.SetValue(chromedp.ID("name"), "Office relay"),
		chromedp.SetValue(chromedp.ID("interval"), "15m"),
		chromedp.Click(chromedp.ID("save-monitor")),
		chromedp.WaitVisible(chromedp.ID("monitor-facts")))
	if h1 := eval[string](t, b, `document.querySelector("h1").textContent`); h1 != "Office relay" {
		t.Errorf("the page's title reads %q after the edit", h1)
	}
	facts := eval[string](t, b, `document.getElementById("monitor-facts").textContent`)
	if !strings.Contains(facts, "with a stored password (encrypted)") {
		t.Errorf("the password was not kept: %q", facts)
	}
	got, _ := e.svc.Get(m.ID)
	if got.Name != "Office relay" || got.Interval != 15*time.Minute || !got.HasSecret ||
		len(got.Alerts) != 1 || got.Alerts[0].URL != hook.URL+hookPath {
		t.Errorf("after the edit: %q every %s, password %v, alerts %+v", got.Name, got.Interval, got.HasSecret, got.Alerts)
	}
	b.do(t, "send a test alert", chromedp.Click(chromedp.ID("test-alert")), chromedp.WaitVisible(chromedp.CSS(".alert.info")))
	waitFor(t, "the test alert", func() bool { return len(bodies()) >= 1 })
	if !strings.Contains(strings.Join(bodies(), ""), `"name":"Office relay"`) {
		t.Errorf("the test alert does not carry the new name: %v", bodies())
	}
}
