package web

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

const chromiumPath = "/usr/bin/chromium"

// newBrowser starts headless Chromium, or skips when it is not installed
// (apt-get install -y chromium).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("no Chromium at " + chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.NoFirstRun)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// In a real browser, under the real CSP: presets fill the form in place,
// the permalink updates live from the event stream and reloads into the
// report when the probe is done, the copy button appears, and the console
// shows no error (a CSP violation would be one).
func TestBrowserFormLiveReport(t *testing.T) {
	ctx := newBrowser(t)
	release := make(chan struct{})
	var once sync.Once
	srv := smtptest.Start(t, smtptest.Script{
		User: testUser, Password: testPassword,
		Hook: func(s *smtptest.Session, line string) bool {
			if strings.HasPrefix(strings.ToUpper(line), "AUTH") {
				<-release
			}
			return false
		},
	})
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	cfg := Config{}
	loopbackOK(&cfg)
	e := newEnv(t, cfg)

	// Start the browser on a blank page, then listen to its console.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	var mu sync.Mutex
	var consoleErrors []string
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == "error" || m.IsException() {
				mu.Lock()
				consoleErrors = append(consoleErrors, m.Text)
				mu.Unlock()
			}
		}
	}()

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.http.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("host")),
		chromedp.Click(chromedp.CSS(`a[href="/?preset=gmail"]`)),
	)
	if err != nil {
		t.Fatalf("open the form: %v", err)
	}
	host, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("host")))
	if err != nil || host != "smtp.gmail.com" {
		t.Errorf("preset filled host %q (%v)", host, err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); strings.Contains(loc, "preset=") {
		t.Errorf("the preset link navigated (%s) instead of filling in place", loc)
	}

	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("host"), srv.Host),
		chromedp.SetValue(chromedp.ID("port"), strconv.Itoa(srv.Port)),
		chromedp.SetValue(chromedp.ID("security"), "none"),
		chromedp.SendKeys(chromedp.ID("user"), testUser),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("probe-form")),
		chromedp.WaitVisible(chromedp.ID("live")),
	)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	// The probe now waits at AUTH; the live fragment shows it running.
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("live").textContent.includes("AUTH")`))
	if err != nil {
		t.Fatalf("the live fragment never showed the AUTH step: %v", err)
	}
	once.Do(func() { close(release) })
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(".verdict.success, .verdict.warning"))); err != nil {
		t.Fatalf("the page did not turn into the report: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("button[data-copy]"))); err != nil {
		t.Errorf("the copy button stayed hidden: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, m := range consoleErrors {
		t.Errorf("console error: %s", m)
	}
}
