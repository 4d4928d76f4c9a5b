package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
)

// ?wait that runs out answers 202 with where to look, like no wait.
func TestAPIWaitRunsOut(t *testing.T) {
	tp := tarpit(t)
	cfg, ac := Config{}, attempt.Config{StepTimeout: 30 * time.Second}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, ac)
	resp, body := e.postJSON("/api/v1/probes?wait=50ms", `{"host":"`+tp.Host+`","port":`+strconv.Itoa(tp.Port)+`,"security":"none"}`)
	var started apiStarted
	if resp.StatusCode != http.StatusAccepted || json.Unmarshal([]byte(body), &started) != nil || started.ID == "" {
		t.Fatalf("POST ?wait=50ms against a silent server = %d %s", resp.StatusCode, body)
	}
	resp, body = e.get("/api/v1/probes/" + started.ID)
	if resp.StatusCode != http.StatusOK || !json.Valid([]byte(body)) {
		t.Fatalf("GET the running probe = %d", resp.StatusCode)
	}
	var r struct{ Status string }
	json.Unmarshal([]byte(body), &r)
	if r.Status != "running" && r.Status != "queued" {
		t.Errorf("status %q while the server is silent", r.Status)
	}
	if resp, _ := e.postJSON("/api/v1/probes?wait=soon", `{}`); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad wait = %d", resp.StatusCode)
	}
}
