package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
	"github.com/smtpdoctor/smtpdoctor/probe/secretbox"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/alert"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/metrics"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/service"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// monitorEnv is a dashboard with monitors on: a real SQLite store, the
// sandbox as the watched server, a real alert sender and the metrics.
type monitorEnv struct {
	*testEnv
	svc    *service.Service
	sb     *sandbox.Sandbox
	sender *alert.Sender
}

func testKey(t testing.TB) *secretbox.Key {
	raw := make([]byte, 32)
	rand.Read(raw)
	k, err := secretbox.ParseKey(base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newMonitorEnv(t *testing.T, key *secretbox.Key) *monitorEnv {
	t.Helper()
	e := newMonitorEnvAt(t, key, filepath.Join(t.TempDir(), "smtpdoctor.db"))
	e.testEnv.t = t
	return e
}

// newMonitorEnvAt is newMonitorEnv on the database at dbPath.
func newMonitorEnvAt(t testing.TB, key *secretbox.Key, dbPath string) *monitorEnv {
	t.Helper()
	ctx := context.Background()
	sb, err := sandbox.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := probe.Options{ExtraRoots: sb.RootCAs(), StepTimeout: 5 * time.Second}
	cfg := Config{Logger: log, Sandbox: sb}
	var svc *service.Service
	mets := metrics.New(func() []watch.Monitor { return svc.Snapshot() })
	life, err := attempt.New(ctx, attempt.Config{Store: mets.Counting(st), Policy: cfg.TargetPolicy(), Logger: log,
		Origin: "test-machine", ExtraRoots: sb.RootCAs(), StepTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	sender := &alert.Sender{HTTP: alert.NewHTTPClient(nil, 5*time.Second), Backoff: []time.Duration{time.Millisecond}, Log: log}
	svc, err = service.New(service.Config{Store: st, Probe: service.LifecycleProber(life), Key: key, Sender: sender,
		BaseURL: "http://smtpdoctor.test", ProbeOptions: opts, Workers: 4, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Monitors, cfg.Metrics = svc, mets
	srv, err := New(cfg, st, life)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	e := &monitorEnv{testEnv: &testEnv{srv: srv, http: hs, store: st, dbPath: dbPath, logs: logs}, svc: svc, sb: sb, sender: sender}
	t.Cleanup(func() {
		hs.Close()
		svc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		life.Shutdown(ctx)
		st.Close()
	})
	return e
}

func (e *monitorEnv) sandboxSettings() probe.Settings {
	ap, _ := e.sb.Addr(sandbox.ServerSubmission)
	return probe.Settings{Host: ap.Addr().String(), Port: int(ap.Port()), Security: probe.SecurityStartTLS, User: sandbox.DemoUser}
}

func (e *monitorEnv) deleteReq(path string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodDelete, e.http.URL+path, nil)
	return e.do(req)
}

// hookReceiver is a real HTTP receiver on loopback for alerts.
func hookReceiver(t *testing.T) (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var bodies []string
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
	}))
	t.Cleanup(hs.Close)
	return hs, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), bodies...)
	}
}

