// Package service runs the monitors: it loads them at start, keeps their
// due times in the scheduler (probe/watch), runs each due monitor through
// the attempt lifecycle (kind "monitor"), feeds the result to the state
// machine, records the run (compactly when it repeats the last one), and
// hands the events to the alert sender. It also creates, edits and deletes
// monitors, sealing their passwords under the secret key.
//
// It knows no HTTP and no SQL: the dashboard calls it, and it calls the
// store and the lifecycle through the small interfaces below.
package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/secretbox"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/alert"
)

// Store is what the service needs of the database (package store's
// *Store is one).
type Store interface {
	CreateMonitor(ctx context.Context, m watch.Monitor, secrets []watch.SealedSecret) error
	UpdateMonitor(ctx context.Context, m watch.Monitor, secrets []watch.SealedSecret, keep []string) error
	Monitors(ctx context.Context) ([]watch.Monitor, error)
	DeleteMonitor(ctx context.Context, id string) error
	MonitorSecret(ctx context.Context, id, slot string) (watch.SealedSecret, error)
	Secrets(ctx context.Context) ([]watch.SealedSecret, error)
	RecordRun(ctx context.Context, run watch.RunRecord, st watch.Status, next time.Time, basedOn int64) error
	// GetMonitor reads one monitor as stored.
	GetMonitor(ctx context.Context, id string) (watch.Monitor, error)
	RecordDelivery(ctx context.Context, d watch.Delivery) error
	PruneMonitors(ctx context.Context, olderThan, now time.Time) (int64, error)
}

// Prober runs one probe of a monitor through the attempt lifecycle (kind
// monitor, linked to monitorID) and returns the finished, stored result.
// A probe that cannot begin by startBy is not run (probe.skipped). A
// *Busy error means the lifecycle is at a bound: the run is tried again
// shortly.
type Prober func(ctx context.Context, monitorID string, set probe.Settings, sec probe.Secret, startBy time.Time) (probe.Result, error)

// Busy is a Prober's "not now".
type Busy struct {
	RetryAfter time.Duration
	Msg        string
}

func (b *Busy) Error() string { return b.Msg }

// Config is how the service runs.
type Config struct {
	Store Store
	Probe Prober
	// Key seals and opens passwords; nil when no --secret-key-file was
	// given, and then a monitor with a password is refused.
	Key *secretbox.Key
	// Sender delivers alerts; nil sends none (tests of scheduling).
	Sender *alert.Sender
	// BaseURL is the dashboard's public address, for links in alerts.
	BaseURL string
	// ProbeOptions are used to check an email alert's SMTP server when the
	// alert is saved (policy, trusted roots, timeouts).
	ProbeOptions probe.Options
	// Workers bounds the monitor runs waiting on the lifecycle at once:
	// 0 is 64.
	Workers int
	// Retention is how long runs, delivery logs and the monitors' attempts
	// are kept (the latest run's attempt always is): 0 is 30 days, the
	// span of the longest uptime shown; negative keeps everything.
	Retention time.Duration
	// OnRun, when set, sees every finished run (for metrics), with the
	// monitor as it stands after it.
	OnRun func(m watch.Monitor, r probe.Result)
	// OnDue, when set, sees how late each run started after its due time
	// (the scheduler's lag), for benchmarks and metrics.
	OnDue func(lag time.Duration)
	Log   *slog.Logger
}

// Service runs monitors. Make it with New, Start it once, Close it at the
// end.
type Service struct {
	cfg   Config
	log   *slog.Logger
	sched *watch.Scheduler
	work  chan dueRun

	mu       sync.Mutex
	monitors map[string]*entry

	// ctx lives from New to Close: runs and alert deliveries hang off it,
	// not off the request that created a monitor or asked for a test.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// entry is one monitor in memory: the monitor as stored, and whether a run
// of it is under way (a monitor never runs twice at once).
type entry struct {
	m       watch.Monitor
	running bool
	// sortName is the name as the list sorts it.
	sortName string
}

func newEntry(m watch.Monitor) *entry { return &entry{m: m, sortName: strings.ToLower(m.Name)} }

type dueRun struct {
	id  string
	due time.Time
}

// ErrNoKey refuses a monitor with a password when no key was given.
var ErrNoKey = errors.New("this monitor logs in, so its password must be stored encrypted, and smtpdoctor " +
	"was started without a secret key: " + secretbox.HowToMakeKey + ". Monitors without a password work without a key")

// New checks the configuration; nothing runs until Start.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Probe == nil {
		return nil, errors.New("monitor service: a store and a prober are required")
	}
	if cfg.Workers == 0 {
		cfg.Workers = 64
	}
	if cfg.Retention == 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		cfg:      cfg,
		log:      cfg.Log,
		sched:    watch.NewScheduler(),
		work:     make(chan dueRun, 4*cfg.Workers),
		monitors: map[string]*entry{},
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if cfg.Sender != nil && cfg.Sender.Record == nil {
		cfg.Sender.Record = s.Record
	}
	return s, nil
}

