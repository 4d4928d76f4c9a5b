package service

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/secretbox"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

func monitorFor(srv *server, hook string) watch.Monitor {
	return watch.Monitor{Name: "Office relay", Settings: srv.settings(), Interval: time.Minute,
		Alerts: []watch.Alert{{Type: watch.AlertWebhook, URL: hook}}}
}

// A server that goes down and comes back alerts exactly once each way, and
// each alert carries the permalink of the run behind it.
func TestFailingThenRecoveredAlertsOnceEachWay(t *testing.T) {
	ca := smtptest.NewCA(t, "monitor test CA")
	srv := newServer(t, yearCert(t, ca))
	h := newHooks(t)
	e := newEnv(t, ca, newKey(t), "")
	defer e.close()
	ctx := context.Background()
	m, err := e.svc.Create(ctx, monitorFor(srv, h.URL+"/hook"), Secrets{Login: ptr(testPassword)})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.runNow(t, m.ID); got.Status.State != watch.StateOK {
		t.Fatalf("first run: %s (%s)", got.Status.State, got.Status.Code)
	}
	srv.stop()
	e.runNow(t, m.ID)
	if got := e.runNow(t, m.ID); got.Status.State != watch.StateFailing || got.Status.Code != probe.CodeNetRefused {
		t.Fatalf("after two refused connections: %s %s", got.Status.State, got.Status.Code)
	}
	e.runNow(t, m.ID) // still failing: no new alert
	srv.start()
	if got := e.runNow(t, m.ID); got.Status.State != watch.StateOK {
		t.Fatalf("after the server came back: %s %s", got.Status.State, got.Status.Code)
	}
	e.runNow(t, m.ID)

	if got := h.events(); !slices.Equal(got, []watch.EventKind{watch.EventFailing, watch.EventRecovered}) {
		t.Fatalf("alerts %v, want exactly failing then recovered", got)
	}
	for _, msg := range h.msgs {
		if msg.Attempt == nil || msg.Attempt.URL != "https://smtpdoctor.example.com/p/"+msg.Attempt.ID ||
			msg.Monitor.URL != "https://smtpdoctor.example.com/monitors/"+m.ID {
			t.Errorf("%s alert without the permalink: %+v", msg.Event, msg)
			continue
		}
		// The permalink's attempt is kept, although runs around it were compacted.
		r, err := e.store.Get(ctx, msg.Attempt.ID)
		if err != nil {
			t.Errorf("%s alert links to attempt %s, which is not stored: %v", msg.Event, msg.Attempt.ID, err)
		} else if r.Kind != probe.KindMonitor || r.MonitorID != m.ID {
			t.Errorf("attempt %s is kind %q of monitor %q, want a monitor attempt of %s", r.ID, r.Kind, r.MonitorID, m.ID)
		}
	}
	if h.msgs[0].Attempt.Diagnosis.Code != probe.CodeNetRefused || h.msgs[0].Attempt.Diagnosis.Title == "" {
		t.Errorf("failing alert diagnosis %+v", h.msgs[0].Attempt.Diagnosis)
	}
	ds, err := e.store.Deliveries(ctx, m.ID, 10)
	if err != nil || len(ds) != 2 || !ds[0].OK || !ds[1].OK {
		t.Errorf("delivery log %+v, %v", ds, err)
	}
	runs, _ := e.store.MonitorRuns(ctx, m.ID, 100)
	if len(runs) != 6 {
		t.Errorf("%d runs recorded, want 6", len(runs))
	}
}