func TestMonitorAPI(t *testing.T) {
	e := newMonitorEnv(t, testKey(t))
	set := e.sandboxSettings()
	body := `{"name": "Sandbox relay", "settings": {"host": "` + set.Host + `", "port": ` + strconv.Itoa(set.Port) +
		`, "security": "starttls", "user": "` + set.User + `"}, "password": "` + sandbox.DemoPassword +
		`", "interval": "10s", "alerts": [{"type": "webhook", "url": "https://hooks.example.com/secret-path"}]}`
	resp, out := e.postJSON("/api/v1/monitors", body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, out)
	}
	var created struct{ ID, URL string }
	json.Unmarshal([]byte(out), &created)
	if created.ID == "" || !strings.HasSuffix(created.URL, "/monitors/"+created.ID) {
		t.Fatalf("create answered %s", out)
	}

	resp, out = e.get("/api/v1/monitors")
	var list struct {
		Monitors []struct {
			ID, Name, Interval, State string
			Since                     time.Time
			Settings                  probe.Settings
			Last                      *struct{ ID string }
		}
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || resp.StatusCode != 200 || len(list.Monitors) != 1 {
		t.Fatalf("list: %d %s", resp.StatusCode, out)
	}
	m := list.Monitors[0]
	if m.ID != created.ID || m.Name != "Sandbox relay" || m.Interval != "10s" || m.State != "pending" || m.Settings.Host != set.Host || m.Since.IsZero() {
		t.Errorf("listed %+v", m)
	}
	if strings.Contains(out, "secret-path") || strings.Contains(out, sandbox.DemoPassword) {
		t.Errorf("the list shows a webhook path or the password: %s", out)
	}
	if resp, out := e.get("/api/v1/monitors/" + created.ID); resp.StatusCode != 200 || !strings.Contains(out, `"state":"pending"`) {
		t.Errorf("get: %d %s", resp.StatusCode, out)
	}
	// PUT edits; a password left out stays.
	edited := strings.Replace(strings.Replace(body, `"Sandbox relay"`, `"Renamed relay"`, 1), `, "password": "`+sandbox.DemoPassword+`"`, "", 1)
	req, _ := http.NewRequest(http.MethodPut, e.http.URL+"/api/v1/monitors/"+created.ID, strings.NewReader(edited))
	req.Header.Set("Content-Type", "application/json")
	if resp, out := e.do(req); resp.StatusCode != http.StatusOK || !strings.Contains(out, `"name":"Renamed relay"`) {
		t.Errorf("put: %d %s", resp.StatusCode, out)
	}
	if m, ok := e.svc.Get(created.ID); !ok || !m.HasSecret || m.Name != "Renamed relay" {
		t.Errorf("after the edit: %+v", m)
	}
	if resp, _ := e.deleteReq("/api/v1/monitors/" + created.ID); resp.StatusCode != http.StatusNoContent {
		t.Errorf("delete: %d", resp.StatusCode)
	}
	if resp, _ := e.get("/api/v1/monitors/" + created.ID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("get after delete: %d", resp.StatusCode)
	}

	for name, tc := range map[string]struct{ body, want string }{
		"fast":       {`{"name": "x", "settings": {"host": "smtp.example.com", "port": 587}, "interval": "1s"}`, "interval"},
		"typo":       {`{"name": "x", "settings": {"host": "smtp.example.com"}, "pasword": "x"}`, "pasword"},
		"bad alert":  {`{"name": "x", "settings": {"host": "smtp.example.com"}, "alerts": [{"type": "pager"}]}`, "one of webhook"},
		"no host":    {`{"name": "x", "settings": {}}`, "settings.host"},
		"bad port":   {`{"name": "x", "settings": {"host": "smtp.example.com", "port": 22}}`, "--allow-ports"},
		"email port": {`{"name": "x", "settings": {"host": "smtp.example.com"}, "alerts": [{"type": "email", "to": "a@example.com", "smtp": {"host": "smtp.example.com", "port": 22, "from": "s@example.com"}}]}`, "alerts[0].smtp.port"},
	} {
		t.Run(name, func(t *testing.T) {
			resp, out := e.postJSON("/api/v1/monitors", tc.body)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(out, tc.want) {
				t.Errorf("%d %s, want 400 mentioning %q", resp.StatusCode, out, tc.want)
			}
		})
	}
}

