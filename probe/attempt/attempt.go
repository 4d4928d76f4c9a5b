// Package attempt is the life of every attempt smtpdoctor records: it admits
// a probe (or refuses it, saying when to come back), gives it an id, runs
// it, diagnoses it, fills in what the lifecycle owns (id, kind, status,
// settings) and saves it — in one place — and keeps its progress in memory
// for live pages. Try-all is one admitted job here too, and shutdown lets
// in-flight probes finish up to a deadline before marking them interrupted.
//
// It knows no HTTP: the dashboard's handlers validate what people type,
// call Start, Get or Wait, and render. Scheduled monitors and pasted-text
// explanations record their attempts through the same Lifecycle, so every
// attempt is admitted, numbered and saved the same way.
package attempt

import (
	"cmp"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
)

// Store is what the lifecycle needs from the database: package store's
// *Store is one.
type Store interface {
	// Save writes an attempt whole, creating it if it is not stored yet.
	Save(ctx context.Context, r probe.Result) error
	// CreateIfAbsent stores an attempt unless one with its id exists,
	// which it leaves alone.
	CreateIfAbsent(ctx context.Context, r probe.Result) error
	// Get reads an attempt by id.
	Get(ctx context.Context, id string) (probe.Result, error)
	// MarkInterrupted turns every queued or running attempt into an
	// interrupted one and says how many there were.
	MarkInterrupted(ctx context.Context) (int64, error)
}

// Policy is asked about every address right before a probe dials it; an
// error refuses the address, and its text ends up in the result (diagnosis
// policy.blocked_target), so it should say what was refused and how an
// operator allows it. It is probe.Options.Policy.
type Policy func(netip.AddrPort) error

// Unlimited, as QueueSize or PerTarget, lifts the bound.
const Unlimited = -1

// NoQueue, as QueueSize, lets nothing wait: once MaxProbes attempts run,
// the next is refused at once.
const NoQueue = -2

// Config is how a Lifecycle runs. Zero means "not set": every zero field
// takes the default named beside it. A bound is lifted with Unlimited,
// never with zero.
type Config struct {
	// Store keeps the attempts. Required.
	Store Store
	// Groups keeps try-all groups; nil is Store when it keeps them too. A
	// store wrapped for counting hides that, so the wrapped one is given
	// here.
	Groups GroupStore
	// Policy checks every address before it is dialled; nil allows all
	// (the command line's own probes need none).
	Policy Policy
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// Origin names this machine on every result; empty is the host name.
	Origin string

	// RootCAs verifies server certificates; nil means the system roots.
	RootCAs *x509.CertPool
	// ExtraRoots are trusted besides RootCAs and tried first: the built-in
	// sandbox's CA, whose key never leaves this process, so trusting it
	// for every probe trusts nothing else.
	ExtraRoots *x509.CertPool
	// StepTimeout bounds each step of a probe: 0 is 10s.
	StepTimeout time.Duration
	// TotalTimeout bounds a whole probe: 0 is 60s.
	TotalTimeout time.Duration

	// MaxProbes is how many attempts run at once: 0 is 32. Unlimited is
	// not accepted: every probe holds sockets and memory.
	MaxProbes int
	// QueueSize is how many more may wait for a free slot before a new one
	// is refused with a CapacityError: 0 is 2*MaxProbes, NoQueue lets none
	// wait, Unlimited lets every one wait.
	QueueSize int
	// PerTarget bounds concurrent attempts of one host, so the dashboard
	// cannot be used to hammer a server: 0 is 2, Unlimited lifts it.
	PerTarget int

	// Resolver looks target names up, once, at admission (target.go);
	// nil is the system's.
	Resolver probe.Resolver

	// TryCombos are the ports and security modes TryAll probes: nil is
	// discover.DefaultCombos (465/tls, 587, 25 and 2525 with STARTTLS).
	TryCombos []discover.Combo
}

// Defaults, for a zero Config field.
const (
	DefaultMaxProbes    = 32
	DefaultPerTarget    = 2
	DefaultStepTimeout  = 10 * time.Second
	DefaultTotalTimeout = 60 * time.Second
)

