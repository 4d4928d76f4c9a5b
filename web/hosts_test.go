package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// A page that rebinds its own name to the dashboard's address sends the
// dashboard requests whose Host and Origin agree with each other; the
// cross-origin check passes them, so the Host itself must be refused.
func TestDNSRebindingRequestsAreRefused(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"default", Config{}},
		{"public URL", Config{PublicURL: mustPublicURL(t, "https://smtpdoctor.example.com")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.cfg)
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				for _, path := range []string{"/history", "/api/v1/probes", "/"} {
					var body *strings.Reader
					if method == http.MethodPost {
						if path == "/history" {
							continue
						}
						body = strings.NewReader(`{"host":"smtp.example.com","port":587}`)
					} else {
						body = strings.NewReader("")
					}
					req, _ := http.NewRequest(method, e.http.URL+path, body)
					req.Host = "evil.example:" + e.port()
					req.Header.Set("Origin", "http://evil.example:"+e.port())
					req.Header.Set("Content-Type", "application/json")
					resp, page := e.do(req)
					if resp.StatusCode != http.StatusMisdirectedRequest {
						t.Errorf("%s %s with Host evil.example = %d, want 421", method, path, resp.StatusCode)
					}
					if !strings.Contains(page, "--public-url") {
						t.Errorf("%s %s: the refusal does not say how to fix it: %s", method, path, page)
					}
				}
			}
			n, err := e.store.Count(t.Context(), store.Filter{})
			if err != nil || n.Total != 0 {
				t.Errorf("a rebinding request stored %d attempts (%v)", n.Total, err)
			}
		})
	}
}

func TestHealthChecksAnswerAnyHost(t *testing.T) {
	e := newEnv(t, Config{PublicURL: mustPublicURL(t, "https://smtpdoctor.example.com")})
	for _, path := range []string{"/healthz", "/readyz"} {
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+path, nil)
		req.Host = "smtpdoctor.internal:8080"
		if resp, _ := e.do(req); resp.StatusCode != http.StatusOK {
			t.Errorf("%s for a load balancer's name = %d, want 200", path, resp.StatusCode)
		}
	}
}

func TestKnownHostsAreServed(t *testing.T) {
	e := newEnv(t, Config{PublicURL: mustPublicURL(t, "https://SMTPdoctor.example.com/"), AllowedHosts: []string{"smtpdoctor.internal"}})
	for _, host := range []string{
		"smtpdoctor.internal:8080", "SMTPDOCTOR.INTERNAL",
		"smtpdoctor.example.com", "smtpdoctor.example.com:443", "smtpdoctor.example.com.",
		"localhost:" + e.port(), "127.0.0.1:" + e.port(), "[::1]:" + e.port(),
	} {
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/history", nil)
		req.Host = host
		if resp, _ := e.do(req); resp.StatusCode != http.StatusOK {
			t.Errorf("GET /history with Host %s = %d, want 200", host, resp.StatusCode)
		}
	}
}

// Absolute links come from --public-url, never from the request: not from
// its Host, not from X-Forwarded-Proto.
func TestAbsoluteLinksUseThePublicURL(t *testing.T) {
	sb := smtptest.Start(t, smtptest.Script{})
	cfg := Config{PublicURL: mustPublicURL(t, "https://smtpdoctor.example.com")}
	loopbackOK(&cfg)
	e := newEnv(t, cfg)
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/api/v1/probes",
		strings.NewReader(`{"host":"127.0.0.1","port":`+strconv.Itoa(sb.Port)+`,"security":"none"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-Proto", "gopher")
	resp, body := e.do(req)
	var started struct{ ID, URL string }
	if resp.StatusCode != http.StatusAccepted || json.Unmarshal([]byte(body), &started) != nil {
		t.Fatalf("POST /api/v1/probes = %d %s", resp.StatusCode, body)
	}
	if want := "https://smtpdoctor.example.com/p/" + started.ID; started.URL != want {
		t.Errorf("url = %q, want %q", started.URL, want)
	}
	if _, _, err := e.attempts.Wait(t.Context(), started.ID); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/p/" + started.ID + ".txt", "/p/" + started.ID, "/history.csv"} {
		_, page := e.get(path)
		if !strings.Contains(page, "https://smtpdoctor.example.com/p/"+started.ID) || strings.Contains(page, e.http.URL+"/p/") {
			t.Errorf("%s does not link to the public URL:\n%s", path, page)
		}
	}
}

func TestParsePublicURL(t *testing.T) {
	u, err := ParsePublicURL("https://Mail-Tools.example.com:8443/")
	if err != nil || u.String() != "https://mail-tools.example.com:8443" {
		t.Errorf("ParsePublicURL = %v, %v", u, err)
	}
	for _, bad := range []string{"mail-tools.example.com", "ftp://x.example", "https://", "https://x.example/smtp", "https://u:p@x.example", "https://x.example/?a=1"} {
		if _, err := ParsePublicURL(bad); err == nil {
			t.Errorf("ParsePublicURL(%q) accepted", bad)
		}
	}
}

func mustPublicURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := ParsePublicURL(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *testEnv) port() string {
	u, _ := url.Parse(e.http.URL)
	return u.Port()
}