func TestMonitorWithPasswordNeedsAKey(t *testing.T) {
	e := newMonitorEnv(t, nil)
	set := e.sandboxSettings()
	resp, out := e.postJSON("/api/v1/monitors", `{"name": "x", "settings": {"host": "`+set.Host+`", "port": `+strconv.Itoa(set.Port)+
		`, "user": "u@example.com"}, "password": "hunter2"}`)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(out, "openssl rand -base64 32") || !strings.Contains(out, "--secret-key-file") {
		t.Errorf("%d %s: want 400 saying how to make a key", resp.StatusCode, out)
	}
	resp, out = e.postJSON("/api/v1/monitors", `{"name": "x", "settings": {"host": "`+set.Host+`", "port": `+strconv.Itoa(set.Port)+`}}`)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("a monitor without a password: %d %s", resp.StatusCode, out)
	}
}

// Run a monitor, send a test alert, and look for the password everywhere a
// person or a scraper could see it: pages, API, exports, metrics, alert
// bodies, logs, and the database files.
func TestMonitorPagesAndPasswordNowhere(t *testing.T) {
	e := newMonitorEnv(t, testKey(t))
	hook, bodies := hookReceiver(t)
	ctx := context.Background()
	set := e.sandboxSettings()
	pw := sandbox.DemoPassword
	m, err := e.svc.Create(ctx, monitorFrom(set, hook.URL), service.Secrets{Login: &pw})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first run", func() bool {
		got, _ := e.svc.Get(m.ID)
		return got.Status.Last != nil
	})
	got, _ := e.svc.Get(m.ID)
	if got.Status.State != "ok" {
		t.Fatalf("the sandbox monitor is %s (%s)", got.Status.State, got.Status.Code)
	}
	resp, _ := e.postForm("/monitors/"+m.ID+"/test", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("test alert: %d", resp.StatusCode)
	}
	waitFor(t, "the test alert", func() bool { return len(bodies()) == 1 })
	waitFor(t, "the delivery log", func() bool {
		ds, _ := e.store.Deliveries(ctx, m.ID, 5)
		return len(ds) == 1
	})

	_, list := e.get("/monitors")
	_, page := e.get("/monitors/" + m.ID)
	_, api := e.get("/api/v1/monitors")
	_, export := e.get("/p/" + got.Status.Last.AttemptID + ".json")
	_, text := e.get("/p/" + got.Status.Last.AttemptID + ".txt")
	_, permalink := e.get("/p/" + got.Status.Last.AttemptID)
	_, mets := e.get("/metrics")
	for name, want := range map[string]string{
		"list": "Sandbox relay", "page": "delivered", "metrics": `smtpdoctor_monitor_up{monitor="` + m.ID + `",name="Sandbox relay"} 1`,
		"permalink": "Watch this server",
	} {
		content := map[string]string{"list": list, "page": page, "metrics": mets, "permalink": permalink}[name]
		if !strings.Contains(content, want) {
			t.Errorf("%s lacks %q", name, want)
		}
	}
	if !strings.Contains(mets, `smtpdoctor_attempts_total{code="ok",kind="monitor",outcome="success"}`) {
		t.Error("metrics do not count the monitor's attempt")
	}
	e.svc.Close()
	dbFiles := ""
	for _, suffix := range []string{"", "-wal"} {
		b, _ := os.ReadFile(e.dbPath + suffix)
		dbFiles += string(b)
	}
	forms := []string{pw, base64.StdEncoding.EncodeToString([]byte(pw)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + set.User + "\x00" + pw))}
	for _, f := range forms {
		for name, content := range map[string]string{"monitors page": list, "monitor page": page, "API": api, "JSON export": export,
			"text export": text, "metrics": mets, "alert": strings.Join(bodies(), "\n"), "logs": e.logs.String(), "database": dbFiles} {
			if strings.Contains(content, f) {
				t.Errorf("the %s holds the password (%q)", name, f)
			}
		}
	}
}

