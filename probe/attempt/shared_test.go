package attempt_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/store"
	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// Two lifecycles on one PostgreSQL database are two replicas: the
// per-target bound counts both, a place comes back when its attempt ends,
// and one replica's Wait follows an attempt the other runs.
func TestReplicasShareTheStore(t *testing.T) {
	dsn := storetest.Postgres(t)
	open := func() *store.Store {
		st, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	a := newLifecycle(t, open(), attempt.Config{PerTarget: 1, StepTimeout: 30 * time.Second})
	b := newLifecycle(t, open(), attempt.Config{PerTarget: 1, StepTimeout: 30 * time.Second})

	tp := tarpit(t)
	if _, err := a.Start(t.Context(), attempt.Request{Settings: plain(tp)}); err != nil {
		t.Fatalf("on A: %v", err)
	}
	var ce *attempt.CapacityError
	if _, err := b.Start(t.Context(), attempt.Request{Settings: plain(tp)}); !errors.As(err, &ce) {
		t.Fatalf("the same host on B while A probes it: %v, want a CapacityError", err)
	}

	// A server that answers once released: A runs it, B waits for it.
	release := make(chan struct{})
	set := gated(t, release) // on another address than the tarpit's
	started, err := a.Start(t.Context(), attempt.Request{Settings: set})
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan probe.Result, 1)
	go func() {
		r, done, err := b.Wait(t.Context(), started.ID)
		if err != nil || !done {
			t.Errorf("B's Wait: done %v, %v", done, err)
		}
		waited <- r
	}()
	close(release)
	r := <-waited
	if r.Status != probe.StatusDone || r.Failure == nil || r.Failure.Reply != 554 {
		t.Errorf("B waited for %+v, want A's finished attempt with the 554", r.Failure)
	}
	// The place comes back once A's attempt has ended (just after it is
	// stored): then B may probe that address.
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := b.Start(t.Context(), attempt.Request{Settings: set})
		if err == nil {
			break
		}
		if !errors.As(err, &ce) || time.Now().After(deadline) {
			t.Fatalf("after A's attempt of 127.0.0.2 ended, B: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// gated is a server on loopback that says nothing until release is
// closed, then refuses the session with 554 at the greeting (RFC 5321
// §3.1) and hangs up.
func gated(t *testing.T, release <-chan struct{}) probe.Settings {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
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
				c.Write([]byte("554 5.3.2 gate.example.test no service here\r\n"))
			}()
		}
	}()
	addr := ln.Addr().(*net.TCPAddr)
	return probe.Settings{Host: "127.0.0.2", Port: addr.Port, Security: probe.SecurityNone, Mech: probe.MechAuto}
}
