package watch

import (
	"fmt"
	"slices"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// State is how a monitor stands.
type State string

const (
	StatePending State = "pending" // not enough runs yet to say
	StateOK      State = "ok"
	StateWarning State = "warning" // works, but something is wrong (an untrusted certificate, say)
	StateFailing State = "failing"
)

// EventKind names what an alert is about. The values are part of the
// webhook body.
type EventKind string

const (
	EventFailing           EventKind = "failing"
	EventRecovered         EventKind = "recovered"
	EventChanged           EventKind = "changed" // a new reason while still failing
	EventCertExpiring      EventKind = "cert_expiring"
	EventBasicAuthRetiring EventKind = "basic_auth_retiring"
	EventTest              EventKind = "test"
)

// Status is what a monitor remembers between runs. The store keeps it
// whole; the state machine (Next) reads and writes it.
type Status struct {
	State State     `json:"state"`
	Since time.Time `json:"since"`
	// Code and Title are the diagnosis behind the state: the failure's
	// when failing, the last run's otherwise. AttemptID is the run that
	// set them.
	Code      probe.Code `json:"code,omitempty"`
	Title     string     `json:"title,omitempty"`
	AttemptID string     `json:"attempt_id,omitempty"`
	// Remediation is the failure's numbered steps, kept with the state so
	// the monitors page need not open an attempt per failing monitor.
	Remediation []string `json:"remediation,omitempty"`

	// Streak counts consecutive failed runs; CodeStreak those of them that
	// ended with StreakCode, the latest failure's code.
	Streak     int        `json:"streak,omitempty"`
	StreakCode probe.Code `json:"streak_code,omitempty"`
	CodeStreak int        `json:"code_streak,omitempty"`

	// Last is the latest run that finished (interrupted runs aside).
	Last *LastRun `json:"last,omitempty"`

	// Hold is set after a refused login: see Hold.
	Hold *Hold `json:"hold,omitempty"`
	// CertAlerted is the expiry of the certificate already alerted about,
	// so each certificate alerts once.
	CertAlerted time.Time `json:"cert_alerted,omitzero"`
	// RetiringAlerted says the basic-auth switch-off warning went out; it
	// re-arms once a login no longer draws the finding.
	RetiringAlerted bool `json:"retiring_alerted,omitempty"`
}

// LastRun is what the pages, the API and the metrics show of a monitor's
// latest run without opening its attempt.
type LastRun struct {
	AttemptID  string        `json:"attempt_id"`
	At         time.Time     `json:"at"`
	Outcome    probe.Outcome `json:"outcome"`
	Code       probe.Code    `json:"code"`
	Title      string        `json:"title"`
	DurationMS int64         `json:"duration_ms"`
	// CertNotAfter is the server certificate's expiry; zero if none seen.
	CertNotAfter time.Time `json:"cert_not_after,omitzero"`
	// WithoutLogin says the run skipped AUTH because of a Hold.
	WithoutLogin bool `json:"without_login,omitempty"`
}

// Hold is "do no harm": after the server refused the login, the monitor
// stops logging in at its normal interval, because providers lock accounts
// (or block the client's address) after repeated failed logins. It keeps
// checking the server without AUTH, and tries the login again at RetryAt,
// backing off from an hour to a day, until someone edits the monitor.
type Hold struct {
	Code    probe.Code    `json:"code"`
	Title   string        `json:"title,omitempty"`
	Since   time.Time     `json:"since"`
	RetryAt time.Time     `json:"retry_at"`
	Backoff time.Duration `json:"backoff"`
}

// Login back-off bounds.
const (
	FirstLoginRetry = time.Hour
	MaxLoginRetry   = 24 * time.Hour
)

// Explain says, in words, what the hold means for the monitor page and the
// alert.
func (h *Hold) Explain() string {
	return fmt.Sprintf("The server refused the login (%s), so smtpdoctor stopped logging in at every run "+
		"to avoid locking the account: it keeps checking the server without logging in, and tries "+
		"the login once more at %s (then backs off up to once a day). Edit the monitor after fixing "+
		"the password to log in again at once.", h.Code, h.RetryAt.UTC().Format("2006-01-02 15:04 UTC"))
}

// LoginRefusals are the diagnoses that mean the server refused this login
// for good: a 535 or its kin is definite, so it alerts at once, and
// repeating it is what locks accounts. A rate limit is included: logging in
// again is exactly what it asks us not to do.
var LoginRefusals = []probe.Code{
	probe.CodeAuthCredentialsRejected,
	probe.CodeAuthBlockedByPolicy,
	probe.CodeAuthAppPasswordRequired,
	probe.CodeAuthWebLoginRequired,
	probe.CodeAuthOAuthTokenInvalid,
	probe.CodeAuthRateLimited,
}

// IsLoginRefusal reports whether code is one of LoginRefusals.
func IsLoginRefusal(code probe.Code) bool { return slices.Contains(LoginRefusals, code) }

// Run is what the state machine needs of one finished run.
type Run struct {
	AttemptID string
	At        time.Time
	// Interrupted runs (the process stopped mid-probe) change nothing and
	// alert nothing: they say nothing about the server.
	Interrupted bool
	Outcome     probe.Outcome
	Code        probe.Code
	Title       string
	DurationMS  int64
	// LoggedIn says the run tried AUTH with the monitor's credentials;
	// WithoutLogin says it skipped AUTH because of a Hold.
	LoggedIn     bool
	WithoutLogin bool
	// CertNotAfter is the expiry of the server's certificate; zero when
	// none was seen.
	CertNotAfter time.Time
	Findings     []probe.Code
}

// RunOf reads a Run from a finished result. withoutLogin is whether the
// run was made without credentials because of a hold.
func RunOf(r probe.Result, withoutLogin bool) Run {
	run := Run{
		AttemptID:    r.ID,
		At:           r.StartedAt.Add(time.Duration(r.DurationMS) * time.Millisecond),
		Interrupted:  r.Status == probe.StatusInterrupted,
		Outcome:      r.Outcome,
		DurationMS:   r.DurationMS,
		WithoutLogin: withoutLogin,
		LoggedIn:     !withoutLogin && r.Settings.User != "" && r.Auth != nil && r.Auth.Mechanism != "",
	}
	if r.Diagnosis != nil {
		run.Code, run.Title = r.Diagnosis.Code, r.Diagnosis.Title
		if run.Code == probe.CodeProbeInterrupted {
			run.Interrupted = true
		}
	}
	if r.TLS != nil && len(r.TLS.Chain) > 0 {
		run.CertNotAfter = r.TLS.Chain[0].NotAfter
	}
	for _, f := range r.Findings {
		run.Findings = append(run.Findings, f.Code)
	}
	return run
}

// Event is something worth an alert.
type Event struct {
	Kind      EventKind
	At        time.Time
	AttemptID string
	Outcome   probe.Outcome
	// Code and Title are the diagnosis the event is about.
	Code  probe.Code
	Title string
	// Detail is one more sentence for people: the certificate's expiry, the
	// login hold.
	Detail string
}

// Thresholds are a monitor's alert settings, as Next needs them.
type Thresholds struct {
	FailAfter int
	CertDays  int
}

// Thresholds of m, with defaults.
func (m Monitor) Thresholds() Thresholds {
	m = m.WithDefaults()
	return Thresholds{FailAfter: m.FailAfter, CertDays: m.CertDays}
}

// UseLogin reports whether the run due at now should log in: always, unless
// a hold is on and its retry time has not come.
func (s Status) UseLogin(now time.Time) bool {
	return s.Hold == nil || !now.Before(s.Hold.RetryAt)
}

// Edited is the status after someone edits the monitor: the hold is lifted
// and the failure count starts again, so the next run logs in; the state
// stays until a run says otherwise.
func (s Status) Edited() Status {
	s.Hold = nil
	s.Streak, s.CodeStreak, s.StreakCode = 0, 0, ""
	return s
}

// Next is the state machine: from the status before a run and the run, the
// status after it and the events to alert.
//
//   - A refused login (LoginRefusals) is failing at once and starts a Hold.
//   - Any other failure is failing after th.FailAfter consecutive failed
//     runs; until then the state stays as it was.
//   - While failing, a different reason is "changed" once it is as
//     certain as a new failure would be (at once for a refused login,
//     after FailAfter runs otherwise).
//   - Failing to ok or warning is "recovered". While a Hold is on, a run
//     without login that works is not a recovery: the login is still
//     known to be refused.
//   - A certificate within th.CertDays of its expiry alerts once per
//     certificate; the basic-auth switch-off finding alerts once.
//   - An interrupted run changes nothing.
func Next(s Status, run Run, th Thresholds) (Status, []Event) {
	if run.Interrupted {
		return s, nil
	}
	if th.FailAfter < 1 {
		th.FailAfter = DefaultFailAfter
	}
	if th.CertDays < 1 {
		th.CertDays = DefaultCertDays
	}
	if s.State == "" {
		s.State = StatePending
	}
	var events []Event
	event := func(k EventKind, code probe.Code, title, detail string) {
		events = append(events, Event{Kind: k, At: run.At, AttemptID: run.AttemptID, Outcome: run.Outcome,
			Code: code, Title: title, Detail: detail})
	}
	s.Last = &LastRun{AttemptID: run.AttemptID, At: run.At, Outcome: run.Outcome, Code: run.Code, Title: run.Title,
		DurationMS: run.DurationMS, CertNotAfter: run.CertNotAfter, WithoutLogin: run.WithoutLogin}

	code, title := run.Code, run.Title
	failed := run.Outcome == probe.OutcomeFailure
	definite := failed && IsLoginRefusal(code)

	// The hold: started or backed off by a refused login, lifted by a
	// login that was not refused.
	switch {
	case definite && run.LoggedIn:
		if s.Hold == nil {
			s.Hold = &Hold{Code: code, Title: title, Since: run.At, Backoff: FirstLoginRetry}
		} else {
			s.Hold.Code, s.Hold.Title = code, title
			s.Hold.Backoff = min(2*s.Hold.Backoff, MaxLoginRetry)
		}
		s.Hold.RetryAt = run.At.Add(s.Hold.Backoff)
	case run.LoggedIn:
		s.Hold = nil
	}
	// A run without login cannot clear a refused login: the server may
	// well answer, but the last login it saw was refused.
	if !failed && run.WithoutLogin && s.Hold != nil {
		failed, definite = true, true
		code, title = s.Hold.Code, s.Hold.Title
	}

	if failed {
		s.Streak++
		if code == s.StreakCode {
			s.CodeStreak++
		} else {
			s.StreakCode, s.CodeStreak = code, 1
		}
	} else {
		s.Streak, s.CodeStreak, s.StreakCode = 0, 0, ""
	}

	switch {
	case failed && s.State != StateFailing:
		if definite || s.Streak >= th.FailAfter {
			s.State, s.Since = StateFailing, run.At
			s.Code, s.Title, s.AttemptID = code, title, run.AttemptID
			event(EventFailing, code, title, holdDetail(s.Hold, definite))
		}
	case failed && s.State == StateFailing:
		if code != s.Code && (definite || s.CodeStreak >= th.FailAfter) {
			s.Code, s.Title, s.AttemptID = code, title, run.AttemptID
			event(EventChanged, code, title, holdDetail(s.Hold, definite))
		}
	default:
		next := StateOK
		if run.Outcome == probe.OutcomeWarning {
			next = StateWarning
		}
		if s.State == StateFailing {
			event(EventRecovered, code, title, "")
		}
		if s.State != next {
			s.State, s.Since = next, run.At
		}
		s.Code, s.Title, s.AttemptID = code, title, run.AttemptID
	}

	if !run.CertNotAfter.IsZero() && run.CertNotAfter.After(run.At) &&
		run.CertNotAfter.Sub(run.At) <= time.Duration(th.CertDays)*24*time.Hour &&
		!run.CertNotAfter.Equal(s.CertAlerted) {
		s.CertAlerted = run.CertNotAfter
		days := int(run.CertNotAfter.Sub(run.At).Hours() / 24)
		event(EventCertExpiring, run.Code, run.Title, fmt.Sprintf("The server's certificate expires on %s (in %d days).",
			run.CertNotAfter.UTC().Format("2006-01-02 15:04 UTC"), days))
	}

	retiring := slices.Contains(run.Findings, probe.CodeAuthBasicAuthRetiring)
	switch {
	case retiring && !s.RetiringAlerted:
		s.RetiringAlerted = true
		event(EventBasicAuthRetiring, probe.CodeAuthBasicAuthRetiring, "Microsoft 365 is switching basic-auth SMTP off",
			"This login works today with a password (basic auth), which Microsoft 365 switches off by default; move it to OAuth before then.")
	case run.LoggedIn && !retiring && !definite:
		s.RetiringAlerted = false
	}
	return s, events
}

func holdDetail(h *Hold, definite bool) string {
	if h == nil || !definite {
		return ""
	}
	return h.Explain()
}
