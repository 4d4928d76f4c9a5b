package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
)

// The sandbox's tests are tagged, hidden from the history (and its counts
// and CSV) unless asked for, and exempt from the per-client start limit;
// a real server's tests still count against it.
func TestSandboxTestsTaggedHiddenAndUnlimited(t *testing.T) {
	sb, err := sandbox.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	ap, _ := sb.Addr(sandbox.ServerSubmission)
	e := newEnv(t, Config{Sandbox: sb, ProbeRate: 1})
	demo := url.Values{"host": {ap.Addr().String()}, "port": {strconv.Itoa(int(ap.Port()))}, "security": {"starttls"},
		"user": {sandbox.DemoUser}, "password": {sandbox.DemoPassword}}
	for i := range 3 {
		resp, _ := e.postForm("/probes", demo)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sandbox test %d = %d, want 303 (not rate limited)", i+1, resp.StatusCode)
		}
		// One at a time: the per-target bound still holds for the sandbox.
		if _, _, err := e.attempts.Wait(t.Context(), strings.TrimPrefix(resp.Header.Get("Location"), "/p/")); err != nil {
			t.Fatal(err)
		}
	}
	e.storedAttempt(func(r *probe.Result) { r.Settings.Host = "smtp.real.example" })

	_, body := e.get("/history")
	if strings.Contains(body, ap.Addr().String()+":"+strconv.Itoa(int(ap.Port()))) || !strings.Contains(body, "smtp.real.example") {
		t.Errorf("the history shows sandbox tests by default, or hides the real one")
	}
	if !strings.Contains(body, "1 in all") {
		t.Errorf("the counts include sandbox tests")
	}
	if !strings.Contains(body, `id="f-sandbox" name="sandbox" value="1"`) {
		t.Errorf("no toggle to show sandbox tests")
	}
	_, body = e.get("/history?sandbox=1")
	if strings.Count(body, `<span class="badge info">sandbox</span>`) != 3 || !strings.Contains(body, "4 in all") {
		t.Errorf("with the toggle, the three sandbox tests are not all shown and tagged")
	}

	// Real servers still count: the first start passes, the second is 429.
	real := formFor("192.0.2.1", 587)
	if resp, _ := e.postForm("/probes", real); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first real start = %d", resp.StatusCode)
	}
	if resp, _ := e.postForm("/probes", real); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("second real start in the minute = %d, want 429", resp.StatusCode)
	}
}
