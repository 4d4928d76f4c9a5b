package probe

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// Short timeouts keep tests against silent servers fast; nothing asserts
// on timing.
const (
	testStep  = 400 * time.Millisecond
	testTotal = 10 * time.Second
)

func testOptions() Options {
	return Options{StepTimeout: testStep, TotalTimeout: testTotal}
}

// settingsFor points settings at a test server.
func settingsFor(srv *smtptest.Server, sec Security) Settings {
	return Settings{Host: srv.Host, Port: srv.Port, Security: sec, HELO: "client.example.test"}
}

func runProbe(t *testing.T, s Settings, password string, o Options) Result {
	t.Helper()
	r := Run(context.Background(), s, Secret{Password: password}, o)
	if r.Status != StatusDone {
		t.Fatalf("status %q", r.Status)
	}
	return r
}

// transcriptText joins the transcript for error messages and searches.
func transcriptText(r Result) string {
	var b strings.Builder
	for _, l := range r.Transcript {
		b.WriteString(string(l.Dir) + ": " + l.Text + "\n")
	}
	return b.String()
}

func hasObservation(r Result, code Code) bool {
	for _, o := range r.Observations {
		if o.Code == code {
			return true
		}
	}
	return false
}

func dump(r Result) string {
	b, _ := json.MarshalIndent(r, "", "  ")
	return string(b)
}

func stepStatus(r Result, name string) StepStatus {
	for _, s := range r.Steps {
		if s.Name == name {
			return s.Status
		}
	}
	return ""
}
