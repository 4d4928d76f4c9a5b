package service

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

// pathReceiver is a real HTTP receiver on loopback that keeps the path
// and query each alert was posted to.
type pathReceiver struct {
	*httptest.Server
	mu   sync.Mutex
	uris []string
}

func newPathReceiver(t *testing.T) *pathReceiver {
	p := &pathReceiver{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.uris = append(p.uris, r.URL.RequestURI())
		p.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *pathReceiver) got(uri string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, u := range p.uris {
		if u == uri {
			n++
		}
	}
	return n
}

// A webhook address is a token (Slack's, Discord's): with a key it is
// sealed like a password, absent from the database file and its WAL, and
// opened again after a restart to deliver to.
func TestAlertURLSealedWithAKey(t *testing.T) {
	ca := smtptest.NewCA(t, "monitor test CA")
	srv := newServer(t, yearCert(t, ca))
	rcv := newPathReceiver(t)
	const pathToken, queryToken = "T0AB1CD2E3FG4HI5JK6LM7NO8PQ", "sig9RS8TU7VW6XY5Z"
	uri := "/services/" + pathToken + "?sig=" + queryToken
	key := newKey(t)
	e := newEnv(t, ca, key, "")
	ctx := context.Background()
	m, err := e.svc.Create(ctx, monitorFor(srv, rcv.URL+uri), Secrets{Login: ptr(testPassword)})
	if err != nil {
		t.Fatal(err)
	}
	e.runNow(t, m.ID)
	if err := e.svc.TestAlert(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	e.sender.Close()
	if rcv.got(uri) != 1 {
		t.Fatalf("the test alert did not reach the full address; got %v", rcv.uris)
	}
	var files []string
	for _, suffix := range []string{"", "-wal"} {
		if b, err := os.ReadFile(e.path + suffix); err == nil {
			files = append(files, string(b))
		}
	}
	path := e.path
	e.close()
	if b, err := os.ReadFile(path); err == nil {
		files = append(files, string(b))
	}
	if len(files) < 2 {
		t.Fatal("database files not read")
	}
	for i, f := range files {
		for _, tok := range []string{pathToken, queryToken} {
			if strings.Contains(f, tok) {
				t.Errorf("database file %d holds the webhook address (%s)", i, tok)
			}
		}
	}
	if strings.Contains(e.logs.String(), pathToken) {
		t.Error("the logs hold the webhook path")
	}

	e = newEnv(t, ca, key, path)
	defer e.close()
	if err := e.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.TestAlert(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	e.sender.Close()
	if rcv.got(uri) != 2 {
		t.Errorf("after a restart the alert did not reach the full address; got %v", rcv.uris)
	}
}

// Without a key the address is kept as typed; the first start with a key
// seals it.
func TestAlertURLSealedWhenAKeyComes(t *testing.T) {
	ca := smtptest.NewCA(t, "monitor test CA")
	srv := newServer(t, yearCert(t, ca))
	rcv := newPathReceiver(t)
	uri := "/hooks/T0AB1CD2E3FG4HI5JK6LM7NO8PQ"
	e := newEnv(t, ca, nil, "")
	ctx := context.Background()
	mon := monitorFor(srv, rcv.URL+uri)
	mon.Settings.User = ""
	m, err := e.svc.Create(ctx, mon, Secrets{})
	if err != nil {
		t.Fatal(err)
	}
	path := e.path
	e.close()

	e = newEnv(t, ca, newKey(t), path)
	defer e.close()
	if err := e.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := e.store.GetMonitor(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a := got.Alerts[0]; !a.URLSealed || strings.Contains(a.URL, "T0AB1") {
		t.Errorf("stored alert after a start with a key: %+v, want sealed", a)
	}
	if err := e.svc.TestAlert(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	e.sender.Close()
	if rcv.got(uri) != 1 {
		t.Errorf("the alert did not reach the full address; got %v", rcv.uris)
	}
}

// Removing an alert that stood before an email alert keeps the email
// alert's stored password: it follows the server and user, not the index.
func TestEmailAlertKeepsItsPasswordWhenTheListShifts(t *testing.T) {
	ca := smtptest.NewCA(t, "monitor test CA")
	srv := newServer(t, yearCert(t, ca))
	e := newEnv(t, ca, newKey(t), "")
	defer e.close()
	ctx := context.Background()
	smtpSet := srv.settings()
	smtpSet.From = "smtpdoctor@example.com"
	email := watch.Alert{Type: watch.AlertEmail, To: "ops@example.com", SMTP: &smtpSet}
	mon := monitorFor(srv, "https://hooks.example.com/x")
	mon.Alerts = append(mon.Alerts, email)
	m, err := e.svc.Create(ctx, mon, Secrets{Login: ptr(testPassword), Alerts: map[int]string{1: testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	m.Alerts = []watch.Alert{email}
	got, err := e.svc.Update(ctx, m, Secrets{})
	if err != nil {
		t.Fatalf("edit removing the webhook: %v", err)
	}
	if !got.Alerts[0].HasSecret {
		t.Error("the email alert lost its password when the webhook before it was removed")
	}
	if _, err := e.store.MonitorSecret(ctx, m.ID, watch.SlotAlert(0)); err != nil {
		t.Errorf("the email alert's password is not stored in its new slot: %v", err)
	}
}
