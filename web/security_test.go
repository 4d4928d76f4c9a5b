package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// storedAttempt puts a finished attempt straight into the store.
func (e *testEnv) storedAttempt(mod func(*probe.Result)) string {
	e.t.Helper()
	r := probe.Result{
		ID: attempt.NewID(), Status: probe.StatusDone, Outcome: probe.OutcomeFailure,
		Settings:  probe.Settings{Host: "smtp.example.com", Port: 587, Security: probe.SecurityStartTLS, User: "alice", Mech: probe.MechAuto},
		StartedAt: time.Now().UTC().Add(-time.Minute), DurationMS: 123, Origin: "test-machine",
		Diagnosis: &probe.Diagnosis{Code: "auth.credentials_rejected", Severity: probe.SeverityError, Title: "The password was refused",
			Summary: "The server refused the username or password.", Remediation: []string{"Check the password.", "Use an app password."}},
		Findings:   []probe.Finding{},
		Steps:      []probe.Step{{Name: probe.StepAuth, Status: probe.StepFailed, StartedMS: 10, DurationMS: 5}},
		Transcript: []probe.Line{{AtMS: 1, Dir: probe.DirServer, Text: "220 smtp.example.com ESMTP"}},
	}
	if mod != nil {
		mod(&r)
	}
	if err := e.store.Create(context.Background(), r); err != nil {
		e.t.Fatalf("store attempt: %v", err)
	}
	return r.ID
}

func TestSecurityHeadersAndNonce(t *testing.T) {
	e := newEnv(t, Config{})
	id := e.storedAttempt(nil)
	for _, path := range []string{"/", "/p/" + id, "/history", "/guide"} {
		resp, body := e.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		m := regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9+/=]+)'`).FindStringSubmatch(csp)
		if m == nil {
			t.Fatalf("%s: CSP %q has no script nonce", path, csp)
		}
		for _, want := range []string{"default-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP lacks %q", path, want)
			}
		}
		scripts := regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1)
		if len(scripts) == 0 {
			t.Errorf("%s: no script tag", path)
		}
		for _, s := range scripts {
			if !strings.Contains(s, `nonce="`+m[1]+`"`) {
				t.Errorf("%s: script tag %s lacks the nonce %s", path, s, m[1])
			}
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options = %q", path, got)
		}
		if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%s: Referrer-Policy = %q", path, got)
		}
	}
	r1, _ := e.get("/")
	r2, _ := e.get("/")
	if r1.Header.Get("Content-Security-Policy") == r2.Header.Get("Content-Security-Policy") {
		t.Error("the nonce is the same on two requests")
	}
}

func TestCrossSitePostRefused(t *testing.T) {
	e := newEnv(t, Config{})
	v := url.Values{"host": {"smtp.example.com"}, "port": {"99999"}}
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/probes", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	if resp, _ := e.do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodPost, e.http.URL+"/probes", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if resp, _ := e.do(req); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("same-origin POST = %d, want 400 (it reached validation)", resp.StatusCode)
	}
}

