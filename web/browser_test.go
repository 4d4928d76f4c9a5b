package web

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

const chromiumPath = "/usr/bin/chromium"

// browser is one headless Chromium shared by the subtests of a test (it
// takes a second to start), with its console collected and screenshots
// written to the test's temp dir.
type browser struct {
	t    *testing.T
	ctx  context.Context
	dir  string // screenshots
	mu   sync.Mutex
	logs []string // console errors and exceptions
}

// newBrowser starts headless Chromium. Without Chromium the test skips,
// unless SMTPDOCTOR_REQUIRE_REAL is set (CI), where a missing browser is a
// failure: a browser test that silently skips there tests nothing.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	require := os.Getenv("SMTPDOCTOR_REQUIRE_REAL") != ""
	if testing.Short() && !require {
		t.Skip("browser test in -short mode")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		if require {
			t.Fatalf("SMTPDOCTOR_REQUIRE_REAL is set but there is no Chromium at %s (apt-get install -y chromium): %v", chromiumPath, err)
		}
		t.Skip("no Chromium at " + chromiumPath + " (apt-get install -y chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	// A bound for the whole test, not a timed assertion: a page that never
	// reaches the awaited state fails here instead of hanging the suite.
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })

	b := &browser{t: t, ctx: ctx, dir: t.TempDir()}
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == "error" || m.IsException() {
				b.mu.Lock()
				b.logs = append(b.logs, m.Text)
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// do runs actions and fails the test with what was being done.
func (b *browser) do(t *testing.T, doing string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatalf("%s: %v", doing, err)
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// poll waits until a JavaScript expression is true. A navigation under
// way destroys the page the poll runs in; it then polls the next page.
func (b *browser) poll(t *testing.T, doing, expr string) {
	t.Helper()
	for {
		_, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr))
		if err == nil {
			return
		}
		if b.ctx.Err() != nil || !strings.Contains(err.Error(), "navigated") && !strings.Contains(err.Error(), "Cannot find context") {
			t.Fatalf("%s (waiting for %s): %v", doing, expr, err)
		}
	}
}

// shot writes a PNG of the whole page to the temp dir, and to
// $SMTPDOCTOR_SHOTS when set (to look at them after the run).
func (b *browser) shot(t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		t.Fatalf("screenshot %s is not a PNG", name)
	}
	if err := os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("SMTPDOCTOR_SHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// consoleErrors returns and forgets the errors collected so far.
func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.logs
	b.logs = nil
	return out
}

// media sets the emulated viewport and colour scheme.
func (b *browser) media(t *testing.T, width, height int64, dark bool) {
	t.Helper()
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	b.do(t, "emulate "+scheme,
		chromedp.EmulateViewport(width, height, chromedp.EmulateScale(1)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			})
			return err
		}))
}

// pageChecks asserts what every page must be in any viewport: every field
// labelled, nothing wider than the screen (tables scroll in their own box).
func (b *browser) pageChecks(t *testing.T, name string) {
	t.Helper()
	unlabelled := eval[float64](t, b, `[...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
		.filter(e => e.labels.length === 0 && !e.getAttribute("aria-label")).length`)
	if unlabelled != 0 {
		t.Errorf("%s: %v fields have no label", name, unlabelled)
	}
	low := eval[[]string](t, b, contrastJS)
	for _, l := range low {
		t.Errorf("%s: low contrast: %s", name, l)
	}
	if eval[bool](t, b, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
		w := eval[float64](t, b, `document.documentElement.scrollWidth`)
		t.Errorf("%s: the page is %vpx wide, wider than the viewport", name, w)
	}
}

