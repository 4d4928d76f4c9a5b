package web

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/policy"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testEnv struct {
	t        *testing.T
	srv      *Server
	attempts *attempt.Lifecycle
	http     *httptest.Server
	store    *store.Store
	dbPath   string
	logs     *syncBuffer
}

// loopbackOK widens the target policy to loopback, where the tests' SMTP
// servers listen, and to their ephemeral ports.
func loopbackOK(cfg *Config) {
	cfg.AllowTargets = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	cfg.AllowPorts = policy.PortSet{{1, 65535}}
}

// newEnv starts a dashboard on a real SQLite file in a temp dir, with the
// lifecycle's defaults but a short step timeout.
func newEnv(t *testing.T, cfg Config) *testEnv {
	t.Helper()
	return newEnvWith(t, cfg, attempt.Config{})
}

// newEnvWith is newEnv with the lifecycle configured too.
func newEnvWith(t *testing.T, cfg Config, ac attempt.Config) *testEnv {
	t.Helper()
	return newEnvWrapped(t, cfg, ac, nil)
}

// newEnvWrapped is newEnvWith with the lifecycle's store wrapped by wrap
// (to watch what reaches the store); nil leaves it as it is.
func newEnvWrapped(t *testing.T, cfg Config, ac attempt.Config, wrap func(*store.Store) attempt.Store) *testEnv {
	t.Helper()
	return newEnvAt(t, filepath.Join(t.TempDir(), "smtpdoctor.db"), cfg, ac, wrap)
}

// newEnvAt is newEnvWrapped on the database dbPath names: a SQLite file,
// or a postgres:// URL that several envs (replicas) may share.
func newEnvAt(t *testing.T, dbPath string, cfg Config, ac attempt.Config, wrap func(*store.Store) attempt.Store) *testEnv {
	t.Helper()
	st, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	logs := &syncBuffer{}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ac.StepTimeout = cmp.Or(ac.StepTimeout, 2*time.Second)
	ac.Origin = cmp.Or(ac.Origin, "test-machine")
	ac.Logger = cmp.Or(ac.Logger, cfg.Logger)
	ac.Store = st
	if wrap != nil {
		ac.Store = wrap(st)
	}
	ac.Policy = cfg.TargetPolicy()
	if cfg.Sandbox != nil {
		ac.ExtraRoots = cfg.Sandbox.RootCAs()
	}
	attempts, err := attempt.New(context.Background(), ac)
	if err != nil {
		t.Fatalf("new lifecycle: %v", err)
	}
	srv, err := New(cfg, st, attempts)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	e := &testEnv{t: t, srv: srv, attempts: attempts, http: hs, store: st, dbPath: dbPath, logs: logs}
	t.Cleanup(func() {
		hs.Close()
		// Probes of tarpits never finish: do not wait for them.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		attempts.Shutdown(ctx)
		srv.Shutdown(ctx)
		st.Close()
	})
	return e
}

// client does not follow redirects, so tests see the 303.
func (e *testEnv) client() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (e *testEnv) do(req *http.Request) (*http.Response, string) {
	e.t.Helper()
	resp, err := e.client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read %s: %v", req.URL, err)
	}
	return resp, string(b)
}

func (e *testEnv) get(path string) (*http.Response, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+path, nil)
	return e.do(req)
}

func (e *testEnv) postForm(path string, v url.Values) (*http.Response, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

func (e *testEnv) postJSON(path, body string) (*http.Response, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return e.do(req)
}

// postFollow posts a form and, on a 303, gets the page it points to (a
// try-all answers with the redirect to its own permalink). A try-all's
// page is live while it runs: postFollow waits for the group to finish
// first, and so gets its verdict.
func (e *testEnv) postFollow(path string, v url.Values) (*http.Response, string) {
	e.t.Helper()
	resp, body := e.postForm(path, v)
	if resp.StatusCode != http.StatusSeeOther {
		return resp, body
	}
	loc := resp.Header.Get("Location")
	if id, ok := strings.CutPrefix(strings.SplitN(loc, "?", 2)[0], "/try/"); ok {
		e.waitGroup(id)
	}
	return e.get(loc)
}

// waitGroup waits until the try-all id has finished (the test's own
// deadline bounds the wait).
func (e *testEnv) waitGroup(id string) {
	e.t.Helper()
	if _, done, err := e.attempts.WaitGroup(e.t.Context(), id); err != nil || !done {
		e.t.Fatalf("wait for the try-all %s: done %v, %v", id, done, err)
	}
}
