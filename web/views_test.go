package web

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
	"github.com/smtpdoctor/smtpdoctor/store"
)

const evil = `<script>alert("x")</script>`

// checkEscaped fails when evil appears raw, and when its escaped form does
// not appear at all (the text must be shown, not dropped).
func checkEscaped(t *testing.T, path, body string) {
	t.Helper()
	if strings.Contains(body, evil) || strings.Contains(body, "<script>alert") {
		t.Errorf("%s: server text not escaped", path)
	}
	if !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("%s: escaped server text missing", path)
	}
}

// checkCSPClean checks a page against its own CSP: every script carries
// the nonce and no element has a style attribute or an inline handler
// (style-src 'self' would block it; the browser test checks the console).
func checkCSPClean(t *testing.T, path string, resp *http.Response, body string) {
	t.Helper()
	m := regexp.MustCompile(`'nonce-([A-Za-z0-9+/=]+)'`).FindStringSubmatch(resp.Header.Get("Content-Security-Policy"))
	if m == nil {
		t.Fatalf("%s: no nonce in the CSP", path)
	}
	for _, s := range regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1) {
		if !strings.Contains(s, `nonce="`+m[1]+`"`) {
			t.Errorf("%s: script without the nonce: %s", path, s)
		}
	}
	if regexp.MustCompile(`<[^>]+\sstyle=`).MatchString(body) || strings.Contains(body, "<style") {
		t.Errorf("%s: inline style", path)
	}
	if regexp.MustCompile(`<[^>]+\son[a-z]+=`).MatchString(body) {
		t.Errorf("%s: inline event handler", path)
	}
}

