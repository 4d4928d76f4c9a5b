package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// A monitor whose run is cut by kill -9: after the restart the run's
// attempt is interrupted, the monitor is still scheduled with its state
// unchanged, no alert went out, and the password it keeps is still sealed
// under the same key.
func TestKillNineDuringAMonitorRunAlertsNothing(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "crash.db")
	keyFile := filepath.Join(dir, "secret.key")
	out, err := exec.Command("openssl", "rand", "-base64", "32").Output()
	if err != nil {
		if os.Getenv("SMTPDOCTOR_REQUIRE_REAL") != "" {
			t.Fatalf("openssl: %v", err)
		}
		t.Skip("openssl not installed")
	}
	os.WriteFile(keyFile, out, 0o600)
	addr, accepted := tarpit(t)
	var alerts atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		alerts.Add(1)
	}))
	defer hook.Close()

	p := startProcess(t, bin, db, "--timeout", "60s", "--total-timeout", "120s", "--secret-key-file", keyFile)
	body := `{"name": "Tarpit", "settings": {"host": "127.0.0.1", "port": ` + strconv.Itoa(addr.Port) +
		`, "security": "none", "user": "u@example.com"}, "password": "monitor-crash-secret", "interval": "10s",` +
		`"alerts": [{"type": "webhook", "url": "` + hook.URL + `/hook"}]}`
	resp, err := http.Post(p.base+"api/v1/monitors", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || created.ID == "" {
		t.Fatalf("create monitor: %s", resp.Status)
	}
	waitFor(t, "the monitor's run to connect", func() bool { return accepted.Load() >= 1 })
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()

	p = startProcess(t, bin, db, "--secret-key-file", keyFile)
	resp, err = http.Get(p.base + "api/v1/monitors/" + created.ID)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		State   string
		NextRun time.Time `json:"next_run"`
		Last    *struct{ ID string }
	}
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if m.State != "pending" || m.Last != nil || m.NextRun.IsZero() {
		t.Errorf("after kill -9 the monitor is %q (last %+v, next run %v), want pending, no last run, scheduled", m.State, m.Last, m.NextRun)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
	if n := alerts.Load(); n != 0 {
		t.Errorf("%d alerts after a run cut by a crash, want none", n)
	}

	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	page, err := st.List(context.Background(), store.Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	interrupted := 0
	for _, a := range page.Attempts {
		if a.Status == probe.StatusInterrupted {
			interrupted++
		}
	}
	if interrupted == 0 {
		t.Errorf("no interrupted attempt after the crash: %+v", page.Attempts)
	}
	raw, _ := os.ReadFile(db)
	wal, _ := os.ReadFile(db + "-wal")
	if strings.Contains(string(raw)+string(wal), "monitor-crash-secret") {
		t.Error("the monitor's password reached the database files")
	}
}
