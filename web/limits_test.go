package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/policy"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// tarpit is an SMTP server that accepts and never speaks, so a probe of
// it stays running until its step timeout or a shutdown.
func tarpit(t *testing.T) *smtptest.Server {
	return smtptest.Start(t, smtptest.Script{Greeting: []string{smtptest.Hang}})
}

func formFor(host string, port int) url.Values {
	return url.Values{"host": {host}, "port": {strconv.Itoa(port)}, "security": {"none"}}
}

// A control character in a password or token would go into the SASL
// payload as it is; it is refused, saying which character and where, and
// nothing connects.
func TestControlCharactersInPasswordRefused(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	cfg := Config{}
	loopbackOK(&cfg)
	e := newEnv(t, cfg)
	for pw, want := range map[string]string{
		"app-password\n":      "line break",
		"app\r\npassword":     "carriage return",
		"ya29.token\x01extra": `\x01`,
		"tab\tpassword":       "tab",
		"nul\x00password":     "NUL",
	} {
		v := formFor(srv.Host, srv.Port)
		v.Set("user", "alice@example.com")
		v.Set("password", pw)
		resp, body := e.postForm("/probes", v)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("form password %q: %d, want 400 saying %q", pw, resp.StatusCode, want)
		}
		api, _ := json.Marshal(map[string]any{"host": srv.Host, "port": srv.Port, "security": "none", "user": "alice@example.com", "password": pw})
		resp, body = e.postJSON("/api/v1/probes", string(api))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "password") || !strings.Contains(body, want) {
			t.Errorf("API password %q: %d %s", pw, resp.StatusCode, body)
		}
	}
	if n := srv.Connections(); n != 0 {
		t.Errorf("the server saw %d connections", n)
	}
}

func TestInjectionRefusedBeforeConnecting(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	cfg := Config{}
	loopbackOK(&cfg)
	e := newEnv(t, cfg)
	for _, tc := range []struct{ field, value string }{
		{"user", "alice\r\nMAIL FROM:<x@evil.example>"},
		{"helo", "me.example\nRSET"},
		{"from", "a@example.com\x00"},
		{"to", "b@example.com\r\nDATA"},
		{"host", srv.Host + "\r\n"},
	} {
		v := formFor(srv.Host, srv.Port)
		v.Set("password", "pw")
		if v.Get("user") == "" {
			v.Set("user", "alice")
		}
		v.Set(tc.field, tc.value)
		resp, body := e.postForm("/probes", v)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "line breaks or control characters") {
			t.Errorf("form %s=%q: %d", tc.field, tc.value, resp.StatusCode)
		}
		api, _ := json.Marshal(map[string]any{"host": v.Get("host"), "port": srv.Port, "user": v.Get("user"), "password": "pw",
			"helo": v.Get("helo"), "from": v.Get("from"), "to": v.Get("to")})
		resp, body = e.postJSON("/api/v1/probes", string(api))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.field) {
			t.Errorf("API %s=%q: %d %s", tc.field, tc.value, resp.StatusCode, body)
		}
	}
	if n := srv.Connections(); n != 0 {
		t.Errorf("the server saw %d connections", n)
	}
}

func TestTargetPolicyEndToEnd(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	// Ports widened (the test server has an ephemeral one), addresses not.
	e := newEnv(t, Config{AllowPorts: policy.PortSet{{1, 65535}}})
	for _, host := range []string{srv.Host, "169.254.169.254", "localhost"} {
		body, _ := json.Marshal(map[string]any{"host": host, "port": srv.Port, "security": "none"})
		resp, out := e.postJSON("/api/v1/probes?wait=30s", string(body))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", host, resp.StatusCode, out)
		}
		var res probe.Result
		json.Unmarshal([]byte(out), &res)
		if res.Diagnosis == nil || res.Diagnosis.Code != "policy.blocked_target" {
			t.Errorf("%s: diagnosis %+v", host, res.Diagnosis)
			continue
		}
		if !strings.Contains(out, "--allow-targets") {
			t.Errorf("%s: the result does not say how to allow the target", host)
		}
	}
	if n := srv.Connections(); n != 0 {
		t.Errorf("the server saw %d connections", n)
	}

	// Ports: refused at validation, with the way to allow them.
	e = newEnv(t, Config{AllowAllTargets: true})
	resp, body := e.postForm("/probes", formFor(srv.Host, srv.Port))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "--allow-ports") {
		t.Errorf("port %d: %d", srv.Port, resp.StatusCode)
	}
	if n := srv.Connections(); n != 0 {
		t.Errorf("the server saw %d connections", n)
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, Config{ProbeRate: 2})
	bad := url.Values{"host": {"smtp.example.com"}, "port": {"0"}}
	for i := range 2 {
		if resp, _ := e.postForm("/probes", bad); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("request %d = %d", i+1, resp.StatusCode)
		}
	}
	resp, body := e.postForm("/probes", bad)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "wait a minute") {
		t.Errorf("third start in a minute = %d", resp.StatusCode)
	}
	if resp, _ := e.postJSON("/api/v1/probes", `{}`); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the API is not limited with the form: %d", resp.StatusCode)
	}
	// Reading is not limited.
	if resp, _ := e.get("/"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET / = %d", resp.StatusCode)
	}
}

