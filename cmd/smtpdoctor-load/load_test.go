package main

import (
	"crypto/tls"
	"net/smtp"
	"strings"
	"testing"
	"time"
)

// The tool's own parts, against real loopback servers: what it measures is
// only worth something if its servers and counters are right.

func TestBareProbeAgainstSubmission(t *testing.T) {
	pki, err := newPKI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	addr, stop, err := startSubmission(pki)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if err := bareProbe(addr, pki); err != nil {
		t.Fatalf("the bare probe failed against the load server: %v", err)
	}
	// A wrong password must fail, or the throughput figure measures nothing.
	cl, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.StartTLS(&tls.Config{RootCAs: pki.pool, ServerName: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if err := cl.Auth(smtp.PlainAuth("", loadUser, "wrong", "127.0.0.1")); err == nil || !strings.Contains(err.Error(), "535") {
		t.Fatalf("wrong password: %v, want a 535", err)
	}
}

// TestDelayServerCountsWaits drives the delay server with net/smtp, which
// waits for the 221: the log must show 5 replies before QUIT and the 221
// waited for.
func TestDelayServerCountsWaits(t *testing.T) {
	pki, err := newPKI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := startDelayServer(pki, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	cl, err := smtp.Dial(srv.addr())
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Hello("client.example.test"); err != nil {
		t.Fatal(err)
	}
	if err := cl.StartTLS(&tls.Config{RootCAs: pki.pool, ServerName: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if err := cl.Auth(smtp.PlainAuth("", loadUser, loadPassword, "127.0.0.1")); err != nil {
		t.Fatal(err)
	}
	if err := cl.Quit(); err != nil {
		t.Fatalf("QUIT: %v", err)
	}
	var logs []delayLog
	for end := time.Now().Add(5 * time.Second); len(logs) == 0 && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
		logs = srv.take()
	}
	if len(logs) != 1 {
		t.Fatalf("%d connection logs, want 1", len(logs))
	}
	l := logs[0]
	if l.waits != 5 || !l.waitedQuit || strings.Join(l.commands, " ") != "EHLO STARTTLS EHLO AUTH QUIT" {
		t.Fatalf("log %+v, want 5 waits before QUIT, the 221 waited for, EHLO STARTTLS EHLO AUTH QUIT", l)
	}
}

func TestQuantile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for q, want := range map[float64]time.Duration{0: time.Millisecond, 0.5: 50 * time.Millisecond, 0.99: 99 * time.Millisecond, 1: 100 * time.Millisecond} {
		if got := quantile(ds, q); got != want {
			t.Errorf("quantile %v = %v, want %v", q, got, want)
		}
	}
	if ds[0] != 100*time.Millisecond {
		t.Error("quantile sorted its input in place")
	}
}

func TestGCPeak(t *testing.T) {
	s := &server{}
	s.logs.WriteString("some log line\n" +
		"gc 1 @0.010s 1%: 0.011+0.5+0.002 ms clock, 0.022+0.1/0.4/0.2+0.004 ms cpu, 3->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
		"gc 2 @0.500s 2%: 0.011+0.5+0.002 ms clock, 0.022+0.1/0.4/0.2+0.004 ms cpu, 64->70->45 MB, 90 MB goal, 1 MB stacks, 0 MB globals, 2 P\n")
	a, l, st, n := s.gcPeak()
	if a != 64 || l != 45 || st != 1 || n != 2 {
		t.Fatalf("gcPeak = %d, %d, %d, %d; want 64, 45, 1, 2", a, l, st, n)
	}
}