func TestServersPage(t *testing.T) {
	e := newEnv(t, Config{})
	now := time.Now().UTC()
	okID := e.storedAttempt(func(r *probe.Result) {
		r.StartedAt, r.Outcome = now.Add(-3*time.Hour), probe.OutcomeSuccess
		r.Diagnosis = &probe.Diagnosis{Code: "ok", Title: "It works"}
	})
	badID := e.storedAttempt(func(r *probe.Result) {
		r.StartedAt = now.Add(-time.Hour)
		r.Diagnosis.Title = evil
	})
	neverID := e.storedAttempt(func(r *probe.Result) {
		r.Settings.Host, r.Settings.Port = "mx.example.net", 25
		r.StartedAt = now.Add(-2 * time.Hour)
	})
	oldID := e.storedAttempt(func(r *probe.Result) {
		r.Settings.Host = "old.example.org"
		r.StartedAt = now.Add(-40 * 24 * time.Hour)
	})

	resp, body := e.get("/servers")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /servers = %d", resp.StatusCode)
	}
	checkEscaped(t, "/servers", body)
	checkCSPClean(t, "/servers", resp, body)
	for _, want := range []string{
		"smtp.example.com:587", "mx.example.net:25",
		`href="/p/` + okID + `"`, `href="/p/` + badID + `"`, `href="/p/` + neverID + `"`, // marks link to attempts
		`<svg class="timeline"`, `class="mark success"`, `class="mark failure"`,
		"<title>" + fmtTime(now.Add(-3*time.Hour).Truncate(time.Millisecond)) + ": success (ok)</title>",
		"1 of the last 2 failed", "never",
		`href="/history?host=smtp.example.com&amp;port=587"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/servers lacks %q", want)
		}
	}
	// Newest first: smtp.example.com was tested last.
	if strings.Index(body, "smtp.example.com:587") > strings.Index(body, "mx.example.net:25") {
		t.Error("servers are not ordered most recently tested first")
	}
	if strings.Contains(body, oldID) || strings.Contains(body, "old.example.org") {
		t.Error("a server tested 40 days ago is listed with the default 30 days")
	}
	if _, body := e.get("/servers?days=60"); !strings.Contains(body, "old.example.org") {
		t.Error("?days=60 does not reach back 40 days")
	}
	for _, bad := range []string{"0", "x", "9999"} {
		if resp, _ := e.get("/servers?days=" + bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("/servers?days=%s = %d, want 400", bad, resp.StatusCode)
		}
	}
}

func TestBreakdownPage(t *testing.T) {
	e := newEnv(t, Config{})
	today := time.Now().UTC().Truncate(24 * time.Hour)
	monday := today.AddDate(0, 0, -2).Add(10 * time.Hour)
	for range 3 {
		e.storedAttempt(func(r *probe.Result) {
			r.StartedAt = monday
			r.Diagnosis.Code = "auth.blocked_by_policy"
		})
	}
	e.storedAttempt(func(r *probe.Result) { r.StartedAt = today.Add(time.Minute) })
	e.storedAttempt(func(r *probe.Result) {
		r.StartedAt = today.Add(2 * time.Minute)
		r.Diagnosis.Code = evil
	})
	e.storedAttempt(func(r *probe.Result) { r.StartedAt = today.AddDate(0, 0, -20) })

	resp, body := e.get("/breakdown")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /breakdown = %d", resp.StatusCode)
	}
	checkEscaped(t, "/breakdown", body)
	checkCSPClean(t, "/breakdown", resp, body)
	day := monday.Format(time.DateOnly)
	cell := `href="/history?code=auth.blocked_by_policy&amp;since=` + day + `&amp;until=` + day + `"`
	for _, want := range []string{cell, `class="heat h5"`, ">3</a>", "auth.credentials_rejected"} {
		if !strings.Contains(body, want) {
			t.Errorf("/breakdown lacks %q", want)
		}
	}
	// 14 day columns by default, the attempt of 20 days ago outside them.
	if n := strings.Count(body, `<th scope="col" class="day">`); n != 14 {
		t.Errorf("%d day columns, want 14", n)
	}
	if strings.Contains(body, ">4</td>") {
		t.Error("the credentials_rejected total counts the attempt of 20 days ago")
	}
	_, body = e.get("/breakdown?days=3")
	if n := strings.Count(body, `<th scope="col" class="day">`); n != 3 {
		t.Errorf("?days=3: %d day columns", n)
	}
	// The cell's link leads to exactly those attempts.
	_, hist := e.get("/history?code=auth.blocked_by_policy&since=" + day + "&until=" + day)
	if !strings.Contains(hist, "3 in all") {
		t.Errorf("the breakdown cell's history link does not find the 3 attempts")
	}
	if resp, _ := e.get("/breakdown?days=-1"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("?days=-1 = %d", resp.StatusCode)
	}
}

func TestComparePage(t *testing.T) {
	e := newEnv(t, Config{})
	t0 := time.Now().UTC().Add(-2 * time.Hour)
	aID := e.storedAttempt(func(r *probe.Result) {
		r.StartedAt, r.Outcome = t0, probe.OutcomeSuccess
		r.Diagnosis = &probe.Diagnosis{Code: "ok", Title: "It works"}
		r.Server = &probe.ServerInfo{Address: "192.0.2.1:587", Banner: []string{"mail ready"}, Extensions: []string{"STARTTLS", "AUTH PLAIN LOGIN"}}
		r.Auth = &probe.AuthInfo{OfferedBeforeTLS: []string{"PLAIN", "LOGIN"}, OfferedAfterTLS: []string{"PLAIN", "LOGIN"}, Succeeded: true}
		r.TLS = &probe.TLSInfo{Version: "TLS 1.3", Verified: true, Chain: []probe.Certificate{{SHA256: "aaaa", NotAfter: t0.Add(24 * time.Hour)}}}
	})
	bID := e.storedAttempt(func(r *probe.Result) {
		r.Server = &probe.ServerInfo{Address: "192.0.2.1:587", Banner: []string{evil}, Extensions: []string{"STARTTLS", "AUTH LOGIN"}}
		r.Auth = &probe.AuthInfo{OfferedAfterTLS: []string{"LOGIN"}}
		r.TLS = &probe.TLSInfo{Version: "TLS 1.2", Verified: true, Chain: []probe.Certificate{{SHA256: "bbbb", NotAfter: t0.Add(48 * time.Hour)}}}
	})

	// Newer first in the URL: the page still puts the older on the left.
	path := "/compare?a=" + bID + "&b=" + aID
	resp, body := e.get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", path, resp.StatusCode)
	}
	checkEscaped(t, path, body)
	checkCSPClean(t, path, resp, body)
	if strings.Index(body, `href="/p/`+aID+`"`) > strings.Index(body, `href="/p/`+bID+`"`) {
		t.Error("the older attempt is not on the left")
	}
	for _, want := range []string{"TLS 1.3", "TLS 1.2", "aaaa", "bbbb", "192.0.2.1:587", "only here: <code>PLAIN</code>",
		"auth.credentials_rejected", `class="differs"`, "differences</strong>"} {
		if !strings.Contains(body, want) {
			t.Errorf("compare lacks %q", want)
		}
	}
	// The server address is the same: shown, not marked.
	if m := regexp.MustCompile(`(?s)<tr( class="differs")?>\s*<th scope="row">Server address`).FindStringSubmatch(body); m == nil || m[1] != "" {
		t.Errorf("the equal server address is missing or marked as differing (%q)", m)
	}
	_, diffOnly := e.get(path + "&diff=1")
	if strings.Contains(diffOnly, ">Server address") || !strings.Contains(diffOnly, ">TLS version") {
		t.Error("?diff=1 does not keep only the differences")
	}

	// From the history's checkboxes: ?id=…&id=….
	if resp, body := e.get("/compare?id=" + aID + "&id=" + bID); resp.StatusCode != http.StatusOK || !strings.Contains(body, "bbbb") {
		t.Errorf("compare from checkboxes = %d", resp.StatusCode)
	}
	// One chosen: a list to pick the other from.
	resp, body = e.get("/compare?a=" + aID)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/compare?a=`+aID+`&amp;b=`+bID+`"`) {
		t.Errorf("compare with… = %d, lacks the link to the other attempt", resp.StatusCode)
	}
	// Nothing ticked: back to the history, which says what to do.
	if resp, _ := e.get("/compare"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/history?compare=none" {
		t.Errorf("compare with none = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := e.get("/history?compare=none"); !strings.Contains(body, "Tick one or two tests first, then press Compare.") {
		t.Errorf("the history does not say what to tick")
	}
	if resp, _ := e.get("/compare?id=" + aID + "&id=" + bID + "&id=" + aID); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("compare with three = %d", resp.StatusCode)
	}
	if resp, _ := e.get("/compare?a=" + aID + "&b=nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("compare with a bad id = %d", resp.StatusCode)
	}
	if resp, _ := e.get("/compare?a=" + aID + "&b=" + attempt.NewID()); resp.StatusCode != http.StatusNotFound {
		t.Errorf("compare with an unknown id = %d", resp.StatusCode)
	}

	// The permalink offers both ways in, and says what/when/where first.
	_, page := e.get("/p/" + bID)
	for _, want := range []string{`href="/compare?a=` + aID + `&amp;b=` + bID + `"`, `href="/compare?a=` + bID + `"`,
		`<p class="context">STARTTLS, signing in as alice · ` + fmtTime(time.Now().UTC().Add(-time.Minute))[:13]} {
		if !strings.Contains(page, want) {
			t.Errorf("permalink lacks %q", want)
		}
	}
	if strings.Index(page, `class="context"`) > strings.Index(page, `class="verdict`) {
		t.Error("the context line is not before the verdict")
	}
	// The history can select two.
	_, hist := e.get("/history")
	if !strings.Contains(hist, `<form id="compare-form" method="get" action="/compare">`) || !strings.Contains(hist, `name="id" value="`+aID+`"`) {
		t.Error("history has no compare form with checkboxes")
	}
}

