package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/store"
	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// TestReplicasActAsOne runs three `serve` processes on one PostgreSQL
// database, as behind a load balancer, and checks that they behave as one
// dashboard: an attempt started on one has its permalink on the others, a
// page open on another follows its progress live, the per-target limit
// counts the probes of every replica, a monitor runs once per due time and
// alerts once, and a killed replica's probes, and only those, end up
// interrupted.
func TestReplicasActAsOne(t *testing.T) {
	db := storetest.Postgres(t)
	bin := buildBinary(t)
	replicaArgs := []string{"--replica-timeout", "2s", "--per-target", "1", "--timeout", "60s", "--total-timeout", "120s"}
	a := startProcess(t, bin, db, replicaArgs...)
	b := startProcess(t, bin, db, replicaArgs...)
	c := startProcess(t, bin, db, replicaArgs...)

	// A probe on A against a server that never speaks: it stays running.
	silent, accepted := tarpit(t)
	onA := a.startProbe(t, silent)
	waitFor(t, "A's probe to connect", func() bool { return accepted.Load() >= 1 })
	for name, p := range map[string]*serverProcess{"B": b, "C": c} {
		waitFor(t, "A's attempt on "+name, func() bool { return p.status(t, onA) == "running" })
	}

	// The per-target limit is one probe of a host in all: B refuses a
	// second probe of the host A is probing.
	if code := b.tryStart(t, silent); code != http.StatusTooManyRequests && code != http.StatusServiceUnavailable {
		t.Errorf("a second probe of the same host on B: HTTP %d, want it refused (429 or 503)", code)
	}

	// Live progress across replicas: a page on C follows a probe run by
	// B, from the moment it starts to its end.
	gate, release := gatedServer(t)
	onB := b.startProbe(t, gate)
	events := c.openEvents(t, onB)
	if got := events.waitFor(t, "progress"); strings.Contains(got, "421") {
		t.Fatalf("C showed the end before the server spoke:\n%s", got)
	}
	close(release) // the server answers 421 and closes: the probe ends
	if got := events.waitFor(t, "done"); !strings.Contains(got, "421") {
		t.Errorf("C's live stream ended without B's result (the 421 reply); it showed:\n%s", got)
	}

	// A monitor made on B, of a server that refuses connections, alerting
	// a webhook at its first failure: all three replicas schedule it
	// (A and C learn of it from the database), yet each run happens once
	// and the failing alert goes out once.
	monitorRunsOnce(t, b, db)

	// A second silent server, on another loopback address, for a probe
	// that B runs while A is killed.
	other := tarpitOn(t, "127.0.0.2")
	stillRunning := b.startProbe(t, other)
	waitFor(t, "B's probe to be stored", func() bool { return c.status(t, stillRunning) == "running" })

	a.cmd.Process.Signal(syscall.SIGKILL)
	a.cmd.Wait()
	waitFor(t, "A's probe to be marked interrupted", func() bool { return c.status(t, onA) == "interrupted" })
	if s := c.status(t, stillRunning); s != "running" {
		t.Errorf("B's probe is %q after A was killed; only A's may be interrupted", s)
	}
}

// tryStart starts a probe and returns the HTTP status, whatever it is.
func (p *serverProcess) tryStart(t *testing.T, addr *net.TCPAddr) int {
	t.Helper()
	body := `{"host":"` + addr.IP.String() + `","port":` + strconv.Itoa(addr.Port) + `,"security":"none","user":"u@example.com","password":"replica-test-secret"}`
	resp, err := http.Post(p.base+"api/v1/probes", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// tarpitOn is tarpit on another loopback address.
func tarpitOn(t *testing.T, ip string) *net.TCPAddr {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("cannot listen on %s: %v", ip, err)
	}
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
	return ln.Addr().(*net.TCPAddr)
}

// gatedServer accepts connections and says nothing until release is
// closed; then it refuses each with a 421 greeting (RFC 5321 §3.1: a
// server may answer the connection with 421 when it cannot serve).
func gatedServer(t *testing.T) (*net.TCPAddr, chan struct{}) {
	t.Helper()
	// Its own loopback address: the per-target limit counts hosts.
	ln, err := net.Listen("tcp", "127.0.0.3:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.3: %v", err)
	}
	release := make(chan struct{})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				<-release
				c.SetWriteDeadline(time.Now().Add(5 * time.Second))
				c.Write([]byte("421 4.3.2 gate.example.test Service not available, closing transmission channel\r\n"))
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().(*net.TCPAddr), release
}

// eventStream reads a live-progress stream (server-sent events).
type eventStream struct {
	mu     sync.Mutex
	seen   strings.Builder
	events chan string // event names, as they arrive
}

func (p *serverProcess) openEvents(t *testing.T, id string) *eventStream {
	t.Helper()
	resp, err := http.Get(p.base + "p/" + id + "/events")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		t.Fatalf("GET /p/%s/events: %s", id, resp.Status)
	}
	t.Cleanup(func() { resp.Body.Close() })
	s := &eventStream{events: make(chan string, 100)}
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.seen.WriteString(line + "\n")
			s.mu.Unlock()
			if name, ok := strings.CutPrefix(line, "event: "); ok {
				s.events <- name
			}
		}
		close(s.events)
	}()
	return s
}

// waitFor reads events until one named name arrives, and returns all that
// the stream carried until then.
func (s *eventStream) waitFor(t *testing.T, name string) string {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case got, ok := <-s.events:
			if !ok {
				s.mu.Lock()
				defer s.mu.Unlock()
				t.Fatalf("the stream ended before %q:\n%s", name, s.seen.String())
			}
			if got == name {
				s.mu.Lock()
				defer s.mu.Unlock()
				return s.seen.String()
			}
		case <-timeout:
			t.Fatalf("no %q event", name)
		}
	}
}

// monitorRunsOnce makes a monitor through p's API and watches four runs.
func monitorRunsOnce(t *testing.T, p *serverProcess, db string) {
	t.Helper()
	var mu sync.Mutex
	alerts := 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		alerts++
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()
	refused := refusedAddr(t, "127.0.0.6")
	body := `{"name":"refused relay","settings":{"host":"` + refused.IP.String() + `","port":` + strconv.Itoa(refused.Port) +
		`,"security":"none"},"interval":"10s","fail_after":1,"alerts":[{"type":"webhook","url":"` + hook.URL + `/hook"}]}`
	resp, err := http.Post(p.base+"api/v1/monitors", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var made struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&made)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || made.ID == "" {
		t.Fatalf("create a monitor: %s", resp.Status)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var runs []store.RunPoint
	deadline := time.Now().Add(3 * time.Minute)
	for len(runs) < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d runs of the monitor", len(runs))
		}
		time.Sleep(500 * time.Millisecond)
		if runs, err = st.MonitorRuns(context.Background(), made.ID, 100); err != nil {
			t.Fatal(err)
		}
	}
	// Runs come newest first, one interval (10 s, give or take a jitter of
	// 0.2 s) apart; a due run done by two replicas would be two close
	// together (or, the per-target bound making the second wait, a few
	// seconds apart).
	for i := 1; i < len(runs); i++ {
		if gap := runs[i-1].At.Sub(runs[i].At); gap < 9*time.Second {
			t.Errorf("two runs %v apart at %v: a due run ran on two replicas", gap, runs[i].At)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if alerts != 1 {
		t.Errorf("the failing alert went out %d times, want once", alerts)
	}
}

// refusedAddr is an address on ip where nothing listens.
func refusedAddr(t *testing.T, ip string) *net.TCPAddr {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("cannot listen on %s: %v", ip, err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close()
	return addr
}