// withDefaults resolves every "not set" field, and checks the rest.
func (c Config) withDefaults() (Config, error) {
	if c.Store == nil {
		return c, errors.New("attempt: new lifecycle: no store")
	}
	if c.Groups == nil {
		c.Groups, _ = c.Store.(GroupStore)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Origin == "" {
		c.Origin = probe.Hostname()
	}
	switch {
	case c.MaxProbes == 0:
		c.MaxProbes = DefaultMaxProbes
	case c.MaxProbes < 0:
		return c, fmt.Errorf("attempt: new lifecycle: MaxProbes %d: want 1 or more (0 for %d)", c.MaxProbes, DefaultMaxProbes)
	}
	switch {
	case c.QueueSize == 0:
		c.QueueSize = 2 * c.MaxProbes
	case c.QueueSize == NoQueue:
	case c.QueueSize < 0 && c.QueueSize != Unlimited:
		return c, fmt.Errorf("attempt: new lifecycle: QueueSize %d: want 1 or more, 0 for the default, NoQueue or Unlimited", c.QueueSize)
	}
	switch {
	case c.PerTarget == 0:
		c.PerTarget = DefaultPerTarget
	case c.PerTarget < 0 && c.PerTarget != Unlimited:
		return c, fmt.Errorf("attempt: new lifecycle: PerTarget %d: want 1 or more, 0 for the default or Unlimited", c.PerTarget)
	}
	c.StepTimeout = cmp.Or(c.StepTimeout, DefaultStepTimeout)
	c.TotalTimeout = cmp.Or(c.TotalTimeout, DefaultTotalTimeout)
	if c.TryCombos == nil {
		c.TryCombos = discover.DefaultCombos()
	}
	return c, nil
}

// Lifecycle runs and records attempts. Create it with New; stop it with
// Shutdown. It is safe for concurrent use.
type Lifecycle struct {
	cfg Config
	log *slog.Logger
	// sem holds one token per running attempt (MaxProbes of them).
	sem chan struct{}

	mu       sync.Mutex
	admitted int
	perHost  map[string]int
	jobs     map[string]*job
	// groups are the try-alls running here, by group id; their rows are
	// in jobs too.
	groups map[string]*groupJob
	// holds are this replica's places under the per-target bound in a
	// shared store, by host; see shared.go.
	holds   map[string][]func(context.Context) error
	closing bool

	// ctx is the parent of every probe; cancelled when Shutdown stops
	// waiting for them.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New builds a lifecycle around a store. Nothing can be running before it
// exists, so whatever the store still holds as queued or running was cut
// off by a crash or a restart: New marks it interrupted first, rather than
// leave it shown as live forever.
func New(ctx context.Context, cfg Config) (*Lifecycle, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	n, err := cfg.Store.MarkInterrupted(ctx)
	if err != nil {
		return nil, fmt.Errorf("attempt: mark attempts left unfinished interrupted: %w", err)
	}
	if n > 0 {
		cfg.Logger.Info("marked attempts left unfinished by the last run as interrupted", "count", n)
	}
	lctx, cancel := context.WithCancel(context.Background())
	return &Lifecycle{
		cfg:     cfg,
		log:     cfg.Logger,
		sem:     make(chan struct{}, cfg.MaxProbes),
		perHost: map[string]int{},
		jobs:    map[string]*job{},
		groups:  map[string]*groupJob{},
		holds:   map[string][]func(context.Context) error{},
		ctx:     lctx,
		cancel:  cancel,
	}, nil
}

// probeOptions are the options every probe of this lifecycle runs with.
func (l *Lifecycle) probeOptions() probe.Options {
	return probe.Options{
		RootCAs:      l.cfg.RootCAs,
		ExtraRoots:   l.cfg.ExtraRoots,
		StepTimeout:  l.cfg.StepTimeout,
		TotalTimeout: l.cfg.TotalTimeout,
		Policy:       l.cfg.Policy,
		Origin:       l.cfg.Origin,
	}
}
