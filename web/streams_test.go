package web

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
)

// Live-progress streams are capped per client and in all; beyond a cap a
// stream is refused at once with 503, and a closed stream frees its place.
func TestEventStreamsAreCapped(t *testing.T) {
	tp := tarpit(t)
	cfg := Config{MaxStreamsPerClient: 2, MaxStreams: 3,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, attempt.Config{StepTimeout: 30 * time.Second})
	resp, _ := e.postForm("/probes", formFor(tp.Host, tp.Port))
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/p/")
	if id == "" {
		t.Fatalf("start probe: %d", resp.StatusCode)
	}
	open := func(client string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/p/"+id+"/events", nil)
		req.Header.Set("X-Forwarded-For", client)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	a1, a2 := open("198.51.100.1"), open("198.51.100.1")
	for _, r := range []*http.Response{a1, a2} {
		if r.StatusCode != http.StatusOK {
			t.Fatalf("stream within the caps = %d", r.StatusCode)
		}
	}
	if r := open("198.51.100.1"); r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Errorf("a third stream of one client = %d, want 503 with Retry-After", r.StatusCode)
	}
	if r := open("198.51.100.2"); r.StatusCode != http.StatusOK {
		t.Errorf("another client's first stream = %d", r.StatusCode)
	}
	if r := open("198.51.100.3"); r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a stream beyond the cap in all = %d, want 503", r.StatusCode)
	}
	a1.Body.Close()
	waitUntil(t, "a closed stream frees its place", func() bool {
		r := open("198.51.100.3")
		r.Body.Close()
		return r.StatusCode == http.StatusOK
	})
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}
