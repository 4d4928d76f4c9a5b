package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
)

// The sandbox runs on loopback; its addresses, ports and CA are allowed
// while it runs, with no widening of the policy.
func TestSandboxExamples(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sb, err := sandbox.Start(ctx)
	if err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	t.Cleanup(func() { sb.Close() })
	e := newEnv(t, Config{Sandbox: sb})
	_, form := e.get("/")
	if !strings.Contains(form, "Try it on the built-in sandbox") {
		t.Fatal("the form offers no sandbox examples")
	}
	for _, ex := range sb.Examples() {
		if ex.Key != sandbox.ExampleWorking && ex.Key != sandbox.ExampleWrongPassword && ex.Key != sandbox.ExampleImplicitTLS {
			continue
		}
		if !strings.Contains(form, htmlEscape(ex.Title)) {
			t.Errorf("example %q not on the form", ex.Title)
		}
		v := url.Values{"host": {ex.Settings.Host}, "port": {strconv.Itoa(ex.Settings.Port)}, "security": {string(ex.Settings.Security)},
			"user": {ex.Settings.User}, "password": {ex.Password}, "mech": {string(ex.Settings.Mech)},
			"from": {ex.Settings.From}, "to": {ex.Settings.To}}
		resp, body := e.postForm("/probes", v)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: POST = %d %s", ex.Key, resp.StatusCode, body)
		}
		id := strings.TrimPrefix(resp.Header.Get("Location"), "/p/")
		e.readEvents(id)
		r, err := e.store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Diagnosis == nil || r.Diagnosis.Code != ex.Expect {
			t.Errorf("%s: diagnosis %+v, want %s", ex.Key, r.Diagnosis, ex.Expect)
		}
	}
	// Loopback next to the sandbox stays refused.
	if resp, _ := e.postForm("/probes", url.Values{"host": {"127.0.0.1"}, "port": {"1"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("port 1 on loopback = %d", resp.StatusCode)
	}
}
