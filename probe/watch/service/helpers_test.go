package service

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/secretbox"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/alert"
	"github.com/smtpdoctor/smtpdoctor/store"
)

const (
	testUser     = "monitor@example.com"
	testPassword = "Tr0ub4dor&3-monitor"
)

// server is a real SMTP server (go-smtp) on a fixed loopback port with
// STARTTLS and AUTH PLAIN, which a test can stop (connections refused),
// start again on the same port, and make refuse the password.
type server struct {
	t        *testing.T
	addr     string
	tls      *tls.Config
	mu       sync.Mutex
	srv      *smtp.Server
	refuse   atomic.Bool
	auths    atomic.Int32
	sessions atomic.Int32
}

func newServer(t *testing.T, cert tls.Certificate) *server {
	s := &server{t: t, tls: &tls.Config{Certificates: []tls.Certificate{cert}}}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	s.serve(l)
	t.Cleanup(s.stop)
	return s
}

func (s *server) serve(l net.Listener) {
	srv := smtp.NewServer(s)
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = s.tls
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go srv.Serve(l)
}

func (s *server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		s.srv.Close()
		s.srv = nil
	}
}

func (s *server) start() {
	l, err := net.Listen("tcp4", s.addr)
	if err != nil {
		s.t.Fatalf("listen again on %s: %v", s.addr, err)
	}
	s.serve(l)
}

func (s *server) settings() probe.Settings {
	host, port, _ := net.SplitHostPort(s.addr)
	p, _ := strconv.Atoi(port)
	return probe.Settings{Host: host, Port: p, Security: probe.SecurityStartTLS, User: testUser, Mech: probe.MechAuto}
}

func (s *server) NewSession(*smtp.Conn) (smtp.Session, error) {
	s.sessions.Add(1)
	return &session{s: s}, nil
}

type session struct{ s *server }

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		x.s.auths.Add(1)
		if x.s.refuse.Load() || user != testUser || pass != testPassword {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		return nil
	}), nil
}
func (x *session) Mail(string, *smtp.MailOptions) error { return nil }
func (x *session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (x *session) Data(io.Reader) error                 { return nil }
func (x *session) Reset()                               {}
func (x *session) Logout() error                        { return nil }

// hooks is a real HTTP receiver on loopback keeping the alert bodies.
type hooks struct {
	*httptest.Server
	mu   sync.Mutex
	msgs []alert.Message
	raw  [][]byte
}

func newHooks(t *testing.T) *hooks {
	h := &hooks{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m alert.Message
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("webhook body is not JSON: %s", b)
		}
		h.mu.Lock()
		h.msgs = append(h.msgs, m)
		h.raw = append(h.raw, b)
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hooks) events() []watch.EventKind {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []watch.EventKind
	for _, m := range h.msgs {
		out = append(out, m.Event)
	}
	return out
}

// env is a service over a real SQLite store, a real alert sender, and a
// prober that runs the real probe and diagnosis and stores the result.
type env struct {
	life   *attempt.Lifecycle
	svc    *Service
	store  *store.Store
	path   string
	key    *secretbox.Key
	sender *alert.Sender
	logs   *syncBuffer
	roots  *smtptest.CA
}

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

func newKey(t testing.TB) *secretbox.Key {
	raw := make([]byte, 32)
	rand.Read(raw)
	k, err := secretbox.ParseKey(base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newEnv(t *testing.T, ca *smtptest.CA, key *secretbox.Key, path string) *env {
	t.Helper()
	return newEnvWith(t, ca, key, path, 0)
}

// newEnvWith is newEnv with a lifecycle of maxProbes probe slots (0: the
// default).
func newEnvWith(t *testing.T, ca *smtptest.CA, key *secretbox.Key, path string, maxProbes int) *env {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "monitors.db")
	}
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{store: st, path: path, key: key, logs: &syncBuffer{}, roots: ca}
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := probe.Options{ExtraRoots: ca.Pool, StepTimeout: 5 * time.Second, TotalTimeout: 20 * time.Second}
	life, err := attempt.New(context.Background(), attempt.Config{Store: st, Logger: log, Origin: "test-machine",
		ExtraRoots: ca.Pool, StepTimeout: 5 * time.Second, TotalTimeout: 20 * time.Second, MaxProbes: maxProbes})
	if err != nil {
		t.Fatal(err)
	}
	e.life = life
	prober := LifecycleProber(life)
	e.sender = &alert.Sender{HTTP: alert.NewHTTPClient(nil, 5*time.Second), Backoff: []time.Duration{time.Millisecond}, Log: log}
	svc, err := New(Config{Store: st, Probe: prober, Key: key, Sender: e.sender, BaseURL: "https://smtpdoctor.example.com",
		ProbeOptions: opts, Workers: 2, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	return e
}

func (e *env) close() {
	e.svc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e.life.Shutdown(ctx)
	e.store.Close()
}

// runNow runs monitor id once, synchronously, as the scheduler would, and
// waits for its alerts to be delivered.
func (e *env) runNow(t *testing.T, id string) watch.Monitor {
	t.Helper()
	e.svc.runOne(context.Background(), dueRun{id: id, due: time.Now()})
	e.sender.Close() // waits for the deliveries under way
	m, ok := e.svc.Get(id)
	if !ok {
		t.Fatalf("monitor %s gone", id)
	}
	return m
}

func ptr(s string) *string { return &s }
