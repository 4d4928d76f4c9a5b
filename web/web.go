// Package web is smtpdoctor's dashboard: the form that starts a probe, the
// permalink page that shows it live and then as a report, the history, the
// guide, and a small JSON API for scripts. Its handlers validate what
// people type, hand attempts to the lifecycle (package probe/attempt, which
// admits, runs and stores them), and render; the target policy the
// operator sets is package probe/policy's.
//
// Security posture, in one place: every field is validated before anything
// connects (settings.go); responses carry a nonce-based Content-Security-
// Policy, nosniff, no-referrer and frame-ancestors 'none'; cross-site form
// posts are refused; request bodies are bounded; server text is always
// escaped by templ; the password lives only in the memory of the job that
// uses it. Access control is optional: HTTP basic auth with a bcrypt hash,
// or a header set by a trusted reverse proxy.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
	"github.com/smtpdoctor/smtpdoctor/probe/policy"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/metrics"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/service"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// Config is how the dashboard behaves. Zero means "not set": every zero
// field takes the default noted beside it; a bound is lifted with
// Unlimited (or KeepForever), never with zero. How many probes run, queue
// and reach one host is the lifecycle's (attempt.Config).
type Config struct {
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger

	// AllowTargets are address ranges probes may reach even though the
	// default policy refuses them (loopback, link-local, metadata...).
	AllowTargets []netip.Prefix
	// AllowAllTargets turns the address policy off.
	AllowAllTargets bool
	// AllowPorts are the ports probes may use; nil means DefaultPorts
	// (25, 465, 587, 2525).
	AllowPorts policy.PortSet
	// DenyPrivate refuses private ranges (RFC 1918, fc00::/7, 100.64/10),
	// which are allowed by default so an office relay can be tested.
	DenyPrivate bool

	// ProbeRate is how many probes one client address may start per
	// minute: 0 means 10, Unlimited lifts the bound.
	ProbeRate int
	// IPv6Prefix is how many leading bits of an IPv6 client address name
	// one client for ProbeRate and the other per-client limits: 0 means
	// 64.
	IPv6Prefix int

	// MaxStreams bounds the live-progress streams open in all (0 means
	// 1000); MaxStreamsPerClient those of one client (0 means 16).
	// Beyond either, a stream is refused with 503.
	MaxStreams          int
	MaxStreamsPerClient int

	// Retention is how long attempts are kept: 0 means 90 days,
	// KeepForever keeps them all.
	Retention time.Duration

	// Sandbox is the built-in demo SMTP server, nil when off. Its
	// addresses are allowed and its examples offered (the lifecycle
	// trusts its CA).
	Sandbox *sandbox.Sandbox

	// BasicUser and BasicHash (bcrypt) turn on HTTP basic auth.
	BasicUser string
	BasicHash string
	// TrustedUserHeader names a header a reverse proxy sets to the
	// signed-in user (say X-Forwarded-User); requests without it are
	// refused. It is believed only from TrustedProxies, which must not
	// be empty, and the proxy must strip it from what clients send.
	TrustedUserHeader string
	// PublicPermalinks lets anyone with a permalink (and its events and
	// exports) see it without signing in; everything else still asks.
	PublicPermalinks bool

	// TrustedOrigins are extra origins ("https://mail-tools.example.com")
	// whose cross-origin form posts are accepted: needed only when a
	// reverse proxy rewrites the Host header. Others get 403.
	TrustedOrigins []string

	// DiscoverResolver looks up the SRV and MX records of an email
	// address's domain when a test starts from an address; nil is the
	// system resolver.
	DiscoverResolver discover.Resolver

	// TrustedProxies are reverse proxies whose X-Forwarded-For is believed
	// for the client address (rate limits, logs); empty means the TCP peer
	// is the client.
	TrustedProxies []netip.Prefix

	// PublicURL is the address people use (--public-url): every absolute
	// link is built from it, and requests naming another host are
	// refused. Nil: links use ListenAddr, and only address literals,
	// localhost and the listen host are accepted.
	PublicURL *url.URL
	// ListenAddr is the address the dashboard listens on (host:port).
	ListenAddr string
	// AllowedHosts are more host names the dashboard answers to besides
	// PublicURL's (--allowed-hosts): an internal name a scraper or a
	// second proxy uses. Links are still built from PublicURL.
	AllowedHosts []string

	// Monitors runs the monitors (probe/watch/service); nil turns the
	// monitor pages and API off.
	Monitors *service.Service
	// Metrics is served at GET /metrics; nil turns it off.
	Metrics *metrics.Metrics
}

// Unlimited, as ProbeRate, lifts the bound.
const Unlimited = -1

// KeepForever, as Retention, keeps every attempt.
const KeepForever time.Duration = -1

// TargetPolicy is the address check this configuration describes, for the
// lifecycle to ask before every dial (attempt.Config.Policy).
func (c Config) TargetPolicy() attempt.Policy { return newTargetPolicy(c).CheckAddr }