func TestLargeBodyRefused(t *testing.T) {
	e := newEnv(t, Config{})
	big := bytes.Repeat([]byte("a"), 8<<20)
	for _, path := range []string{"/probes", "/api/v1/probes"} {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+path, bytes.NewReader(big))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp, _ := e.do(req); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("8 MiB POST %s = %d, want 413", path, resp.StatusCode)
		}
	}
	// Without a Content-Length, the bound hits while reading.
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/api/v1/probes", struct{ *bytes.Reader }{bytes.NewReader(append([]byte(`{"host":"`), big...))})
	req.ContentLength = -1
	if resp, _ := e.do(req); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked 8 MiB POST = %d, want 413", resp.StatusCode)
	}
}

func TestBasicAuth(t *testing.T) {
	hash, _ := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	e := newEnv(t, Config{BasicUser: "admin", BasicHash: string(hash)})
	id := e.storedAttempt(nil)
	for _, path := range []string{"/", "/history", "/p/" + id, "/p/" + id + ".json", "/api/v1/probes", "/api/v1/probes/" + id} {
		resp, _ := e.get(path)
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("GET %s without auth = %d", path, resp.StatusCode)
		}
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+path, nil)
		req.SetBasicAuth("admin", "wrong")
		if resp, _ := e.do(req); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s with a wrong password = %d", path, resp.StatusCode)
		}
		req, _ = http.NewRequest(http.MethodGet, e.http.URL+path, nil)
		req.SetBasicAuth("admin", "s3cret")
		if resp, _ := e.do(req); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s signed in = %d", path, resp.StatusCode)
		}
	}
	if resp, _ := e.get("/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz behind auth: %d", resp.StatusCode)
	}
}

func TestAuthOffByDefault(t *testing.T) {
	e := newEnv(t, Config{})
	if resp, _ := e.get("/history"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /history = %d", resp.StatusCode)
	}
}

func TestTrustedHeaderAndPublicPermalinks(t *testing.T) {
	e := newEnv(t, Config{TrustedUserHeader: "X-Forwarded-User", PublicPermalinks: true, TrustedProxies: loopbackPeers})
	id := e.storedAttempt(nil)
	if resp, _ := e.get("/history"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("history without the header = %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/history", nil)
	req.Header.Set("X-Forwarded-User", "alice")
	if resp, _ := e.do(req); resp.StatusCode != http.StatusOK {
		t.Errorf("history with the header = %d", resp.StatusCode)
	}
	for _, path := range []string{"/p/" + id, "/p/" + id + ".json", "/p/" + id + ".txt", "/p/" + id + "/events", "/api/v1/probes/" + id} {
		if resp, _ := e.get(path); resp.StatusCode != http.StatusOK {
			t.Errorf("public permalink %s = %d", path, resp.StatusCode)
		}
	}
	// Deleting still needs a sign-in.
	req, _ = http.NewRequest(http.MethodPost, e.http.URL+"/p/"+id+"/delete", nil)
	if resp, _ := e.do(req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("delete without sign-in = %d", resp.StatusCode)
	}
}

func TestPrivatePermalinks(t *testing.T) {
	e := newEnv(t, Config{TrustedUserHeader: "X-Forwarded-User", TrustedProxies: loopbackPeers})
	id := e.storedAttempt(nil)
	for _, path := range []string{"/p/" + id, "/p/" + id + ".json", "/p/" + id + ".txt", "/p/" + id + "/events"} {
		if resp, _ := e.get(path); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("private permalink %s = %d", path, resp.StatusCode)
		}
	}
}

func TestServerTextEscaped(t *testing.T) {
	e := newEnv(t, Config{})
	evil := `<script>alert("x")</script>`
	id := e.storedAttempt(func(r *probe.Result) {
		r.Transcript = append(r.Transcript, probe.Line{AtMS: 2, Dir: probe.DirServer, Text: "220 " + evil})
		r.Server = &probe.ServerInfo{Banner: []string{evil}, EHLODomain: evil, Extensions: []string{evil}}
		r.Failure = &probe.Failure{Step: probe.StepAuth, Reply: 535, Lines: []string{evil}}
		r.Settings.User = evil
	})
	for _, path := range []string{"/p/" + id, "/history", "/history?q=script"} {
		_, body := e.get(path)
		if strings.Contains(body, evil) || strings.Contains(body, "<script>alert") {
			t.Errorf("%s: server text not escaped", path)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("%s: escaped server text missing", path)
		}
	}
}

func TestIDParsingOnRoutes(t *testing.T) {
	e := newEnv(t, Config{})
	for _, path := range []string{"/p/short", "/p/AAAAAAAAAAAAAAAAAAAAAB", "/api/v1/probes/xyz", "/p/" + attempt.NewID()} {
		if resp, _ := e.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestTrustedOriginMayPost(t *testing.T) {
	e := newEnv(t, Config{TrustedOrigins: []string{"https://tools.example.com"}})
	v := url.Values{"host": {"smtp.example.com"}, "port": {"99999"}}
	for origin, want := range map[string]int{"https://tools.example.com": http.StatusBadRequest, "https://evil.example": http.StatusForbidden} {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/probes", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", origin)
		if resp, _ := e.do(req); resp.StatusCode != want {
			t.Errorf("POST from %s = %d, want %d", origin, resp.StatusCode, want)
		}
	}
	if _, err := New(Config{TrustedOrigins: []string{"not a url"}}, e.store, e.attempts); err == nil {
		t.Error("a bad trusted origin was accepted")
	}
}

// loopbackPeers trusts the test client, which connects from loopback, as
// the reverse proxy.
var loopbackPeers = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// The user header signs a request in only when the reverse proxy that sets
// it sent the request: from any other peer it is a header anyone can send.
func TestAuthHeaderOnlyFromTrustedProxies(t *testing.T) {
	hash, _ := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	e := newEnv(t, Config{TrustedUserHeader: "X-Forwarded-User", BasicUser: "admin", BasicHash: string(hash),
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}})
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/history", nil)
	req.Header.Set("X-Forwarded-User", "mallory")
	if resp, _ := e.do(req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("history with the header from an untrusted peer = %d, want 401", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodGet, e.http.URL+"/history", nil)
	req.Header.Set("X-Forwarded-User", "mallory")
	req.SetBasicAuth("admin", "s3cret")
	if resp, _ := e.do(req); resp.StatusCode != http.StatusOK {
		t.Errorf("basic auth beside an untrusted header = %d, want 200", resp.StatusCode)
	}
	if _, err := New(Config{TrustedUserHeader: "X-Forwarded-User"}, e.store, e.attempts); err == nil || !strings.Contains(err.Error(), "trusted proxies") {
		t.Errorf("a user header without trusted proxies was accepted: %v", err)
	}
}

// A server's banner that reverses the rest of its line (U+202E) or hides
// characters (zero-width space, bidi isolates) shows those characters on
// the permalink and in the exports instead of letting them act.
func TestInvisibleServerCharactersShown(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{Greeting: []string{
		"220 mail.example.com\u202Emoc.live\u202C ESMTP\u200B \u2066ready\u2069",
	}})
	cfg := Config{}
	loopbackOK(&cfg)
	e := newEnv(t, cfg)
	resp, body := e.postJSON("/api/v1/probes?wait=20s", `{"host":"127.0.0.1","port":`+strconv.Itoa(srv.Port)+`,"security":"none"}`)
	var res probe.Result
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &res) != nil {
		t.Fatalf("probe = %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{"/p/" + res.ID, "/p/" + res.ID + ".txt", "/p/" + res.ID + ".json", "/history"} {
		_, page := e.get(path)
		for _, ch := range []string{"\u202E", "\u202C", "\u200B", "\u2066", "\u2069"} {
			if strings.Contains(page, ch) {
				t.Errorf("%s carries %U as it is", path, []rune(ch)[0])
			}
		}
		if path != "/history" && !strings.Contains(page, `\u202e`) {
			t.Errorf(`%s does not show the override as \u202e`, path)
		}
	}
}
