package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
)

// A test waiting on a silent server shows what it waits for against the
// step's limit, and offers Cancel; cancelling keeps the attempt,
// interrupted, with a diagnosis that says the user cancelled it.
func TestCancelAWaitingTest(t *testing.T) {
	tp := tarpit(t)
	cfg := Config{}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, attempt.Config{StepTimeout: 30 * time.Second})
	resp, _ := e.postForm("/probes", formFor(tp.Host, tp.Port))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start = %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, body = e.get(loc); strings.Contains(body, "waiting for the greeting, ") {
			break
		}
	}
	if !strings.Contains(body, " of 30 s</p>") || !strings.Contains(body, `id="waiting"`) {
		t.Fatalf("the live page does not show the wait against its limit:\n%s", body)
	}
	if !strings.Contains(body, `action="`+loc+`/cancel"`) {
		t.Fatalf("no Cancel form")
	}
	resp, _ = e.postForm(loc+"/cancel", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != loc {
		t.Fatalf("cancel = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	r, err := e.store.Get(t.Context(), strings.TrimPrefix(loc, "/p/"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != probe.StatusInterrupted || r.Diagnosis == nil || r.Diagnosis.Code != probe.CodeProbeCancelled {
		t.Fatalf("stored %s, diagnosis %+v", r.Status, r.Diagnosis)
	}
	_, body = e.get(loc)
	for _, want := range []string{"You cancelled the test", "cancelled from the dashboard", "probe.cancelled"} {
		if !strings.Contains(body, want) {
			t.Errorf("the cancelled test's page lacks %q", want)
		}
	}
	if strings.Contains(body, "The dashboard stopped before this test finished") {
		t.Errorf("a cancel is reported as a dashboard stop")
	}
	// Cancelling a finished test changes nothing.
	if resp, _ := e.postForm(loc+"/cancel", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("second cancel = %d", resp.StatusCode)
	}
}