// AlertPolicy is the address check for alert webhooks: the same as for
// probes, on any port (webhooks live on 443 and elsewhere, not on SMTP
// ports).
func (c Config) AlertPolicy() func(netip.AddrPort) error {
	c.AllowPorts = policy.PortSet{{1, 65535}}
	return newTargetPolicy(c).CheckAddr
}

func newTargetPolicy(c Config) *policy.Policy {
	pc := policy.Config{
		AllowTargets: c.AllowTargets,
		AllowAll:     c.AllowAllTargets,
		Ports:        c.AllowPorts,
		DenyPrivate:  c.DenyPrivate,
	}
	if c.Sandbox != nil {
		pc.Sandbox = c.Sandbox.Contains
	}
	return policy.New(pc)
}

// Server is the dashboard. Create it with New; serve Handler; stop with
// Shutdown.
type Server struct {
	cfg      Config
	log      *slog.Logger
	store    *store.Store
	policy   *policy.Policy
	attempts *attempt.Lifecycle
	cop      *http.CrossOriginProtection
	auth     *authenticator
	// streams caps the live-progress streams (streams.go).
	streams *streamLimiter
	// corrupt is the first store error that said the database file is
	// damaged (health.go); nil while none has.
	corrupt atomic.Pointer[string]

	pruneStop context.CancelFunc
	pruneDone chan struct{}
	closeOnce sync.Once
}

// New builds the dashboard around an open store and the lifecycle that
// runs its attempts, and starts retention pruning (once at start, then
// hourly) unless Retention is KeepForever. Shutdown stops the pruning; the
// lifecycle is its creator's to shut down.
func New(cfg Config, st *store.Store, attempts *attempt.Lifecycle) (*Server, error) {
	if st == nil {
		return nil, errors.New("web: new server: nil store")
	}
	if attempts == nil {
		return nil, errors.New("web: new server: nil attempt lifecycle")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ProbeRate == 0 {
		cfg.ProbeRate = 10
	}
	if cfg.IPv6Prefix == 0 {
		cfg.IPv6Prefix = 64
	}
	if cfg.IPv6Prefix < 1 || cfg.IPv6Prefix > 128 {
		return nil, fmt.Errorf("web: new server: IPv6 client prefix /%d: want 1 to 128 bits", cfg.IPv6Prefix)
	}
	if cfg.MaxStreams <= 0 {
		cfg.MaxStreams = 1000
	}
	if cfg.MaxStreamsPerClient <= 0 {
		cfg.MaxStreamsPerClient = 16
	}
	if cfg.Retention == 0 {
		cfg.Retention = 90 * 24 * time.Hour
	}
	if cfg.BasicUser != "" && cfg.BasicHash == "" || cfg.BasicUser == "" && cfg.BasicHash != "" {
		return nil, errors.New("web: new server: basic auth needs both a user and a bcrypt hash")
	}
	if cfg.TrustedUserHeader != "" && len(cfg.TrustedProxies) == 0 {
		return nil, errors.New("web: new server: a trusted user header needs the trusted proxies that set it; from any other peer it would let a client sign itself in")
	}
	for _, r := range cfg.AllowPorts {
		if r[0] < 1 || r[1] > 65535 || r[0] > r[1] {
			return nil, fmt.Errorf("web: new server: bad port range %d-%d", r[0], r[1])
		}
	}
	s := &Server{cfg: cfg, log: cfg.Logger, store: st, attempts: attempts, policy: newTargetPolicy(cfg), cop: http.NewCrossOriginProtection()}
	for _, o := range cfg.TrustedOrigins {
		if err := s.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("web: new server: trusted origin: %w", err)
		}
	}
	s.auth = newAuthenticator(cfg)
	s.streams = newStreamLimiter(cfg.MaxStreamsPerClient, cfg.MaxStreams)
	s.startPruning()
	return s, nil
}

// Shutdown stops the dashboard's own background work (pruning). The
// attempts in flight are the lifecycle's: stop them with its Shutdown.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.pruneStop()
		<-s.pruneDone
	})
	return nil
}

func (s *Server) startPruning() {
	ctx, cancel := context.WithCancel(context.Background())
	s.pruneStop = cancel
	s.pruneDone = make(chan struct{})
	if s.cfg.Retention < 0 {
		close(s.pruneDone)
		return
	}
	go func() {
		defer close(s.pruneDone)
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			s.prune(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// prune deletes attempts older than the retention period.
func (s *Server) prune(ctx context.Context) {
	n, err := s.store.Prune(ctx, time.Now().Add(-s.cfg.Retention))
	if err != nil && ctx.Err() == nil {
		s.log.Error("prune old attempts", "err", err)
	} else if n > 0 {
		s.log.Info("pruned old attempts", "count", n, "retention", s.cfg.Retention.String())
	}
}

// Handler is the whole dashboard as one http.Handler.
func (s *Server) Handler() http.Handler { return s.routes() }
