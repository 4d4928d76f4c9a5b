package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// These tests run the real binary as a separate process, because kill -9 and
// SIGTERM are about what a process leaves behind.

// buildBinary builds the binary once for all the tests that run it.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped in -short")
	}
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "smtpdoctor-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.dir = dir
		built.path = filepath.Join(dir, "smtpdoctor")
		if out, err := exec.Command("go", "build", "-o", built.path, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

var built struct {
	once      sync.Once
	dir, path string
	err       error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// tarpit accepts connections and never says a word: probes against it stay
// in flight until their deadline.
func tarpit(t *testing.T) (addr *net.TCPAddr, accepted *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = new(atomic.Int64)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			accepted.Add(1)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().(*net.TCPAddr), accepted
}

type serverProcess struct {
	cmd  *exec.Cmd
	base string
}

func startProcess(t *testing.T, bin, db string, extra ...string) *serverProcess {
	t.Helper()
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--db", db,
		"--allow-targets", "127.0.0.0/8", "--allow-ports", "1-65535", "--probe-rate", "0", "--per-target", "0"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "SMTPDOCTOR_LOG_LEVEL=warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if u := servingURL.FindString(lines.Text()); u != "" {
				found <- u
			}
		}
	}()
	select {
	case u := <-found:
		return &serverProcess{cmd, u}
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not start")
	}
	return nil
}

func (p *serverProcess) startProbe(t *testing.T, addr *net.TCPAddr) string {
	t.Helper()
	body := `{"host":"127.0.0.1","port":` + strconv.Itoa(addr.Port) + `,"security":"none","user":"u@example.com","password":"crash-test-secret"}`
	resp, err := http.Post(p.base+"api/v1/probes", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ ID string }
	if resp.StatusCode != http.StatusAccepted || json.NewDecoder(resp.Body).Decode(&out) != nil || out.ID == "" {
		t.Fatalf("start probe: %s", resp.Status)
	}
	return out.ID
}

func (p *serverProcess) status(t *testing.T, id string) string {
	t.Helper()
	resp, err := http.Get(p.base + "api/v1/probes/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Status string }
	json.NewDecoder(resp.Body).Decode(&out)
	return out.Status
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestKillNineLeavesNothingRunning(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "crash.db")
	addr, accepted := tarpit(t)

	p := startProcess(t, bin, db, "--timeout", "60s", "--total-timeout", "120s")
	var ids []string
	for range 5 {
		ids = append(ids, p.startProbe(t, addr))
	}
	waitFor(t, "the probes to connect", func() bool { return accepted.Load() >= 5 })
	for _, id := range ids {
		if s := p.status(t, id); s != "running" && s != "queued" {
			t.Fatalf("attempt %s is %q before the crash; the test needs them in flight", id, s)
		}
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()

	p = startProcess(t, bin, db)
	for _, id := range ids {
		if s := p.status(t, id); s != "interrupted" {
			t.Errorf("after kill -9 and restart, attempt %s is %q, want interrupted", id, s)
		}
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()

	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(context.Background()); err != nil {
		t.Errorf("integrity check after kill -9: %v", err)
	}
	raw, _ := os.ReadFile(db)
	wal, _ := os.ReadFile(db + "-wal")
	if strings.Contains(string(raw)+string(wal), "crash-test-secret") {
		t.Errorf("the password reached the database files")
	}
}

func TestSIGTERMMarksUnfinishedProbesInterrupted(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "term.db")
	addr, accepted := tarpit(t)

	p := startProcess(t, bin, db, "--timeout", "60s", "--total-timeout", "120s", "--shutdown-timeout", "500ms")
	id := p.startProbe(t, addr)
	waitFor(t, "the probe to connect", func() bool { return accepted.Load() >= 1 })
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("SIGTERM did not stop the server; a probe against a silent server must not hold shutdown past its deadline")
	}

	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "interrupted" {
		t.Errorf("after SIGTERM the unfinished attempt is %q, want interrupted", r.Status)
	}
	// Cut off by the dashboard stopping, not by the server: the diagnosis
	// must say so, never blame the server with a timeout.
	if r.Diagnosis == nil || r.Diagnosis.Code != probe.CodeProbeInterrupted || !strings.Contains(r.Diagnosis.Summary, "stopped") {
		t.Errorf("after SIGTERM the attempt is diagnosed %+v, want %s saying the dashboard stopped", r.Diagnosis, probe.CodeProbeInterrupted)
	}
}

// Two serve processes on one database: the second one starting leaves the
// first one's running probes alone; once the first is killed, the second
// marks them interrupted (it finds the first one's lock released).
func TestTwoServersOnOneDatabase(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "shared.db")
	addr, accepted := tarpit(t)

	a := startProcess(t, bin, db, "--timeout", "60s", "--total-timeout", "120s")
	id := a.startProbe(t, addr)
	waitFor(t, "the probe to connect", func() bool { return accepted.Load() >= 1 })

	b := startProcess(t, bin, db)
	for _, p := range []*serverProcess{a, b} {
		if s := p.status(t, id); s != "running" && s != "queued" {
			t.Fatalf("with both servers up, the first one's probe is %q, want it unfinished", s)
		}
	}
	a.cmd.Process.Signal(syscall.SIGKILL)
	a.cmd.Wait()
	waitFor(t, "the second server to mark the killed one's probe interrupted", func() bool { return b.status(t, id) == "interrupted" })
}
