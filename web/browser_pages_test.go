package web

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
)

// An email address typed into the host field goes through discovery to the
// try-all's own permalink: candidates listed, the matrix with a best row,
// and a headline that says what to use.
func TestBrowserEmailStartToTryAll(t *testing.T) {
	b := newBrowser(t)
	e, _ := sandboxTryEnv(t, 0, false)
	b.do(t, "type an address and start",
		chromedp.Navigate(e.http.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("host")),
		chromedp.SendKeys(chromedp.ID("host"), "alice@example.test"),
		chromedp.Click(chromedp.CSS(`#probe-form button[type=submit]:not([name])`)),
		chromedp.WaitVisible(chromedp.ID("try-headline")))
	loc := eval[string](t, b, `location.pathname`)
	if !strings.HasPrefix(loc, "/try/") {
		t.Fatalf("ended on %s, want the try-all's permalink /try/{id}", loc)
	}
	// The page fills in live, then reloads for the verdict.
	b.poll(t, "the verdict", `!document.getElementById("try-headline").textContent.startsWith("Trying ")`)
	headline := eval[string](t, b, `document.getElementById("try-headline").textContent`)
	if !strings.HasPrefix(headline, "Use localhost port ") {
		t.Errorf("headline %q", headline)
	}
	cands := eval[string](t, b, `document.querySelector("ol.candidates").textContent`)
	if !strings.Contains(cands, "localhost:") || !strings.Contains(cands, "_submission SRV record") {
		t.Errorf("candidates %q", cands)
	}
	if n := eval[float64](t, b, `document.querySelectorAll("table.matrix tr.best").length`); n != 1 {
		t.Errorf("%v best rows, want 1", n)
	}
	b.pageChecks(t, "try-all group")
	b.shot(t, "tryall-from-address")
	// The permalink is a GET page: reloading shows the same result.
	b.do(t, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("try-headline")))
	if again := eval[string](t, b, `document.getElementById("try-headline").textContent`); again != headline {
		t.Errorf("after reload the headline is %q, was %q", again, headline)
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// A test that waits on a silent server shows the wait counting against the
// step's limit, live; Cancel stops it and the page says it was cancelled.
func TestBrowserElapsedAndCancel(t *testing.T) {
	b := newBrowser(t)
	tp := tarpit(t)
	cfg := Config{}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, attempt.Config{StepTimeout: 60 * time.Second})
	b.do(t, "start a test of a silent server",
		chromedp.Navigate(e.http.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("host")),
		chromedp.SetValue(chromedp.ID("host"), tp.Host),
		chromedp.SetValue(chromedp.ID("port"), strconv.Itoa(tp.Port)),
		chromedp.SetValue(chromedp.ID("security"), "none"),
		chromedp.Click(chromedp.CSS(`#probe-form button[type=submit]:not([name])`)),
		chromedp.WaitVisible(chromedp.ID("cancel")))
	b.poll(t, "the wait is shown", `(() => { const w = document.getElementById("waiting");
		return w !== null && w.textContent.includes("waiting for the greeting") && w.textContent.includes("of 60 s"); })()`)
	first := eval[string](t, b, `document.querySelector("#waiting .elapsed").textContent`)
	// The count moves on by itself (no timing asserted: only that it
	// changes while nothing else happens on the wire).
	b.poll(t, "the elapsed time counts on", `document.querySelector("#waiting .elapsed").textContent !== `+strconv.Quote(first))
	b.shot(t, "permalink-waiting")
	b.do(t, "cancel",
		chromedp.Click(chromedp.ID("cancel")),
		chromedp.WaitVisible(chromedp.ID("verdict-h")))
	b.poll(t, "the cancelled verdict", `document.getElementById("verdict-h").textContent === "You cancelled the test"`)
	if eval[bool](t, b, `document.getElementById("cancel") !== null`) {
		t.Error("a finished test still offers Cancel")
	}
	b.shot(t, "permalink-cancelled")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// The history table at desktop and phone widths: no horizontal overflow,
// each date on one line, the Security column there, the reply cut to one
// line, in light and dark.
func TestBrowserHistoryWidths(t *testing.T) {
	b := newBrowser(t)
	e := newEnv(t, Config{})
	for i := range 6 {
		e.storedAttempt(func(r *probe.Result) {
			r.StartedAt = time.Now().UTC().Add(-time.Duration(i) * time.Hour)
			r.Settings.Host = "mail" + strconv.Itoa(i) + ".a-rather-long-organisation-name.example.org"
			r.Failure = &probe.Failure{Step: probe.StepAuth, Reply: 535, Enhanced: "5.7.8",
				Lines: []string{"5.7.8 Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials a640c23a62f3a-b8d1a2f1c3sm1234567b.12 - gsmtp"}}
		})
	}
	for _, vp := range []struct {
		name  string
		w, h  int64
		dark  bool
		phone bool
	}{{"desktop", 1280, 900, false, false}, {"phone", 390, 844, false, true}, {"phone-dark", 390, 844, true, true}} {
		t.Run(vp.name, func(t *testing.T) {
			b.media(t, vp.w, vp.h, vp.dark)
			b.do(t, "open the history", chromedp.Navigate(e.http.URL+"/history"), chromedp.WaitVisible(chromedp.CSS("table.history")))
			b.pageChecks(t, "history "+vp.name)
			b.shot(t, "history-"+vp.name)
			if n := eval[float64](t, b, `[...document.querySelectorAll("table.history td.when time")].filter(t => t.getClientRects().length !== 1).length`); n != 0 {
				t.Errorf("%v dates break over more than one line", n)
			}
			if n := eval[float64](t, b, `[...document.querySelectorAll("table.history .reply")].filter(r => r.getBoundingClientRect().height > parseFloat(getComputedStyle(r).lineHeight) * 1.5).length`); n != 0 {
				t.Errorf("%v replies take more than one line", n)
			}
			if !vp.phone && !eval[bool](t, b, `[...document.querySelectorAll("table.history th")].some(th => th.textContent === "Security")`) {
				t.Error("no Security column")
			}
			if vp.phone && eval[bool](t, b, `document.querySelector("table.history").getBoundingClientRect().right > window.innerWidth + 1`) {
				t.Error("the history table is wider than the phone's screen")
			}
		})
	}
}

// The compare picker lists each test on its own line with nothing
// overlapping; the breakdown reads in dark mode (contrast, legend); the
// servers page fits a phone.
func TestBrowserPickerBreakdownServers(t *testing.T) {
	b := newBrowser(t)
	e := newEnv(t, Config{})
	var first string
	for i := range 5 {
		id := e.storedAttempt(func(r *probe.Result) {
			r.StartedAt = time.Now().UTC().Add(-time.Duration(i) * time.Hour)
			r.Settings.Host = "a-rather-long-mail-server-name.example.org"
			if i%2 == 0 {
				r.Outcome = probe.OutcomeSuccess
				r.Diagnosis = &probe.Diagnosis{Code: probe.CodeOK, Title: "Everything worked"}
			}
		})
		if i == 0 {
			first = id
		}
	}
	for _, vp := range []struct {
		name string
		w, h int64
		dark bool
	}{{"desktop", 1280, 900, false}, {"phone-dark", 390, 844, true}} {
		t.Run(vp.name, func(t *testing.T) {
			b.media(t, vp.w, vp.h, vp.dark)
			b.do(t, "open the picker", chromedp.Navigate(e.http.URL+"/compare?a="+first), chromedp.WaitVisible(chromedp.CSS("ul.picklist")))
			overlaps := eval[float64](t, b, `(() => {
				const r = [...document.querySelectorAll("ul.picklist li")].map(li => li.getBoundingClientRect());
				let n = 0;
				for (let i = 1; i < r.length; i++) if (r[i].top < r[i-1].bottom - 0.5) n++;
				return n; })()`)
			if overlaps != 0 {
				t.Errorf("%v picker lines overlap the one above", overlaps)
			}
			b.pageChecks(t, "picker "+vp.name)
			b.shot(t, "picker-"+vp.name)

			b.do(t, "open the breakdown", chromedp.Navigate(e.http.URL+"/breakdown"), chromedp.WaitVisible(chromedp.CSS("table.breakdown")))
			b.pageChecks(t, "breakdown "+vp.name)
			if n := eval[float64](t, b, `document.querySelectorAll(".heat-legend .heat").length`); n != 5 {
				t.Errorf("legend has %v steps, want 5", n)
			}
			b.shot(t, "breakdown-"+vp.name)

			b.do(t, "open the servers", chromedp.Navigate(e.http.URL+"/servers"), chromedp.WaitVisible(chromedp.CSS("table.servers")))
			b.pageChecks(t, "servers "+vp.name)
			b.shot(t, "servers-"+vp.name)
		})
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// A try-all fills in live, in a real browser under the real CSP: with both
// servers' greetings held back, neither row has a result; once the fast
// one greets, its row shows its diagnosis and evidence link while the slow
// one still shows the step it waits in and its count, all without a
// reload; once the slow one greets, the verdict and the best row appear.
func TestBrowserTryAllFillsInLive(t *testing.T) {
	b := newBrowser(t)
	p := startGatedPair(t)
	cfg, ac := p.config()
	e := newEnvWith(t, cfg, ac)
	fast, slow := `tr[data-port="`+strconv.Itoa(p.fast.Port)+`"]`, `tr[data-port="`+strconv.Itoa(p.slow.Port)+`"]`
	b.do(t, "start a try-all from its form",
		chromedp.Navigate(e.http.URL+"/try?host=127.0.0.1"),
		chromedp.WaitVisible(chromedp.ID("try-host")),
		chromedp.Click(chromedp.CSS(`form[action="/try"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("live")))
	if loc := eval[string](t, b, `location.pathname`); !strings.HasPrefix(loc, "/try/") {
		t.Fatalf("ended on %s, want the try-all's page", loc)
	}
	// A mark on this document: a reload would wipe it.
	eval[bool](t, b, `window.sameDocument = true`)
	b.poll(t, "both rows wait for their greeting", `[...document.querySelectorAll("#live tr[data-state=running] .waiting")]
		.filter(w => w.textContent.includes("waiting for the greeting")).length === 2`)
	if h := eval[string](t, b, `document.getElementById("try-headline").textContent`); !strings.HasPrefix(h, "Trying 2 ports on 127.0.0.1") {
		t.Errorf("headline while running: %q", h)
	}
	b.shot(t, "tryall-running")

	p.openFast()
	b.poll(t, "the fast row fills in", `document.querySelector('#live `+fast+`[data-state=done]') !== null`)
	if !eval[bool](t, b, `window.sameDocument === true`) {
		t.Fatal("the page reloaded to show a row")
	}
	if s := eval[string](t, b, `document.querySelector('`+slow+`').dataset.state`); s != "running" {
		t.Errorf("the slow row is %q while its server has not greeted", s)
	}
	if d := eval[string](t, b, `document.querySelector('`+fast+` td.diagnosis').textContent`); !strings.Contains(d, "Everything worked") {
		t.Errorf("the fast row's diagnosis: %q", d)
	}
	if href := eval[string](t, b, `document.querySelector('`+fast+` th a').getAttribute("href")`); !strings.HasPrefix(href, "/p/") {
		t.Errorf("the fast row links to %q, want its attempt's permalink", href)
	}
	first := eval[string](t, b, `document.querySelector('`+slow+` .elapsed').textContent`)
	// The slow row's wait counts on by itself (no timing asserted: only
	// that it changes while its server stays silent).
	b.poll(t, "the slow row's wait counts on", `document.querySelector('`+slow+` .elapsed').textContent !== `+strconv.Quote(first))
	if !eval[bool](t, b, `window.sameDocument === true`) {
		t.Fatal("the page reloaded while the slow row waited")
	}
	b.shot(t, "tryall-one-row")

	p.openSlow()
	b.poll(t, "the verdict", `(() => { const h = document.getElementById("try-headline");
		return h !== null && h.textContent.startsWith("Use 127.0.0.1 port `+strconv.Itoa(p.fast.Port)+` with STARTTLS"); })()`)
	if n := eval[float64](t, b, `document.querySelectorAll("table.matrix tr.best").length`); n != 1 {
		t.Errorf("%v best rows, want 1", n)
	}
	if eval[bool](t, b, `document.getElementById("cancel") !== null || document.querySelector("[data-events]") !== null`) {
		t.Error("the finished try-all still offers Cancel or listens for events")
	}
	b.pageChecks(t, "try-all finished")
	b.shot(t, "tryall-done")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// Cancel on a running try-all's page stops it, and the page says so.
func TestBrowserTryAllCancel(t *testing.T) {
	b := newBrowser(t)
	p := startGatedPair(t)
	cfg, ac := p.config()
	e := newEnvWith(t, cfg, ac)
	loc, _ := e.startTryAll(t, "127.0.0.1")
	b.do(t, "open the running try-all and cancel it",
		chromedp.Navigate(e.http.URL+loc),
		chromedp.WaitVisible(chromedp.ID("cancel")),
		chromedp.Click(chromedp.ID("cancel")))
	b.poll(t, "the cancelled verdict", `(() => { const h = document.getElementById("try-headline");
		return h !== null && h.textContent.startsWith("You cancelled this try-all"); })()`)
	if n := eval[float64](t, b, `[...document.querySelectorAll("table.matrix td.diagnosis code")].filter(c => c.textContent === "probe.cancelled").length`); n != 2 {
		t.Errorf("%v rows say they were cancelled, want 2", n)
	}
}