// After a refused login the monitor stops logging in: the next runs check
// the server without AUTH, until the monitor is edited.
func TestRefusedLoginBacksOff(t *testing.T) {
	ca := smtptest.NewCA(t, "monitor test CA")
	srv := newServer(t, yearCert(t, ca))
	h := newHooks(t)
	e := newEnv(t, ca, newKey(t), "")
	defer e.close()
	ctx := context.Background()
	m, err := e.svc.Create(ctx, monitorFor(srv, h.URL), Secrets{Login: ptr(testPassword)})
	if err != nil {
		t.Fatal(err)
	}
	srv.refuse.Store(true) // the password was changed on the server
	got := e.runNow(t, m.ID)
	if got.Status.State != watch.StateFailing || got.Status.Hold == nil || got.Status.Code != probe.CodeAuthCredentialsRejected {
		t.Fatalf("after a 535: state %s code %s hold %+v", got.Status.State, got.Status.Code, got.Status.Hold)
	}
	if len(got.Status.Remediation) == 0 {
		t.Error("the failing status keeps no remediation")
	}
	if d := got.Status.Hold.RetryAt.Sub(time.Now()); d < 50*time.Minute || d > time.Hour {
		t.Errorf("login retried in %s, want about an hour", d)
	}
	sessions := srv.sessions.Load()
	for range 3 {
		got = e.runNow(t, m.ID)
	}
	if n := srv.auths.Load(); n != 1 {
		t.Errorf("%d AUTH attempts in 4 runs, want 1: the monitor kept logging in after a refusal", n)
	}
	if n := srv.sessions.Load() - sessions; n < 3 {
		t.Errorf("%d sessions in 3 runs: the server was not checked without login", n)
	}
	if got.Status.State != watch.StateFailing || got.Status.Last == nil || !got.Status.Last.WithoutLogin {
		t.Errorf("runs without login: state %s last %+v", got.Status.State, got.Status.Last)
	}
	if got := h.events(); !slices.Equal(got, []watch.EventKind{watch.EventFailing}) {
		t.Errorf("alerts %v, want one failing", got)
	}
	if !strings.Contains(h.msgs[0].Detail, "stopped logging in") {
		t.Errorf("the failing alert does not say the login is paused: %q", h.msgs[0].Detail)
	}

	// The password is fixed on the server; editing the monitor logs in again at once.
	srv.refuse.Store(false)
	if err := e.svc.ResumeLogin(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	got = e.runNow(t, m.ID)
	if srv.auths.Load() != 2 || got.Status.State != watch.StateOK || got.Status.Hold != nil {
		t.Errorf("after the edit: %d AUTH attempts, state %s, hold %+v", srv.auths.Load(), got.Status.State, got.Status.Hold)
	}
	if got := h.events(); !slices.Equal(got, []watch.EventKind{watch.EventFailing, watch.EventRecovered}) {
		t.Errorf("alerts %v, want failing then recovered", got)
	}
}

func TestCertificateNearExpiryAlerts(t *testing.T) {
	ca := smtptest.NewCA(t, "monitor test CA")
	cert := ca.Issue(t, smtptest.CertSpec{Names: []string{"127.0.0.1"}, NotAfter: time.Now().Add(5 * 24 * time.Hour)})
	srv := newServer(t, cert)
	h := newHooks(t)
	e := newEnv(t, ca, newKey(t), "")
	defer e.close()
	m, err := e.svc.Create(context.Background(), monitorFor(srv, h.URL), Secrets{Login: ptr(testPassword)})
	if err != nil {
		t.Fatal(err)
	}
	e.runNow(t, m.ID)
	e.runNow(t, m.ID)
	if got := h.events(); !slices.Equal(got, []watch.EventKind{watch.EventCertExpiring}) {
		t.Fatalf("alerts %v, want one cert_expiring", got)
	}
	if !strings.Contains(h.msgs[0].Detail, "expires on") {
		t.Errorf("cert_expiring detail %q", h.msgs[0].Detail)
	}
}

// The password is kept sealed: not in the database file or its WAL (in any
// of its usual encodings), not in the logs, not in alert bodies.
func TestPasswordNeverStoredOrSentInTheClear(t *testing.T) {
	ca := smtptest.NewCA(t, "monitor test CA")
	srv := newServer(t, yearCert(t, ca))
	h := newHooks(t)
	e := newEnv(t, ca, newKey(t), "")
	ctx := context.Background()
	m, err := e.svc.Create(ctx, monitorFor(srv, h.URL), Secrets{Login: ptr(testPassword)})
	if err != nil {
		t.Fatal(err)
	}
	e.runNow(t, m.ID)
	srv.refuse.Store(true)
	e.runNow(t, m.ID)
	if err := e.svc.TestAlert(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	e.sender.Close()
	forms := []string{testPassword, base64.StdEncoding.EncodeToString([]byte(testPassword)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + testUser + "\x00" + testPassword))}
	var files []string
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(e.path + suffix)
		if err == nil {
			files = append(files, string(b))
		}
	}
	e.close()
	if b, err := os.ReadFile(e.path); err == nil {
		files = append(files, string(b))
	}
	if len(files) < 2 {
		t.Fatal("database files not read")
	}
	h.mu.Lock()
	var bodies string
	for _, b := range h.raw {
		bodies += string(b)
	}
	h.mu.Unlock()
	if len(h.raw) < 2 {
		t.Fatalf("%d alerts, want failing and test", len(h.raw))
	}
	for _, f := range forms {
		for i, content := range files {
			if strings.Contains(content, f) {
				t.Errorf("database file %d holds the password (%q)", i, f)
			}
		}
		if strings.Contains(e.logs.String(), f) {
			t.Errorf("the logs hold the password (%q)", f)
		}
		if strings.Contains(bodies, f) {
			t.Errorf("an alert body holds the password (%q)", f)
		}
	}
}