// contrastJS lists text whose contrast with its background is under 4.5:1
// (WCAG 2 AA for normal text), as "selector text: ratio".
const contrastJS = `(() => {
	const parse = c => {
		let m = c.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/);
		if (m) return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]];
		m = c.match(/^color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)(?: \/ ([\d.]+))?\)/);
		if (m) return [m[1] * 255, m[2] * 255, m[3] * 255, m[4] === undefined ? 1 : +m[4]];
		return null;
	};
	const lum = ([r, g, b]) => {
		const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
		return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
	};
	const bgOf = el => {
		for (; el; el = el.parentElement) {
			const c = parse(getComputedStyle(el).backgroundColor);
			if (c && c[3] > 0.5) return c;
		}
		return parse(getComputedStyle(document.body).backgroundColor);
	};
	const out = [];
	const sel = "main p, main li, main td, main th, main dt, main dd, main a, main code, main label, main .badge, main .hint, main .muted, main button, main summary, main legend, main .diff-tag, header a, footer";
	for (const el of document.querySelectorAll(sel)) {
		if (!el.textContent.trim() || !el.checkVisibility()) continue;
		const fg = parse(getComputedStyle(el).color), bg = bgOf(el);
		if (!fg || !bg) continue;
		const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
		const ratio = (a + 0.05) / (b + 0.05);
		if (ratio < 4.5) out.push(el.tagName.toLowerCase() + "." + el.className + " " + JSON.stringify(el.textContent.trim().slice(0, 30)) + ": " + ratio.toFixed(2));
	}
	return [...new Set(out)].slice(0, 10);
})()`

