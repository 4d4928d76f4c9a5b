package web

import (
	"bytes"
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
	t      *testing.T
	srv    *Server
	http   *httptest.Server
	store  *store.Store
	dbPath string
	logs   *syncBuffer
}

// loopbackOK widens the target policy to loopback, where the tests' SMTP
// servers listen, and to their ephemeral ports.
func loopbackOK(cfg *Config) {
	cfg.AllowTargets = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	cfg.AllowPorts = policy.PortSet{{1, 65535}}
}

// newEnv starts a dashboard on a real SQLite file in a temp dir.
func newEnv(t *testing.T, cfg Config) *testEnv {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "smtpdoctor.db")
	st, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	logs := &syncBuffer{}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.StepTimeout == 0 {
		cfg.StepTimeout = 2 * time.Second
	}
	if cfg.Origin == "" {
		cfg.Origin = "test-machine"
	}
	srv, err := New(cfg, st)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	e := &testEnv{t: t, srv: srv, http: hs, store: st, dbPath: dbPath, logs: logs}
	t.Cleanup(func() {
		hs.Close()
		// Probes of tarpits never finish: do not wait for them.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
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