func TestKeyRules(t *testing.T) {
	ca := smtptest.NewCA(t, "monitor test CA")
	srv := newServer(t, yearCert(t, ca))
	ctx := context.Background()

	// No key: a monitor with a password is refused, saying how to make a key; one without works.
	e := newEnv(t, ca, nil, "")
	_, err := e.svc.Create(ctx, monitorFor(srv, "https://hooks.example.com/x"), Secrets{Login: ptr(testPassword)})
	var ie *InputError
	if !errors.As(err, &ie) || !errors.Is(err, ErrNoKey) || !strings.Contains(err.Error(), "openssl rand -base64 32") {
		t.Errorf("a password without a key: %v", err)
	}
	open := monitorFor(srv, "https://hooks.example.com/x")
	open.Settings.User = ""
	if _, err := e.svc.Create(ctx, open, Secrets{}); err != nil {
		t.Errorf("a monitor without a password refused without a key: %v", err)
	}
	e.close()

	// Passwords sealed under one key: another key, or none, is an error at start.
	key := newKey(t)
	e = newEnv(t, ca, key, "")
	if _, err := e.svc.Create(ctx, monitorFor(srv, "https://hooks.example.com/x"), Secrets{Login: ptr(testPassword)}); err != nil {
		t.Fatal(err)
	}
	path := e.path
	e.close()
	other := newKey(t)
	e = newEnv(t, ca, other, path)
	err = e.svc.Start(ctx)
	if !errors.Is(err, secretbox.ErrWrongKey) || !strings.Contains(err.Error(), key.ID()) || !strings.Contains(err.Error(), "rotate-key") {
		t.Errorf("start with the wrong key: %v", err)
	}
	e.close()
	e = newEnv(t, ca, nil, path)
	if err := e.svc.Start(ctx); err == nil || !strings.Contains(err.Error(), "--secret-key-file") {
		t.Errorf("start without a key: %v", err)
	}
	e.close()
	e = newEnv(t, ca, key, path)
	if err := e.svc.Start(ctx); err != nil {
		t.Errorf("start with the right key: %v", err)
	}
	e.close()
}

// A restart resumes every monitor at its stored next run; a run cut short
// (interrupted) changes nothing and alerts nothing.
func TestRestartResumesTheSchedule(t *testing.T) {
	ca := smtptest.NewCA(t, "monitor test CA")
	srv := newServer(t, yearCert(t, ca))
	h := newHooks(t)
	key := newKey(t)
	e := newEnv(t, ca, key, "")
	ctx := context.Background()
	m, err := e.svc.Create(ctx, monitorFor(srv, h.URL), Secrets{Login: ptr(testPassword)})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.sched.Set(m.ID, time.Now().Add(time.Hour)) // as fire does before a run
	e.runNow(t, m.ID)
	before, _ := e.svc.Get(m.ID)
	stored, _ := e.store.GetMonitor(ctx, m.ID)
	if !stored.NextRunAt.Equal(before.NextRunAt.Truncate(time.Millisecond)) {
		t.Fatalf("stored next run %v, scheduled %v", stored.NextRunAt, before.NextRunAt)
	}
	// A run the process did not finish: no record, no state change, no alert.
	e.svc.finish(ctx, m.ID, probe.Result{ID: "cut", Status: probe.StatusInterrupted, Outcome: probe.OutcomeFailure,
		Diagnosis: &probe.Diagnosis{Code: probe.CodeProbeInterrupted}}, false)
	e.close()

	e = newEnv(t, ca, key, e.path)
	defer e.close()
	if err := e.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	after, ok := e.svc.Get(m.ID)
	if !ok || !after.NextRunAt.Equal(stored.NextRunAt) {
		t.Errorf("after restart next run %v, want the stored %v", after.NextRunAt, stored.NextRunAt)
	}
	if after.Status.State != watch.StateOK || after.Status.Last == nil || after.Status.Last.AttemptID == "cut" {
		t.Errorf("after restart status %+v", after.Status)
	}
	runs, _ := e.store.MonitorRuns(ctx, m.ID, 10)
	if len(runs) != 1 || len(h.events()) != 0 {
		t.Errorf("%d runs, alerts %v: the interrupted run counted", len(runs), h.events())
	}
}

