package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
)

// lockedBuffer is written by the server goroutine and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var servingURL = regexp.MustCompile(`http://[0-9.:]+/`)

// startServe runs `smtpdoctor serve` in process on a free port and returns
// its base URL and a stop function that returns run's error.
func startServe(t *testing.T, environ map[string]string, args ...string) (string, *lockedBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, logs lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...),
			env{func(k string) string { return environ[k] }}, strings.NewReader(""), &out, &logs)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if u := servingURL.FindString(out.String()); u != "" {
			stop := func() error { cancel(); return <-done }
			return u, &logs, stop
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve ended before serving: %v\nlogs: %s", err, logs.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("serve did not say where it listens; stdout %q logs %q", out.String(), logs.String())
	return "", nil, nil
}

func TestServeProbeThroughAPIAndShutDown(t *testing.T) {
	db := filepath.Join(t.TempDir(), "smtpdoctor.db")
	base, logs, stop := startServe(t, map[string]string{"SMTPDOCTOR_DB": db}, "--sandbox")

	resp, err := http.Get(base + "healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", err, resp)
	}
	resp.Body.Close()

	// The sandbox is what a new user tries first: its wrong-password
	// example must end on a permalink with a diagnosis.
	body := `{"host":"127.0.0.1","port":0,"security":"starttls","user":"` + sandbox.DemoUser + `","password":"not-the-demo-password"}`
	page, _ := http.Get(base)
	port := regexp.MustCompile(`name="host" value="127\.0\.0\.1"> <input type="hidden" name="port" value="(\d+)"`).FindStringSubmatch(readAll(t, page.Body))
	if port == nil {
		t.Fatalf("the form offers no sandbox example")
	}
	body = strings.Replace(body, `"port":0`, `"port":`+port[1], 1)
	resp, err = http.Post(base+"api/v1/probes?wait=20s", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	raw := readAll(t, resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("POST /api/v1/probes?wait: %d %s", resp.StatusCode, raw)
	}
	var res struct {
		ID        string
		Status    string
		Diagnosis struct{ Code string }
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatal(err)
	}
	if res.Status != "done" || res.ID == "" || res.Diagnosis.Code == "" || res.Diagnosis.Code == "ok" {
		t.Errorf("result %+v: want a done attempt with a failing diagnosis", res)
	}

	if err := stop(); err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
	if strings.Contains(logs.String(), "not-the-demo-password") {
		t.Errorf("the password reached the log")
	}

	// Restarting on the same database finds the attempt.
	base, _, stop = startServe(t, map[string]string{"SMTPDOCTOR_DB": db})
	defer stop()
	r2, err := http.Get(base + "api/v1/probes/" + res.ID)
	if err != nil || r2.StatusCode != 200 {
		t.Fatalf("attempt lost across restart: %v %v", err, r2)
	}
	r2.Body.Close()
}

func TestServeFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--allow-ports", "25,abc"}, "allow-ports"},
		{[]string{"serve", "--allow-targets", "not-a-cidr"}, "CIDR"},
		{[]string{"serve", "--max-probes", "0"}, "1 or more"},
		{[]string{"serve", "--auth-user", "admin"}, "go together"},
		{[]string{"serve", "extra"}, "no arguments"},
		{[]string{"serve", "--public-url", "smtpdoctor.example.com"}, "https://"},
		{[]string{"serve", "--auth-header", "X-Forwarded-User"}, "--trusted-proxies"},
		{[]string{"serve", "--ipv6-prefix", "129"}, "1 to 128"},
		{[]string{"serve", "--allowed-hosts", "https://smtpdoctor.internal"}, "host names only"},
	} {
		r := runCLI(t, nil, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d stderr %q, want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

func TestServeFlagsFromEnvironment(t *testing.T) {
	c, err := parseServeFlags(nil, env{func(k string) string {
		return map[string]string{"SMTPDOCTOR_LISTEN": "127.0.0.1:9999", "SMTPDOCTOR_PROBE_RATE": "0", "SMTPDOCTOR_SANDBOX": "true"}[k]
	}}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.listen != "127.0.0.1:9999" || !c.sandbox {
		t.Errorf("env not read: %+v", c)
	}
	if c.web.ProbeRate >= 0 {
		t.Errorf("--probe-rate 0 must mean unlimited, got %d", c.web.ProbeRate)
	}
	// A flag beats the environment.
	c, _ = parseServeFlags([]string{"--listen", "127.0.0.1:7777"}, env{func(k string) string {
		return map[string]string{"SMTPDOCTOR_LISTEN": "127.0.0.1:9999"}[k]
	}}, io.Discard)
	if c.listen != "127.0.0.1:7777" {
		t.Errorf("flag did not win over env: %s", c.listen)
	}
}

func readAll(t *testing.T, r io.ReadCloser) string {
	t.Helper()
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSandboxDefaultsOnOnlyForLoopback(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
		want bool
	}{
		{nil, nil, true}, // the default 127.0.0.1:8080
		{[]string{"--listen", "[::1]:8080"}, nil, true},
		{[]string{"--listen", "0.0.0.0:8080"}, nil, false},
		{[]string{"--listen", "0.0.0.0:8080", "--sandbox"}, nil, true},
		{[]string{"--sandbox=false"}, nil, false},
		{nil, map[string]string{"SMTPDOCTOR_SANDBOX": "false"}, false},
		{[]string{"--listen", ":8080"}, nil, false},
	} {
		c2, err := parseServeFlags(c.args, env{func(k string) string { return c.env[k] }}, io.Discard)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if c2.sandbox != c.want {
			t.Errorf("args %v env %v: sandbox %v, want %v", c.args, c.env, c2.sandbox, c.want)
		}
	}
}