func TestMonitorFormFromPermalink(t *testing.T) {
	e := newMonitorEnv(t, testKey(t))
	set := e.sandboxSettings()
	r := probe.Result{ID: attempt.NewID(), Status: probe.StatusDone, Outcome: probe.OutcomeSuccess, Settings: set, StartedAt: time.Now()}
	if err := e.store.Save(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	_, form := e.get("/monitors/new?from=" + r.ID)
	for _, want := range []string{`value="` + set.Host + `"`, `value="` + strconv.Itoa(set.Port) + `"`, `value="` + set.User + `"`} {
		if !strings.Contains(form, want) {
			t.Errorf("the form is not filled in: lacks %s", want)
		}
	}
	v := url.Values{"name": {"From the form"}, "host": {set.Host}, "port": {strconv.Itoa(set.Port)}, "security": {"starttls"},
		"user": {set.User}, "password": {sandbox.DemoPassword}, "interval": {"5m"}, "alert_webhook": {"https://hooks.example.com/x"}}
	resp, out := e.postForm("/monitors", v)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create from the form: %d %s", resp.StatusCode, out)
	}
	loc := resp.Header.Get("Location")
	_, page := e.get(loc)
	if !strings.Contains(page, "From the form") || !strings.Contains(page, "with a stored password (encrypted)") {
		t.Errorf("monitor page after creating: %s", loc)
	}
	v.Set("interval", "1s")
	resp, out = e.postForm("/monitors", v)
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(out, sandbox.DemoPassword) || !strings.Contains(out, "interval") {
		t.Errorf("a bad interval: %d (password echoed: %v)", resp.StatusCode, strings.Contains(out, sandbox.DemoPassword))
	}
}

func monitorFrom(set probe.Settings, hook string) watch.Monitor {
	return watch.Monitor{Name: "Sandbox relay", Settings: set, Interval: 10 * time.Second,
		Alerts: []watch.Alert{{Type: watch.AlertWebhook, URL: hook}}}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Alert webhooks pass the probes' address policy on any port: a webhook
// lives on 443, not on an SMTP port.
func TestAlertPolicy(t *testing.T) {
	check := Config{}.AlertPolicy()
	for _, a := range []string{"127.0.0.1:443", "[::1]:8080", "169.254.169.254:80", "10.0.0.1:443"} {
		ap := netip.MustParseAddrPort(a)
		err := check(ap)
		if (err == nil) != (a == "10.0.0.1:443") {
			t.Errorf("%s: %v", a, err)
		}
	}
	// A globally reachable address (example.com's); the documentation
	// ranges are refused like every block the registries reserve.
	if err := check(netip.MustParseAddrPort("93.184.215.14:443")); err != nil {
		t.Errorf("a public address on 443 refused: %v", err)
	}
	if err := check(netip.MustParseAddrPort("192.0.2.10:443")); err == nil {
		t.Errorf("a documentation address (192.0.2.0/24) allowed for a webhook")
	}
	if err := (Config{DenyPrivate: true}).AlertPolicy()(netip.MustParseAddrPort("10.0.0.1:443")); err == nil {
		t.Error("--deny-private does not apply to webhooks")
	}
}

// A user without a password is a 400 from the API and from the form, each
// saying to give the password or clear the user.
func TestMonitorUserWithoutPassword(t *testing.T) {
	e := newMonitorEnv(t, testKey(t))
	set := e.sandboxSettings()
	resp, out := e.postJSON("/api/v1/monitors", `{"name": "x", "settings": {"host": "`+set.Host+`", "port": `+strconv.Itoa(set.Port)+
		`, "user": "u@example.com"}}`)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(out, "u@example.com") || !strings.Contains(out, "clear the user") {
		t.Errorf("API: %d %s: want 400 naming the user and the way out", resp.StatusCode, out)
	}
	form := url.Values{"name": {"x"}, "host": {set.Host}, "port": {strconv.Itoa(set.Port)}, "security": {"none"}, "user": {"u@example.com"}, "interval": {"5m"}}
	resp, out = e.postForm("/monitors", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(out, "clear the user") {
		t.Errorf("form: %d, want 400 saying to give the password or clear the user", resp.StatusCode)
	}
}
