// Package probe walks one SMTP submission conversation step by step (DNS,
// TCP, greeting, EHLO, STARTTLS or implicit TLS, AUTH, MAIL FROM/RCPT TO,
// QUIT) and records everything it sees as a Result: a labelled, timestamped,
// redacted transcript, per-step timings, TLS and certificate facts, and the
// first failure kept as structured data. It knows nothing of HTTP or SQL;
// the diagnosis lives in probe/diagnosis.
package probe

import (
	"context"
	"crypto/x509"
	"net"
	"net/netip"
	"os"
	"time"
)

// Resolver is the seam for name resolution; *net.Resolver satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Dialer is the seam for connections; *net.Dialer satisfies it. The probe
// always dials an IP address it resolved (and checked against Policy), never
// a name, so that DNS rebinding cannot slip past the policy.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Options are how the probe runs, as opposed to what it tests (Settings).
type Options struct {
	Resolver Resolver // nil: net.DefaultResolver
	Dialer   Dialer   // nil: a plain net.Dialer
	// RootCAs verifies server certificates; nil means the system roots.
	// Callers that trust extra CAs (--ca-file) add them to a copy of the
	// system pool.
	RootCAs *x509.CertPool
	// ExtraRoots are trusted besides RootCAs and tried first, so that a
	// probe of a server under an internal CA never pays for loading the
	// system roots (about 15 ms, the larger part of a command-line probe).
	ExtraRoots *x509.CertPool
	// StepTimeout bounds each step: the connect and every reply. Default 10s.
	StepTimeout time.Duration
	// TotalTimeout bounds the whole probe. Default 60s.
	TotalTimeout time.Duration
	// Policy, when set, is asked about every address before it is dialled;
	// an error refuses the address (diagnosis policy.blocked_target).
	Policy func(netip.AddrPort) error
	// Observe, when set, is called with a snapshot of the result so far
	// each time a step starts or ends, for live progress. The snapshot is
	// a copy: the callback may keep it. It runs on the probe's goroutine, so
	// it must be quick.
	Observe func(Result)
	// Origin names the machine the probe runs on, recorded in the result
	// (Hostname, usually).
	Origin string
}

// Hostname is this machine's name, for Options.Origin; empty when the
// system does not say.
func Hostname() string {
	h, _ := os.Hostname()
	return h
}