func TestOverCapacity(t *testing.T) {
	tp := tarpit(t)
	cfg, ac := Config{}, attempt.Config{MaxProbes: 1, QueueSize: attempt.NoQueue, StepTimeout: 30 * time.Second}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, ac)
	if resp, _ := e.postForm("/probes", formFor(tp.Host, tp.Port)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first probe = %d", resp.StatusCode)
	}
	resp, body := e.postForm("/probes", formFor("localhost", tp.Port))
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Not started") {
		t.Errorf("second probe = %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if !strings.Contains(body, `value="localhost"`) {
		t.Errorf("the busy form lost what was typed")
	}
	resp, _ = e.postJSON("/api/v1/probes", `{"host":"localhost","port":`+strconv.Itoa(tp.Port)+`}`)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("API over capacity = %d", resp.StatusCode)
	}
}

func TestPerTargetLimit(t *testing.T) {
	tp := tarpit(t)
	cfg, ac := Config{}, attempt.Config{MaxProbes: 8, PerTarget: 1, StepTimeout: 30 * time.Second}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, ac)
	if resp, _ := e.postForm("/probes", formFor(tp.Host, tp.Port)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first probe = %d", resp.StatusCode)
	}
	resp, body := e.postForm("/probes", formFor(tp.Host, tp.Port))
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "already running") {
		t.Errorf("second probe of the same host = %d", resp.StatusCode)
	}
	if resp, _ := e.postForm("/probes", formFor("127.0.0.2", tp.Port)); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a probe of another host = %d", resp.StatusCode)
	}
	if resp, _ := e.postForm("/probes", formFor("LOCALHOST", tp.Port)); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("the same server by another name, in capitals, = %d", resp.StatusCode)
	}
}

func TestShutdownMarksUnfinishedInterrupted(t *testing.T) {
	tp := tarpit(t)
	cfg, ac := Config{}, attempt.Config{MaxProbes: 1, QueueSize: 1, StepTimeout: 30 * time.Second, TotalTimeout: time.Minute}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, ac)
	var ids []string
	for range 2 { // one running, one queued behind it
		resp, _ := e.postForm("/probes", formFor(tp.Host, tp.Port))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("probe = %d", resp.StatusCode)
		}
		ids = append(ids, strings.TrimPrefix(resp.Header.Get("Location"), "/p/"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := e.attempts.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	for _, id := range ids {
		r, err := e.store.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != probe.StatusInterrupted {
			t.Errorf("attempt %s: status %s after shutdown", id, r.Status)
		}
	}
	if _, page := e.get("/p/" + ids[0]); !strings.Contains(page, "cut off") {
		t.Errorf("the permalink does not say the test was cut off")
	}
	resp, _ := e.postForm("/probes", formFor(tp.Host, tp.Port))
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a probe after shutdown = %d", resp.StatusCode)
	}
}

func TestLivePermalinkRefreshesWithoutJS(t *testing.T) {
	tp := tarpit(t)
	cfg, ac := Config{}, attempt.Config{StepTimeout: 30 * time.Second}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, ac)
	resp, _ := e.postForm("/probes", formFor(tp.Host, tp.Port))
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/p/")
	_, page := e.get("/p/" + id)
	if !strings.Contains(page, `<noscript><meta http-equiv="refresh" content="2"></noscript>`) {
		t.Errorf("a running permalink lacks the no-JS refresh")
	}
	if !strings.Contains(page, `data-events="/p/`+id+`/events"`) {
		t.Errorf("a running permalink lacks the event source")
	}
	done := e.storedAttempt(nil)
	if _, page := e.get("/p/" + done); strings.Contains(page, "http-equiv=\"refresh\"") {
		t.Errorf("a finished permalink refreshes itself")
	}
}

