package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// fixedResolver answers every lookup with the same addresses or error:
// the Resolver seam, so that tests can name hosts that do not exist.
type fixedResolver struct {
	addrs []netip.Addr
	err   error
}

func (f fixedResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return f.addrs, f.err
}

// errDialer fails every dial with err after waiting for the context when
// block is set: the Dialer seam, for networks a test cannot build (a
// firewall that drops packets, no route to a host).
type errDialer struct {
	err   error
	block bool
}

func (d errDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if d.block {
		<-ctx.Done()
		return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
	}
	return nil, &net.OpError{Op: "dial", Net: network, Err: &os.SyscallError{Syscall: "connect", Err: d.err}}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

func TestNetworkFailures(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	lo := netip.MustParseAddr("127.0.0.1")
	tests := []struct {
		name     string
		settings Settings
		opts     func(o *Options)
		code     Code
		step     string
		attempts []string
	}{
		{
			name:     "no such host",
			settings: Settings{Host: "nonexistent.example.test", Port: 587},
			opts: func(o *Options) {
				o.Resolver = fixedResolver{err: &net.DNSError{Err: "no such host", Name: "nonexistent.example.test", IsNotFound: true}}
			},
			code: CodeDNSNoSuchHost, step: StepResolve,
		},
		{
			name:     "resolver timeout",
			settings: Settings{Host: "slow.example.test", Port: 587},
			opts: func(o *Options) {
				o.Resolver = fixedResolver{err: &net.DNSError{Err: "i/o timeout", Name: "slow.example.test", IsTimeout: true}}
			},
			code: CodeDNSFailure, step: StepResolve,
		},
		{
			name:     "resolver servfail",
			settings: Settings{Host: "broken.example.test", Port: 587},
			opts: func(o *Options) {
				o.Resolver = fixedResolver{err: &net.DNSError{Err: "server misbehaving", Name: "broken.example.test", IsTemporary: true}}
			},
			code: CodeDNSFailure, step: StepResolve,
		},
		{
			name:     "connection refused",
			settings: Settings{Host: "127.0.0.1", Port: closedPort(t)},
			code:     CodeNetRefused, step: StepConnect, attempts: []string{"refused"},
		},
		{
			name:     "connect timeout",
			settings: Settings{Host: "192.0.2.1", Port: 587},
			opts:     func(o *Options) { o.Dialer = errDialer{block: true} },
			code:     CodeNetTimeout, step: StepConnect, attempts: []string{"timeout"},
		},
		{
			name:     "unreachable",
			settings: Settings{Host: "2001:db8::1", Port: 587},
			opts:     func(o *Options) { o.Dialer = errDialer{err: syscall.ENETUNREACH} },
			code:     CodeNetUnreachable, step: StepConnect, attempts: []string{"unreachable"},
		},
		{
			name:     "reset",
			settings: Settings{Host: "192.0.2.1", Port: 587},
			opts:     func(o *Options) { o.Dialer = errDialer{err: syscall.ECONNRESET} },
			code:     CodeNetClosed, step: StepConnect, attempts: []string{"reset"},
		},
		{
			name:     "policy blocks every address",
			settings: Settings{Host: "mail.example.test", Port: srv.Port},
			opts: func(o *Options) {
				o.Resolver = fixedResolver{addrs: []netip.Addr{lo}}
				o.Policy = func(netip.AddrPort) error { return errors.New("loopback is not allowed") }
			},
			code: CodePolicyBlockedTarget, step: StepConnect, attempts: []string{"blocked"},
		},
		{
			name:     "refused then blocked keeps the refusal",
			settings: Settings{Host: "mail.example.test", Port: closedPort(t)},
			opts: func(o *Options) {
				o.Resolver = fixedResolver{addrs: []netip.Addr{lo, netip.MustParseAddr("10.0.0.1")}}
				o.Policy = func(ap netip.AddrPort) error {
					if ap.Addr().IsPrivate() {
						return errors.New("private")
					}
					return nil
				}
			},
			code: CodeNetRefused, step: StepConnect, attempts: []string{"refused", "blocked"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := testOptions()
			if tt.opts != nil {
				tt.opts(&o)
			}
			r := runProbe(t, tt.settings, "", o)
			if r.Failure == nil || r.Failure.Code != tt.code || r.Failure.Step != tt.step {
				t.Fatalf("failure %+v, want %s at %s\n%s", r.Failure, tt.code, tt.step, transcriptText(r))
			}
			var got []string
			for _, a := range r.Network.Addresses {
				got = append(got, a.Result)
			}
			if tt.attempts != nil && !slices.Equal(got, tt.attempts) {
				t.Errorf("attempts %q, want %q", got, tt.attempts)
			}
		})
	}
}

// TestFallbackToNextAddress: the first address refuses, the second works,
// and both are recorded.
func TestFallbackToNextAddress(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	// 127.0.0.2 is loopback too, but srv listens on 127.0.0.1 only.
	o := testOptions()
	o.Resolver = fixedResolver{addrs: []netip.Addr{netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.1")}}
	r := runProbe(t, Settings{Host: "mail.example.test", Port: srv.Port, Security: SecurityNone, HELO: "c.example"}, "", o)
	if r.Failure != nil {
		t.Fatalf("failure %+v\n%s", r.Failure, transcriptText(r))
	}
	got := []string{r.Network.Addresses[0].Result, r.Network.Addresses[1].Result}
	if !slices.Equal(got, []string{"refused", "connected"}) || r.Network.Used != fmt.Sprintf("127.0.0.1:%d", srv.Port) {
		t.Errorf("network %+v", r.Network)
	}
	if !strings.Contains(transcriptText(r), "resolved mail.example.test to 127.0.0.2, 127.0.0.1") {
		t.Errorf("transcript:\n%s", transcriptText(r))
	}
}

// TestPolicyNotDialled: a blocked address is never connected to.
func TestPolicyNotDialled(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	o := testOptions()
	o.Policy = func(netip.AddrPort) error { return errors.New("blocked") }
	r := runProbe(t, Settings{Host: srv.Host, Port: srv.Port}, "", o)
	if r.Failure == nil || r.Failure.Code != CodePolicyBlockedTarget {
		t.Fatalf("failure %+v", r.Failure)
	}
	if n := srv.Connections(); n != 0 {
		t.Errorf("%d connections to a blocked address", n)
	}
}

// TestTotalTimeoutHardStop: a server that never answers cannot hold the
// probe past its total deadline, even with a long step timeout.
func TestTotalTimeoutHardStop(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{Replies: map[string][]string{"EHLO": {smtptest.Hang}}})
	o := Options{StepTimeout: time.Minute, TotalTimeout: 300 * time.Millisecond}
	r := runProbe(t, Settings{Host: srv.Host, Port: srv.Port, Security: SecurityNone}, "", o)
	if r.Failure == nil || r.Failure.Code != CodeSMTPTimeout || r.Failure.Step != StepEHLO ||
		!strings.Contains(r.Failure.Err, "total time") {
		t.Fatalf("failure %+v", r.Failure)
	}
}

// TestCancelledContext: the caller's context stops the probe too.
func TestCancelledContext(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{Replies: map[string][]string{"EHLO": {smtptest.Hang}}})
	ctx, cancel := context.WithCancel(context.Background())
	o := Options{StepTimeout: time.Minute, TotalTimeout: time.Minute,
		Observe: func(r Result) {
			if n := len(r.Steps); n > 0 && r.Steps[n-1].Name == StepEHLO && r.Steps[n-1].Status == StepRunning {
				cancel()
			}
		}}
	r := Run(ctx, Settings{Host: srv.Host, Port: srv.Port, Security: SecurityNone}, Secret{}, o)
	if r.Failure == nil || r.Failure.Step != StepEHLO || !strings.Contains(r.Failure.Err, "cancelled") {
		t.Fatalf("failure %+v", r.Failure)
	}
}