// Start loads every monitor, checks that the key opens their secrets (a
// wrong or missing key is an error here, at start, not garbage later),
// resumes each schedule where it was (a run missed while stopped is made
// up soon, spread out), and starts running them.
func (s *Service) Start(ctx context.Context) error {
	secrets, err := s.checkKey(ctx)
	if err != nil {
		return err
	}
	ms, err := s.cfg.Store.Monitors(ctx)
	if err != nil {
		return fmt.Errorf("monitor service: load monitors: %w", err)
	}
	if err := s.openAlertURLs(ctx, ms, secrets); err != nil {
		return err
	}
	now := time.Now()
	s.mu.Lock()
	for _, m := range ms {
		m = m.WithDefaults()
		s.monitors[m.ID] = newEntry(m)
		s.sched.Set(m.ID, watch.Resume(m.NextRunAt, m.Interval, now))
	}
	s.mu.Unlock()
	ctx = s.ctx
	for range s.cfg.Workers {
		s.wg.Go(func() { s.worker(ctx) })
	}
	s.wg.Go(func() { s.sched.Run(ctx, s.fire) })
	if s.cfg.Retention >= 0 {
		s.wg.Go(func() { s.pruneLoop(ctx) })
	}
	if _, ok := s.shared(); ok {
		s.wg.Go(func() { s.syncLoop(ctx) })
	}
	s.log.Info("monitors started", "count", len(ms))
	return nil
}

// Close stops scheduling and waits for runs under way (the lifecycle's
// own shutdown bounds them) and for alert deliveries.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
	if s.cfg.Sender != nil {
		s.cfg.Sender.Close()
	}
}

// DefaultRetention keeps monitors' history for the 30 days the pages show.
const DefaultRetention = 30 * 24 * time.Hour

// pruneLoop applies the retention at start and then hourly.
func (s *Service) pruneLoop(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		now := time.Now()
		n, err := s.cfg.Store.PruneMonitors(ctx, now.Add(-s.cfg.Retention), now)
		if err != nil && ctx.Err() == nil {
			s.log.Error("prune monitor history", "error", err)
		} else if n > 0 {
			s.log.Info("pruned old monitor attempts", "count", n, "retention", s.cfg.Retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// checkKey opens nothing but compares key ids: every sealed secret must
// name the key given. It returns the secrets it read.
func (s *Service) checkKey(ctx context.Context) ([]watch.SealedSecret, error) {
	secrets, err := s.cfg.Store.Secrets(ctx)
	if err != nil {
		return nil, fmt.Errorf("monitor service: check the secret key: %w", err)
	}
	byKey := map[string]int{}
	for _, sec := range secrets {
		byKey[sec.KeyID]++
	}
	if len(byKey) == 0 {
		return secrets, nil
	}
	if s.cfg.Key == nil {
		return nil, fmt.Errorf("%d monitor secrets (passwords, webhook addresses) are stored encrypted, and smtpdoctor was started without "+
			"--secret-key-file: start it with the key file they were sealed with (key id %s)", len(secrets), keyList(byKey))
	}
	delete(byKey, s.cfg.Key.ID())
	if len(byKey) > 0 {
		n := 0
		for _, c := range byKey {
			n += c
		}
		return nil, fmt.Errorf("%w: %d monitor secrets were sealed with key %s, but --secret-key-file holds key %s; "+
			"start with the old key file, or re-encrypt them with `smtpdoctor rotate-key --old OLD --new NEW`",
			secretbox.ErrWrongKey, n, keyList(byKey), s.cfg.Key.ID())
	}
	return secrets, nil
}

// openAlertURLs puts the real addresses of sealed alerts into the loaded
// monitors, and seals the addresses still stored as typed (kept before a
// key was given, or by an older version) now that there is a key.
func (s *Service) openAlertURLs(ctx context.Context, ms []watch.Monitor, secrets []watch.SealedSecret) error {
	boxes := make(map[[2]string][]byte, len(secrets))
	for _, sec := range secrets {
		boxes[[2]string{sec.MonitorID, sec.Slot}] = sec.Box
	}
	for mi := range ms {
		m := &ms[mi]
		var reseal []watch.SealedSecret
		for i := range m.Alerts {
			a := &m.Alerts[i]
			slot := watch.SlotAlertURL(i)
			switch {
			case a.URLSealed:
				box, ok := boxes[[2]string{m.ID, slot}]
				if !ok {
					return fmt.Errorf("monitor service: the address of alert %d of monitor %s is missing from its secrets; "+
						"edit the monitor and give the address again", i, m.ID)
				}
				pt, err := s.cfg.Key.Open(box, watch.SecretAD(m.ID, slot))
				if err != nil {
					return fmt.Errorf("monitor service: open the address of alert %d of monitor %s: %w", i, m.ID, err)
				}
				a.URL = string(pt)
			case a.Sealable() && s.cfg.Key != nil:
				box, err := s.cfg.Key.Seal([]byte(a.URL), watch.SecretAD(m.ID, slot))
				if err != nil {
					return fmt.Errorf("monitor service: seal the address of alert %d of monitor %s: %w", i, m.ID, err)
				}
				a.URLSealed = true
				reseal = append(reseal, watch.SealedSecret{MonitorID: m.ID, Slot: slot, KeyID: s.cfg.Key.ID(), Box: box})
			}
		}
		if len(reseal) == 0 {
			continue
		}
		var keep []string
		for _, sec := range secrets {
			if sec.MonitorID == m.ID {
				keep = append(keep, sec.Slot)
			}
		}
		if err := s.cfg.Store.UpdateMonitor(ctx, stored(*m), reseal, keep); err != nil {
			return fmt.Errorf("monitor service: seal the alert addresses of monitor %s: %w", m.ID, err)
		}
		m.StatusVersion++ // UpdateMonitor moved it on
		s.log.Info("alert addresses sealed with the secret key", "monitor", m.ID, "count", len(reseal))
	}
	return nil
}

func keyList(m map[string]int) string {
	s := ""
	for k := range m {
		if s != "" {
			s += ", "
		}
		s += k
	}
	return s
}

// newID makes a monitor id the way permalink ids are made: 128 random bits,
// unpadded base64url.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
