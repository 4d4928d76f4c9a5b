// Package sandbox runs smtpdoctor's built-in demo mail servers on loopback:
// a submission server with STARTTLS and a public demo account, the same
// server behind implicit TLS, an MX-like server that offers no AUTH and
// refuses relaying, and a submission server whose certificate has expired. `smtpdoctor serve --sandbox` starts them so the
// dashboard can offer one-click examples (Examples) that show both a
// working setup and the common ways a setup breaks, with nothing outside
// the machine involved. Tests use the same servers as real targets.
//
// The demo account is DemoUser with DemoPassword. It is public on purpose:
// the servers only listen on 127.0.0.1 and deliver nothing.
package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

const (
	// Domain is the sandbox's mail domain; the MX server accepts mail
	// for it and refuses to relay anywhere else.
	Domain = "sandbox.smtpdoctor.test"
	// ServerName is the name the servers give and their certificate
	// carries (with 127.0.0.1).
	ServerName = Domain
	// DemoUser and DemoPassword are the one account the submission
	// servers accept. Both are public.
	DemoUser     = "demo@" + Domain
	DemoPassword = "demo-password"
)

// Server names, as Addr takes them.
const (
	ServerSubmission = "submission" // STARTTLS, AUTH PLAIN/LOGIN after TLS
	ServerImplicit   = "implicit"   // the same behind implicit TLS (RFC 8314)
	ServerMX         = "mx"         // STARTTLS, no AUTH, relay denied
	ServerExpired    = "expired"    // like submission, with an expired certificate
)

// Sandbox is the running set of demo servers. Close stops them.
type Sandbox struct {
	roots *x509.CertPool
	// certPEM is the working servers' certificate, for clients outside
	// this process that take a CA file.
	certPEM []byte
	addrs   map[string]netip.AddrPort
	servers []*smtp.Server
	// listeners are closed by Close as well as by the servers: a server
	// only learns of its listener once its Serve goroutine has run, and
	// a Close that comes first would otherwise leave Serve waiting.
	listeners []net.Listener
	stop      func() bool

	closeOnce sync.Once
	wg        sync.WaitGroup
}

// FixedPorts are the ports `smtpdoctor serve` runs the sandbox on, so that
// its servers can be typed in (and tried all at once) like any other:
// 127.0.0.1:2587 submission with STARTTLS, 2465 implicit TLS, 2025 the
// MX-like server without AUTH, 2588 the expired certificate. They stay
// clear of the privileged ports and of the test mail server (10025...).
var FixedPorts = map[string]uint16{ServerSubmission: 2587, ServerImplicit: 2465, ServerMX: 2025, ServerExpired: 2588}

// Start listens on fresh 127.0.0.1 ports and serves until Close is called
// or ctx is done.
func Start(ctx context.Context) (*Sandbox, error) { return StartOn(ctx, nil) }

// StartOn is Start on the given ports (by server name; a missing name or 0
// takes a fresh port), for FixedPorts.
func StartOn(ctx context.Context, ports map[string]uint16) (*Sandbox, error) {
	now := time.Now()
	cert, leaf, err := newCertificate(now.Add(-time.Hour), now.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	// The expired certificate is trusted too, so that its dates are the
	// only thing wrong with it.
	expired, expiredLeaf, err := newCertificate(now.AddDate(0, -3, 0), now.AddDate(0, 0, -2))
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	roots.AddCert(expiredLeaf)
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	expiredConfig := &tls.Config{Certificates: []tls.Certificate{expired}, MinVersion: tls.VersionTLS12}
	sb := &Sandbox{
		roots:   roots,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}),
		addrs:   make(map[string]netip.AddrPort),
	}

	specs := []struct {
		name     string
		backend  smtp.Backend
		tls      *tls.Config
		implicit bool
	}{
		{ServerSubmission, submissionBackend{}, tlsConfig, false},
		{ServerImplicit, submissionBackend{}, tlsConfig, true},
		{ServerMX, mxBackend{}, tlsConfig, false},
		{ServerExpired, submissionBackend{}, expiredConfig, false},
	}
	var lc net.ListenConfig
	for _, spec := range specs {
		l, err := lc.Listen(ctx, "tcp4", netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), ports[spec.name]).String())
		if err != nil {
			sb.Close()
			return nil, fmt.Errorf("sandbox: listen for the %s server: %w", spec.name, err)
		}
		ap, err := netip.ParseAddrPort(l.Addr().String())
		if err != nil {
			l.Close()
			sb.Close()
			return nil, fmt.Errorf("sandbox: address of the %s server: %w", spec.name, err)
		}
		sb.addrs[spec.name] = ap
		sb.listeners = append(sb.listeners, l)
		if spec.implicit {
			l = tls.NewListener(l, spec.tls)
		}
		srv := newServer(spec.backend, spec.tls)
		sb.servers = append(sb.servers, srv)
		sb.wg.Go(func() {
			// Serve returns when the server is closed; an error then
			// is the listener closing, which is expected.
			_ = srv.Serve(l)
		})
	}
	sb.stop = context.AfterFunc(ctx, func() { sb.Close() })
	return sb, nil
}

func newServer(backend smtp.Backend, tlsConfig *tls.Config) *smtp.Server {
	srv := smtp.NewServer(backend)
	srv.Domain = ServerName
	srv.TLSConfig = tlsConfig
	srv.AllowInsecureAuth = false // AUTH before TLS gets 523 5.7.10
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.MaxRecipients = 10
	srv.ErrorLog = log.New(io.Discard, "", 0)
	return srv
}

// Close stops every server and closes open connections. It is safe to call
// more than once.
func (sb *Sandbox) Close() error {
	var errs []error
	sb.closeOnce.Do(func() {
		if sb.stop != nil {
			sb.stop()
		}
		for _, srv := range sb.servers {
			if err := srv.Close(); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
				errs = append(errs, err)
			}
		}
		for _, l := range sb.listeners {
			l.Close() // already closed when its server had seen it
		}
		sb.wg.Wait()
	})
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sandbox: close: %w", err)
	}
	return nil
}

// RootCAs holds the sandbox's self-signed certificates. Probes of the
// sandbox verify against it, so the examples show verified TLS instead of
// an untrusted certificate (and the expired one only its dates).
func (sb *Sandbox) RootCAs() *x509.CertPool { return sb.roots }

// CertificatePEM is the certificate of the submission, implicit-TLS and MX
// servers in PEM form. It is its own root, so a mail client that takes a CA
// file (Python's cafile, curl's --cacert, msmtp's tls_trust_file) verifies
// the sandbox with it instead of turning verification off.
func (sb *Sandbox) CertificatePEM() []byte { return slices.Clone(sb.certPEM) }

// Addr is the address of one server (ServerSubmission, ServerImplicit,
// ServerMX, ServerExpired).
func (sb *Sandbox) Addr(name string) (netip.AddrPort, bool) {
	ap, ok := sb.addrs[name]
	return ap, ok
}

// Addrs are the addresses of every sandbox server, in a stable order.
func (sb *Sandbox) Addrs() []netip.AddrPort {
	out := make([]netip.AddrPort, 0, len(sb.addrs))
	for _, ap := range sb.addrs {
		out = append(out, ap)
	}
	slices.SortFunc(out, func(a, b netip.AddrPort) int { return a.Compare(b) })
	return out
}

// Contains says whether ap is one of the sandbox's servers, so that a
// target policy that refuses loopback can permit exactly these.
func (sb *Sandbox) Contains(ap netip.AddrPort) bool {
	ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	for _, a := range sb.addrs {
		if a == ap {
			return true
		}
	}
	return false
}