// End to end in a real browser, under the real CSP: the form against a
// local SMTP server, live progress, the report, a failure with what
// changed, compare, history filters, re-run, servers and the breakdown,
// then the same pages on a phone in dark mode. The console must stay free
// of errors (a CSP violation is one).
func TestBrowser(t *testing.T) {
	b := newBrowser(t)

	// The server holds its AUTH reply while a gate is set, so the test can
	// look at the page mid-probe without timing anything.
	var gate atomic.Pointer[chan struct{}]
	srv := smtptest.Start(t, smtptest.Script{
		User: testUser, Password: testPassword,
		Hook: func(s *smtptest.Session, line string) bool {
			if g := gate.Load(); g != nil && strings.HasPrefix(strings.ToUpper(line), "AUTH") {
				<-*g
			}
			return false
		},
	})
	cfg, ac := Config{}, attempt.Config{TryCombos: []discover.Combo{
		{Port: srv.Port, Security: probe.SecurityStartTLS}, // answers, but offers no STARTTLS
		{Port: closedPort(t), Security: probe.SecurityTLS},
	}}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, ac)
	base := e.http.URL
	var okURL, badURL string

	t.Run("form, live progress, report", func(t *testing.T) {
		release := make(chan struct{})
		var once sync.Once
		open := func() { once.Do(func() { close(release) }) }
		t.Cleanup(open)
		gate.Store(&release)
		defer gate.Store(nil)

		b.do(t, "open the form",
			chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(chromedp.ID("host")),
			chromedp.Click(chromedp.CSS(`a[href="/?preset=gmail"]`)))
		if host := eval[string](t, b, `document.getElementById("host").value`); host != "smtp.gmail.com" {
			t.Errorf("the preset filled host %q", host)
		}
		if loc := eval[string](t, b, `location.href`); strings.Contains(loc, "preset=") {
			t.Errorf("the preset link navigated (%s) instead of filling in place", loc)
		}
		b.pageChecks(t, "form")
		b.shot(t, "form-desktop")

		b.do(t, "fill and submit",
			chromedp.SetValue(chromedp.ID("host"), srv.Host),
			chromedp.SetValue(chromedp.ID("port"), strconv.Itoa(srv.Port)),
			chromedp.SetValue(chromedp.ID("security"), "none"),
			chromedp.SendKeys(chromedp.ID("user"), testUser),
			chromedp.SendKeys(chromedp.ID("password"), testPassword),
			chromedp.Click(chromedp.CSS(`#probe-form button[type=submit]:not([name])`)),
			chromedp.WaitVisible(chromedp.ID("live")))
		// The probe waits at AUTH: the page shows the steps so far, AUTH
		// running, and no verdict yet.
		b.poll(t, "live progress", `(() => {
			const live = document.getElementById("live");
			return [...live.querySelectorAll("tr")].some(tr => tr.textContent.includes("AUTH") && tr.querySelector(".badge.running"))
				&& live.textContent.includes("EHLO");
		})()`)
		if eval[bool](t, b, `document.querySelector(".verdict.success, .verdict.failure") !== null`) {
			t.Fatal("a verdict is shown while the probe is held at AUTH")
		}
		b.shot(t, "permalink-live")
		open()
		b.do(t, "the page turns into the report",
			chromedp.WaitVisible(chromedp.CSS(".verdict.success, .verdict.warning")),
			chromedp.WaitVisible(chromedp.CSS("button[data-copy]")))
		okURL = eval[string](t, b, `location.href`)
		b.shot(t, "permalink-success-desktop")
	})

	t.Run("failure permalink reads without context", func(t *testing.T) {
		b.do(t, "submit a wrong password",
			chromedp.Navigate(base+"/?from="+strings.TrimPrefix(okURL, base+"/p/")),
			chromedp.WaitVisible(chromedp.ID("password")),
			chromedp.SendKeys(chromedp.ID("password"), "wrong-password"),
			chromedp.Click(chromedp.CSS(`#probe-form button[type=submit]:not([name])`)),
			chromedp.WaitVisible(chromedp.CSS(".verdict.failure")))
		badURL = eval[string](t, b, `location.href`)
		// Before the verdict: what was tested, when, from which machine.
		ctxLine := eval[string](t, b, `document.querySelector("p.context").textContent`)
		for _, want := range []string{"signing in as " + testUser, "UTC", "from test-machine"} {
			if !strings.Contains(ctxLine, want) {
				t.Errorf("context line %q lacks %q", ctxLine, want)
			}
		}
		if !eval[bool](t, b, `!!(document.querySelector("p.context").compareDocumentPosition(document.querySelector(".verdict")) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
			t.Error("the verdict comes before what was tested")
		}
		if code := eval[string](t, b, `document.querySelector(".verdict code").textContent`); code != "auth.credentials_rejected" {
			t.Errorf("verdict code %q", code)
		}
		b.poll(t, "what changed", `document.body.textContent.includes("What changed since it last worked")`)
		b.pageChecks(t, "failure permalink")
		b.shot(t, "permalink-failure-desktop")

		// Printed (or saved as PDF for a ticket): the report without the
		// navigation, the buttons and the forms.
		b.do(t, "emulate print", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}))
		printed := eval[map[string]string](t, b, `({nav: getComputedStyle(document.querySelector("header.site nav")).display,
			button: getComputedStyle(document.querySelector("button[data-copy]")).display,
			verdict: getComputedStyle(document.querySelector(".verdict")).display,
			transcript: getComputedStyle(document.querySelector("ol.transcript")).display})`)
		if printed["nav"] != "none" || printed["button"] != "none" || printed["verdict"] == "none" || printed["transcript"] == "none" {
			t.Errorf("print styles: %v", printed)
		}
		b.media(t, 1280, 900, false)
	})

	t.Run("compare with the previous test", func(t *testing.T) {
		b.do(t, "open compare",
			chromedp.Navigate(badURL),
			chromedp.Click(chromedp.CSS(`a[href^="/compare?a="][href*="&b="]`)),
			chromedp.WaitVisible(chromedp.CSS("table.compare")))
		diffs := eval[[]string](t, b, `[...document.querySelectorAll("tr.differs th[scope=row]")].map(th => th.textContent.trim())`)
		found := false
		for _, d := range diffs {
			found = found || strings.HasPrefix(d, "Diagnosis")
		}
		if !found {
			t.Errorf("compare marks %q, not the diagnosis", diffs)
		}
		b.pageChecks(t, "compare")
		b.shot(t, "compare-desktop")
	})

	t.Run("history filter and compare two", func(t *testing.T) {
		b.do(t, "filter the history to failures",
			chromedp.Navigate(base+"/history"),
			chromedp.WaitVisible(chromedp.ID("f-outcome")),
			chromedp.SetValue(chromedp.ID("f-outcome"), "failure"),
			chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)),
			chromedp.WaitReady(chromedp.CSS(`#f-outcome option[value=failure][selected]`)))
		if loc := eval[string](t, b, `location.search`); !strings.Contains(loc, "outcome=failure") {
			t.Errorf("the filter form went to %s", loc)
		}
		rows := eval[[]string](t, b, `[...document.querySelectorAll("#compare-form tbody tr")].map(tr => tr.textContent)`)
		if len(rows) != 1 || !strings.Contains(rows[0], "535 5.7.8") {
			t.Errorf("filtered history rows: %q", rows)
		}
		b.do(t, "tick two and compare",
			chromedp.Navigate(base+"/history"),
			chromedp.WaitVisible(chromedp.CSS(`#compare-form`)),
			chromedp.Click(chromedp.CSS(`#compare-form tbody tr:nth-child(1) input[type=checkbox]`)),
			chromedp.Click(chromedp.CSS(`#compare-form tbody tr:nth-child(2) input[type=checkbox]`)))
		b.pageChecks(t, "history")
		b.shot(t, "history-desktop")
		b.do(t, "submit compare",
			chromedp.Click(chromedp.CSS(`#compare-form button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS("table.compare")))
		if n := eval[float64](t, b, `document.querySelectorAll("tr.differs").length`); n == 0 {
			t.Error("comparing a success with a failure shows no difference")
		}
	})

	t.Run("re-run asks for the password", func(t *testing.T) {
		b.do(t, "run again",
			chromedp.Navigate(badURL),
			chromedp.Click(chromedp.CSS(`a.button[href^="/?from="]`)),
			chromedp.WaitVisible(chromedp.ID("probe-form")))
		got := eval[map[string]string](t, b, `({host: host.value, port: port.value, security: security.value, user: user.value,
			password: password.value, focused: document.activeElement.id})`)
		want := map[string]string{"host": srv.Host, "port": strconv.Itoa(srv.Port), "security": "none", "user": testUser,
			"password": "", "focused": "password"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("re-run form %s = %q, want %q", k, got[k], v)
			}
		}
		if !eval[bool](t, b, `document.body.textContent.includes("enter it again")`) {
			t.Error("the re-run form does not ask for the password")
		}
	})

	t.Run("servers and breakdown", func(t *testing.T) {
		b.do(t, "open servers", chromedp.Navigate(base+"/servers"), chromedp.WaitVisible(chromedp.CSS("svg.timeline")))
		marks := eval[[]string](t, b, `[...document.querySelectorAll("svg.timeline a")].map(a => a.getAttribute("href") + " " + a.querySelector("title").textContent)`)
		if len(marks) < 2 || !strings.Contains(strings.Join(marks, "\n"), "failure (auth.credentials_rejected)") {
			t.Errorf("timeline marks: %q", marks)
		}
		b.pageChecks(t, "servers")
		b.shot(t, "servers-desktop")
		// Keyboard: Tab reaches a timeline mark, Enter opens its test.
		reached := false
		for range 40 {
			b.do(t, "press Tab", chromedp.KeyEvent("\t"))
			if eval[bool](t, b, `document.activeElement.closest("svg.timeline") !== null`) {
				reached = true
				break
			}
		}
		if !reached {
			t.Fatal("Tab never reaches a timeline mark")
		}
		want := eval[string](t, b, `document.activeElement.getAttribute("href")`)
		b.do(t, "press Enter on the mark", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS(".verdict")))
		if loc := eval[string](t, b, `location.pathname`); loc != want {
			t.Errorf("Enter on the mark opened %s, want %s", loc, want)
		}
		b.do(t, "open breakdown", chromedp.Navigate(base+"/breakdown"), chromedp.WaitVisible(chromedp.CSS("table.breakdown")))
		b.do(t, "follow a cell", chromedp.Click(chromedp.CSS(`td.heat a[href*="code=auth.credentials_rejected"]`)),
			chromedp.WaitVisible(chromedp.ID("compare-form")))
		if loc := eval[string](t, b, `location.pathname + location.search`); !strings.HasPrefix(loc, "/history?code=auth.credentials_rejected&since=") {
			t.Errorf("the cell opened %s", loc)
		}
		if rows := eval[float64](t, b, `document.querySelectorAll("#compare-form tbody tr").length`); rows != 1 {
			t.Errorf("the breakdown cell's history shows %v rows, want 1", rows)
		}
		b.do(t, "back to breakdown", chromedp.Navigate(base+"/breakdown"), chromedp.WaitVisible(chromedp.CSS("table.breakdown")))
		b.pageChecks(t, "breakdown")
		b.shot(t, "breakdown-desktop")
	})

	t.Run("try all ports", func(t *testing.T) {
		b.do(t, "try all from the form",
			chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(chromedp.ID("host")),
			chromedp.SetValue(chromedp.ID("host"), srv.Host),
			chromedp.SendKeys(chromedp.ID("password"), "not-used"),
			chromedp.Click(chromedp.CSS(`button[name=mode][value=try-all]`)),
			chromedp.WaitVisible(chromedp.CSS("table.matrix")))
		codes := eval[[]string](t, b, `[...document.querySelectorAll("table.matrix tbody tr td:last-child code")].map(c => c.textContent)`)
		if strings.Join(codes, " ") != "tls.starttls_not_offered net.refused" {
			t.Errorf("matrix codes %q", codes)
		}
		b.pageChecks(t, "try all")
		b.shot(t, "try-all-desktop")
	})

	t.Run("phone and dark mode", func(t *testing.T) {
		b.media(t, 390, 844, true)
		defer b.media(t, 1280, 900, false)
		pages := map[string]string{
			"form": "/", "permalink-failure": strings.TrimPrefix(badURL, base), "history": "/history",
			"servers": "/servers", "breakdown": "/breakdown", "try-all": "/try?host=" + srv.Host,
			"compare": "/compare?a=" + strings.TrimPrefix(okURL, base+"/p/") + "&b=" + strings.TrimPrefix(badURL, base+"/p/"),
		}
		for name, path := range pages {
			b.do(t, "open "+name, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.ID("main")))
			if bg := eval[string](t, b, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(20, 22, 26)" {
				t.Errorf("%s: background %s in dark mode", name, bg)
			}
			b.pageChecks(t, name+" on a phone")
			b.shot(t, name+"-phone-dark")
		}
	})

	// Last, because it makes an error on purpose: the console listener
	// does see a CSP violation, so "no errors" above means something.
	if errs := b.consoleErrors(); len(errs) > 0 {
		for _, m := range errs {
			t.Errorf("console error: %s", m)
		}
	}
	b.do(t, "violate the CSP", chromedp.Navigate(base+"/guide"), chromedp.WaitVisible(chromedp.ID("main")))
	eval[any](t, b, `document.body.insertAdjacentHTML("beforeend", '<p style="color: red">inline</p>')`)
	b.poll(t, "the page is still there", `document.readyState === "complete"`)
	deadlineCtx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	for {
		b.mu.Lock()
		seen := strings.Contains(strings.Join(b.logs, "\n"), "Content Security Policy")
		b.mu.Unlock()
		if seen {
			break
		}
		select {
		case <-deadlineCtx.Done():
			t.Fatal("a deliberate inline style did not show as a CSP error in the console: the console check would miss violations")
		case <-time.After(20 * time.Millisecond):
		}
	}
}