// The scheduler runs a due monitor by itself.
func TestScheduledRun(t *testing.T) {
	ca := smtptest.NewCA(t, "monitor test CA")
	srv := newServer(t, yearCert(t, ca))
	ran := make(chan watch.Monitor, 1)
	e := newEnv(t, ca, newKey(t), "")
	e.svc.cfg.OnRun = func(m watch.Monitor, _ probe.Result) {
		select {
		case ran <- m:
		default:
		}
	}
	defer e.close()
	ctx := context.Background()
	if err := e.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Create(ctx, monitorFor(srv, "https://hooks.example.com/x"), Secrets{Login: ptr(testPassword)}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-ran:
		if m.Status.State != watch.StateOK {
			t.Errorf("scheduled run: %s %s", m.Status.State, m.Status.Code)
		}
		if !m.NextRunAt.IsZero() && m.NextRunAt.Before(time.Now()) {
			t.Errorf("next run %v is in the past", m.NextRunAt)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the scheduler never ran the new monitor")
	}
}

func yearCert(t *testing.T, ca *smtptest.CA) tls.Certificate {
	return ca.Issue(t, smtptest.CertSpec{Names: []string{"127.0.0.1"}, NotAfter: time.Now().AddDate(1, 0, 0)})
}

// A monitor's run is the probe's textbook conversation: it reads the whole
// multi-line greeting before EHLO (RFC 5321 §4.2: a client waits for the
// last line), sends nothing before the EHLO reply, and ends with QUIT.
func TestMonitorRunIsATextbookConversation(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{Greeting: []string{
		"220-mail.example.com ESMTP", "220-no UCE", "220 mail.example.com ready",
	}})
	ca := smtptest.NewCA(t, "unused")
	e := newEnv(t, ca, newKey(t), "")
	defer e.close()
	m, err := e.svc.Create(context.Background(), watch.Monitor{Name: "relay", Interval: time.Minute,
		Settings: probe.Settings{Host: srv.Host, Port: srv.Port, Security: probe.SecurityNone}}, Secrets{})
	if err != nil {
		t.Fatal(err)
	}
	got := e.runNow(t, m.ID)
	r, err := e.store.Get(context.Background(), got.Status.Last.AttemptID)
	if err != nil {
		t.Fatal(err)
	}
	var seq []string
	for _, l := range r.Transcript {
		if l.Dir != probe.DirNote {
			seq = append(seq, string(l.Dir)+" "+l.Text)
		}
	}
	joined := strings.Join(seq, "\n")
	greeting := strings.Index(joined, "server 220 mail.example.com ready")
	ehlo := strings.Index(joined, "client EHLO")
	if greeting < 0 || ehlo < 0 || ehlo < greeting || !strings.Contains(joined, "server 220-no UCE") {
		t.Errorf("EHLO before the whole greeting:\n%s", joined)
	}
	if len(seq) == 0 || seq[len(seq)-2] != "client QUIT" && seq[len(seq)-1] != "client QUIT" {
		t.Errorf("the conversation does not end with QUIT:\n%s", joined)
	}
	// The probe sends QUIT without waiting for its reply, so the server may
	// read it a moment after the run is recorded: wait for it to arrive.
	lines := srv.Lines()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); lines = srv.Lines() {
		if len(lines) > 0 && lines[len(lines)-1] == "QUIT" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "EHLO") || lines[len(lines)-1] != "QUIT" {
		t.Errorf("the server saw %q", lines)
	}
}

// A user without a password is refused when the monitor is made and when it
// is edited to drop the password: it would log in with an empty one. A
// monitor without a user logs in not at all and needs none.
func TestUserWithoutPasswordIsRefused(t *testing.T) {
	ca := smtptest.NewCA(t, "monitor test CA")
	srv := newServer(t, yearCert(t, ca))
	e := newEnv(t, ca, newKey(t), "")
	defer e.close()
	ctx := context.Background()
	_, err := e.svc.Create(ctx, monitorFor(srv, "https://hooks.example.com/x"), Secrets{})
	var ie *InputError
	if !errors.As(err, &ie) || !errors.Is(err, ErrNoPassword) || !strings.Contains(err.Error(), testUser) {
		t.Errorf("a user without a password: %v, want an input error naming the user", err)
	}
	m, err := e.svc.Create(ctx, monitorFor(srv, "https://hooks.example.com/x"), Secrets{Login: ptr(testPassword)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Update(ctx, m, Secrets{Login: ptr("")}); !errors.Is(err, ErrNoPassword) {
		t.Errorf("an edit removing the password of a user: %v", err)
	}
	if _, err := e.svc.Update(ctx, m, Secrets{}); err != nil {
		t.Errorf("an edit keeping the password: %v", err)
	}
	open := monitorFor(srv, "https://hooks.example.com/x")
	open.Settings.User = ""
	if _, err := e.svc.Create(ctx, open, Secrets{}); err != nil {
		t.Errorf("a monitor without a user: %v", err)
	}
}
