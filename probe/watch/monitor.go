// Package watch is what makes smtpdoctor watch a server: the monitor (what
// to probe, how often, whom to tell), the state machine that turns each
// run's result into a state (pending, ok, warning, failing) and the few
// events worth an alert, the "do no harm" rules that keep a monitor from
// locking an account out, and the scheduler that keeps ten thousand due
// times in a heap.
//
// Everything here is pure or in memory: the lifecycle runs the probes, the
// store keeps monitors and their state, probe/watch/alert delivers the
// alerts, and the dashboard shows them. The state machine is a function
// (Next) from the previous status and one run to the next status and its
// events, so the whole of "when do we alert" is table-tested without a
// clock or a network.
package watch

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Interval bounds. Ten seconds is the floor because a probe can take that
// long and a provider's rate limits count logins per minute; a day is the
// ceiling because a monitor that runs less often than that watches nothing.
const (
	MinInterval     = 10 * time.Second
	MaxInterval     = 24 * time.Hour
	DefaultInterval = 5 * time.Minute
)

// Defaults for the alert thresholds.
const (
	// DefaultFailAfter is how many consecutive failed runs make a failure of
	// the connection or the server an alert: one timeout is a blip.
	DefaultFailAfter = 2
	// DefaultCertDays is how close a certificate's expiry must be to alert.
	DefaultCertDays = 14
)

// MaxNameLen bounds a monitor's name (in characters).
const MaxNameLen = 100

// Monitor is one watched server.
type Monitor struct {
	ID       string
	Name     string
	Settings probe.Settings
	Interval time.Duration
	// FailAfter is how many consecutive failed runs of the connection or
	// the server raise "failing" (a refused login raises it at once).
	FailAfter int
	// CertDays is how many days before a certificate expires to alert.
	CertDays int
	Alerts   []Alert
	// HasSecret says a password or token is kept (encrypted) for it.
	HasSecret bool

	CreatedAt time.Time
	UpdatedAt time.Time
	// NextRunAt is when the scheduler runs it next; kept in the store so
	// a restart resumes the schedule.
	NextRunAt time.Time
	Status    Status
	// StatusVersion counts the writes of Status in the store. A run
	// writes its status back only if the version is still the one it
	// started from (ErrStaleStatus otherwise), so that two runs, on two
	// replicas, cannot both decide the same alert.
	StatusVersion int64
}

// ErrStaleStatus is a store's answer to a run that would write a status
// over one written since the run read it: read the monitor again, and
// decide from what it says now.
var ErrStaleStatus = errors.New("the monitor's status was written by another run since this one read it")

// WithDefaults fills the zero fields.
func (m Monitor) WithDefaults() Monitor {
	if m.Interval == 0 {
		m.Interval = DefaultInterval
	}
	if m.FailAfter == 0 {
		m.FailAfter = DefaultFailAfter
	}
	if m.CertDays == 0 {
		m.CertDays = DefaultCertDays
	}
	if m.Status.State == "" {
		m.Status.State = StatePending
	}
	return m
}

// Validate checks what a person chose, saying what is wrong and how to fix
// it. The probe settings themselves are validated where the form is read.
func (m Monitor) Validate() error {
	var errs []error
	if strings.TrimSpace(m.Name) == "" {
		errs = append(errs, errors.New("name: give the monitor a name, such as \"Office relay\""))
	} else if n := len([]rune(m.Name)); n > MaxNameLen {
		errs = append(errs, fmt.Errorf("name: %d characters, at most %d", n, MaxNameLen))
	} else if strings.ContainsFunc(m.Name, unicode.IsControl) {
		errs = append(errs, errors.New("name: no control characters (line breaks, tabs)"))
	}
	if m.Settings.Host == "" {
		errs = append(errs, errors.New("settings.host: which server to watch"))
	}
	if m.Interval < MinInterval || m.Interval > MaxInterval {
		errs = append(errs, fmt.Errorf("interval: %s is outside %s to %s (\"5m\" is the default)", m.Interval, MinInterval, MaxInterval))
	}
	if m.FailAfter < 1 || m.FailAfter > 100 {
		errs = append(errs, fmt.Errorf("fail_after: %d, want 1 to 100 consecutive failed runs", m.FailAfter))
	}
	if m.CertDays < 1 || m.CertDays > 365 {
		errs = append(errs, fmt.Errorf("cert_days: %d, want 1 to 365 days", m.CertDays))
	}
	if len(m.Alerts) > MaxAlerts {
		errs = append(errs, fmt.Errorf("alerts: %d, at most %d per monitor", len(m.Alerts), MaxAlerts))
	}
	for i, a := range m.Alerts {
		if err := a.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("alerts[%d]: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// ParseInterval reads an interval as people write it ("5m", "30s", "1h",
// or a bare number of seconds) and checks its bounds.
func ParseInterval(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultInterval, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		var secs int
		if _, err2 := fmt.Sscanf(s, "%d", &secs); err2 != nil || fmt.Sprint(secs) != s {
			return 0, fmt.Errorf("interval %q: write it like 30s, 5m or 1h", s)
		}
		d = time.Duration(secs) * time.Second
	}
	if d < MinInterval || d > MaxInterval {
		return 0, fmt.Errorf("interval %q: from %s to %s (%s is the default)", s, MinInterval, "24h", "5m")
	}
	return d, nil
}

// FormatInterval writes an interval the way ParseInterval reads it, without
// Go's trailing zero units ("5m", not "5m0s").
func FormatInterval(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