func TestCompareFacetsDiffer(t *testing.T) {
	a := probe.Result{Steps: []probe.Step{{Name: probe.StepEHLO, Status: probe.StepOK, DurationMS: 3}}}
	b := probe.Result{Steps: []probe.Step{{Name: probe.StepEHLO, Status: probe.StepOK, DurationMS: 90}, {Name: probe.StepAuth, Status: probe.StepFailed}}}
	rows := compareResults(a, b)
	got := map[string]bool{}
	for _, r := range rows {
		got[r.What] = r.Differs
	}
	if d, ok := got["EHLO"]; !ok || d {
		t.Errorf("EHLO with the same status but other timing: present %v, differs %v", ok, d)
	}
	if !got["AUTH"] {
		t.Error("a step only one attempt took is not marked")
	}
	a.Steps[0].DurationMS, b.Steps[0].DurationMS = 100, 3000
	for _, r := range compareResults(a, b) {
		if r.What == "EHLO" && !r.Differs {
			t.Error("an EHLO 30 times slower is not marked")
		}
	}
}

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestTryAllPorts(t *testing.T) {
	sb, err := sandbox.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	port := func(name string) int {
		ap, ok := sb.Addr(name)
		if !ok {
			t.Fatalf("no sandbox server %s", name)
		}
		return int(ap.Port())
	}
	cfg := Config{Sandbox: sb}
	ac := attempt.Config{PerTarget: 1, TryCombos: []discover.Combo{
		{Port: port(sandbox.ServerImplicit), Security: probe.SecurityTLS},
		{Port: port(sandbox.ServerSubmission), Security: probe.SecurityStartTLS},
		{Port: port(sandbox.ServerMX), Security: probe.SecurityStartTLS},
		{Port: closedPort(t), Security: probe.SecurityStartTLS},
	}}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, ac)

	// The main form's button posts to /try: the password is sent along
	// and must be ignored.
	pass := "try-all-secret-pw"
	resp, body := e.postFollow("/try", url.Values{"mode": {"try-all"}, "host": {"127.0.0.1"}, "port": {"587"},
		"user": {"demo@sandbox.smtpdoctor.test"}, "password": {pass}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /try from the main form = %d\n%s", resp.StatusCode, body)
	}
	checkCSPClean(t, "try-all", resp, body)
	// 127.0.0.1 is the sandbox's address: its own four servers are tried
	// (the expired certificate among them), not the configured ports.
	for _, want := range []string{"Which port works on 127.0.0.1?", `<tr class="best"`, ">best</span>", "tls.cert_expired", "<code>ok</code>",
		"The password was not used"} {
		if !strings.Contains(body, want) {
			t.Errorf("try-all page lacks %q", want)
		}
	}
	if n := strings.Count(body, `>Evidence</a>`); n != 4 {
		t.Errorf("%d rows link to a stored attempt, want 4", n)
	}
	// Each combination is an ordinary stored attempt, without a login.
	id := regexp.MustCompile(`href="/p/([A-Za-z0-9_-]+)">Evidence`).FindStringSubmatch(body)
	if id == nil {
		t.Fatal("no evidence link")
	}
	r, err := e.store.Get(t.Context(), id[1])
	if err != nil || r.Status != probe.StatusDone || r.Settings.User != "" || r.Origin != "test-machine" {
		t.Errorf("stored try-all attempt: %+v, %v", r.Settings, err)
	}
	_, hist := e.get("/history?host=127.0.0.1")
	if !strings.Contains(hist, "4 in all") {
		t.Error("the history does not hold the four try-all attempts")
	}
	for _, f := range []string{e.dbPath, e.dbPath + "-wal"} {
		if b, _ := os.ReadFile(f); strings.Contains(string(b), pass) {
			t.Errorf("%s holds the password", f)
		}
	}
	if strings.Contains(e.logs.String(), pass) {
		t.Error("the log holds the password")
	}

	// POST /try from the try-all page; a bad host is refused before
	// connecting. GET only fills in the form: it must never connect.
	if resp, body := e.postFollow("/try", url.Values{"host": {"127.0.0.1"}}); resp.StatusCode != http.StatusOK || !strings.Contains(body, `<tr class="best"`) {
		t.Errorf("POST /try = %d", resp.StatusCode)
	}
	if resp, _ := e.postFollow("/try", url.Values{"host": {"a b\r\nc"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("POST /try with a bad host = %d", resp.StatusCode)
	}
	before := len(e.mustList(t))
	if resp, body := e.get("/try?host=127.0.0.1"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="try-host"`) ||
		!strings.Contains(body, `value="127.0.0.1"`) || strings.Contains(body, "table class=\"matrix\"") {
		t.Errorf("GET /try?host= = %d: want the form filled in, and no probes", resp.StatusCode)
	}
	if after := len(e.mustList(t)); after != before {
		t.Errorf("GET /try?host= started probes: %d attempts, then %d", before, after)
	}
}

// The form of GET /try costs nothing; a try-all counts against the
// per-client start rate like one probe.
func TestTryAllRateLimited(t *testing.T) {
	e := newEnvWith(t, Config{ProbeRate: 1}, attempt.Config{TryCombos: []discover.Combo{{Port: 587, Security: probe.SecurityStartTLS}}})
	for range 3 {
		if resp, _ := e.get("/try?host=127.0.0.1"); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /try = %d", resp.StatusCode)
		}
	}
	if resp, _ := e.postFollow("/try", url.Values{"host": {"127.0.0.1"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("first try-all = %d", resp.StatusCode)
	}
	if resp, _ := e.postFollow("/try", url.Values{"host": {"127.0.0.1"}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("second try-all in the minute = %d, want 429", resp.StatusCode)
	}
}

// A try-all goes through the target policy like any probe: loopback is
// refused by default, per row.
func TestTryAllPolicy(t *testing.T) {
	e := newEnvWith(t, Config{}, attempt.Config{TryCombos: []discover.Combo{{Port: 587, Security: probe.SecurityStartTLS}}})
	resp, body := e.postFollow("/try", url.Values{"host": {"127.0.0.1"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "policy.blocked_target") {
		t.Errorf("POST /try of loopback = %d, lacks policy.blocked_target", resp.StatusCode)
	}
}

func TestNewPagesInNav(t *testing.T) {
	e := newEnv(t, Config{})
	_, body := e.get("/")
	for _, href := range []string{`href="/servers"`, `href="/breakdown"`, `name="mode" value="try-all"`} {
		if !strings.Contains(body, href) {
			t.Errorf("the form page lacks %s", href)
		}
	}
	id := e.storedAttempt(nil)
	for _, path := range []string{"/", "/history", "/p/" + id, "/guide", "/compare?a=" + id, "/try"} {
		resp, body := e.get(path)
		checkCSPClean(t, path, resp, body)
	}
}

// A try-all takes one of the target's places: with PerTarget 1 and a probe
// of the host running, it is refused like a second probe would be.
func TestTryAllCountsAgainstPerTarget(t *testing.T) {
	tp := tarpit(t)
	cfg, ac := Config{}, attempt.Config{PerTarget: 1, StepTimeout: 30 * time.Second, TryCombos: []discover.Combo{{Port: tp.Port, Security: probe.SecurityStartTLS}}}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, ac)
	if resp, _ := e.postForm("/probes", formFor(tp.Host, tp.Port)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("probe = %d", resp.StatusCode)
	}
	resp, body := e.postFollow("/try", url.Values{"host": {tp.Host}})
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "already running") || resp.Header.Get("Retry-After") == "" {
		t.Errorf("try-all while the host is at its limit = %d", resp.StatusCode)
	}
}

// mustList is the stored attempts, newest first (up to MaxLimit).
func (e *testEnv) mustList(t *testing.T) []store.Summary {
	t.Helper()
	p, err := e.store.List(context.Background(), store.Filter{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return p.Attempts
}