// Behind a trusted proxy each client has its own limit; without trust, a
// client cannot escape its limit by sending X-Forwarded-For.
func TestRateLimitBehindTrustedProxy(t *testing.T) {
	bad := url.Values{"host": {"smtp.example.com"}, "port": {"0"}}
	post := func(e *testEnv, xff string) int {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/probes", strings.NewReader(bad.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", xff)
		resp, _ := e.do(req)
		return resp.StatusCode
	}
	untrusted := newEnv(t, Config{ProbeRate: 1})
	post(untrusted, "198.51.100.1")
	if code := post(untrusted, "198.51.100.2"); code != http.StatusTooManyRequests {
		t.Errorf("without a trusted proxy, a new X-Forwarded-For escaped the limit: %d", code)
	}
	trusted := newEnv(t, Config{ProbeRate: 1, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	post(trusted, "198.51.100.1")
	if code := post(trusted, "198.51.100.2"); code == http.StatusTooManyRequests {
		t.Errorf("behind a trusted proxy, a second client shared the first one's limit")
	}
	if code := post(trusted, "198.51.100.1"); code != http.StatusTooManyRequests {
		t.Errorf("behind a trusted proxy, the first client escaped its limit: %d", code)
	}
}

// Addresses of one IPv6 /64 are one client: a host that owns the whole
// network cannot multiply its limit by changing address. IPv4 clients
// count one by one.
func TestRateLimitCountsIPv6ByNetwork(t *testing.T) {
	bad := url.Values{"host": {"smtp.example.com"}, "port": {"0"}}
	post := func(e *testEnv, client string) int {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/probes", strings.NewReader(bad.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", client)
		resp, _ := e.do(req)
		return resp.StatusCode
	}
	proxied := Config{ProbeRate: 2, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	e := newEnv(t, proxied)
	post(e, "2001:db8:1:2::1")
	post(e, "2001:db8:1:2::2")
	for i := 3; i <= 12; i++ {
		if code := post(e, "2001:db8:1:2::"+strconv.Itoa(i)); code != http.StatusTooManyRequests {
			t.Fatalf("address %d of one /64 = %d, want 429", i, code)
		}
	}
	if code := post(e, "2001:db8:1:3::1"); code == http.StatusTooManyRequests {
		t.Errorf("the next /64 shared the first one's limit")
	}
	post(e, "198.51.100.1")
	post(e, "198.51.100.1")
	if code := post(e, "198.51.100.2"); code == http.StatusTooManyRequests {
		t.Errorf("a neighbouring IPv4 address shared a limit")
	}
	proxied.IPv6Prefix = 128
	e = newEnv(t, proxied)
	post(e, "2001:db8:1:2::1")
	post(e, "2001:db8:1:2::1")
	if code := post(e, "2001:db8:1:2::2"); code == http.StatusTooManyRequests {
		t.Errorf("with /128, a second address shared the first one's limit")
	}
}

// --per-target 1 counts the server, however it is written: with a test of
// 127.0.0.1 running, ::ffff:127.0.0.1 and localhost are refused with 503.
func TestPerTargetHoldsHoweverTheTargetIsWritten(t *testing.T) {
	tp := tarpit(t)
	cfg := Config{}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, attempt.Config{PerTarget: 1, StepTimeout: 30 * time.Second})
	if resp, _ := e.postForm("/probes", formFor("127.0.0.1", tp.Port)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first test of 127.0.0.1 = %d", resp.StatusCode)
	}
	for _, host := range []string{"127.0.0.1", "::ffff:127.0.0.1", "[::ffff:127.0.0.1]", "localhost"} {
		resp, body := e.postForm("/probes", formFor(host, tp.Port))
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "already running") {
			t.Errorf("%s while 127.0.0.1 runs = %d, want 503 saying tests of it are running", host, resp.StatusCode)
		}
	}
}
