package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Pasted text explained may name a host:port, but nothing connected to it:
// the servers view and the breakdown show what servers did when tested, so
// an explanation is neither a server row nor a count there. The history
// lists it.
func TestServersAndBreakdownLeaveOutExplanations(t *testing.T) {
	e := newEnv(t, Config{})
	e.storedAttempt(nil) // a probe of smtp.example.com:587
	explainedID := e.storedAttempt(func(r *probe.Result) {
		r.Kind = probe.KindExplain
		r.Settings.Host, r.Settings.Port = "explained-only.example.net", 465
		r.StartedAt = time.Now().UTC().Add(-2 * time.Minute)
		r.Diagnosis.Code = probe.CodeAuthBlockedByPolicy
	})

	for path, want := range map[string]struct{ absent, present string }{
		"/servers":   {"explained-only.example.net", "smtp.example.com:587"},
		"/breakdown": {string(probe.CodeAuthBlockedByPolicy), string(probe.CodeAuthCredentialsRejected)},
	} {
		resp, body := e.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		if strings.Contains(body, want.absent) || strings.Contains(body, explainedID) {
			t.Errorf("%s counts the explanation (%s)", path, want.absent)
		}
		if !strings.Contains(body, want.present) {
			t.Errorf("%s lacks the probe (%s)", path, want.present)
		}
	}
	if _, body := e.get("/history?host=explained-only.example.net"); !strings.Contains(body, explainedID) {
		t.Error("the history does not list the explanation")
	}
}
