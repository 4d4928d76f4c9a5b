package web

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
)

// A probe that takes longer than a moment reaches the store while it runs,
// so the history and other readers of the database see it running with its
// steps so far, not queued until it ends.
func TestSlowProbeProgressReachesTheStore(t *testing.T) {
	tp := tarpit(t)
	cfg, ac := Config{}, attempt.Config{StepTimeout: 30 * time.Second}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, ac)
	_, body := e.postJSON("/api/v1/probes", `{"host":"`+tp.Host+`","port":`+strconv.Itoa(tp.Port)+`,"security":"none"}`)
	var started apiStarted
	if err := json.Unmarshal([]byte(body), &started); err != nil || started.ID == "" {
		t.Fatalf("start: %s", body)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		r, err := e.store.Get(context.Background(), started.ID)
		if err == nil && r.Status == probe.StatusRunning && len(r.Steps) >= 3 {
			return // resolve, connect, greeting (running)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store never showed the running probe's progress: status %q, %d steps, err %v", r.Status, len(r.Steps), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// An API call that waits is written once, when it ends; but an id the API
// hands out is always stored first: when the wait runs out, the attempt is
// written before the 202, so a crash right after cannot lose it.
func TestAPIWaitStoresBeforeHandingOutTheID(t *testing.T) {
	tp := tarpit(t)
	cfg, ac := Config{}, attempt.Config{StepTimeout: 30 * time.Second}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, ac)
	_, body := e.postJSON("/api/v1/probes?wait=50ms", `{"host":"`+tp.Host+`","port":`+strconv.Itoa(tp.Port)+`,"security":"none"}`)
	var started apiStarted
	if err := json.Unmarshal([]byte(body), &started); err != nil || started.ID == "" {
		t.Fatalf("start: %s", body)
	}
	r, err := e.store.Get(context.Background(), started.ID)
	if err != nil {
		t.Fatalf("the id was handed out before the attempt was stored: %v", err)
	}
	if r.Status != probe.StatusQueued && r.Status != probe.StatusRunning {
		t.Errorf("stored status %q", r.Status)
	}
}
