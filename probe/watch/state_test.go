package watch

import (
	"slices"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// step is one run in a scenario and what must follow from it.
type step struct {
	run    Run
	events []EventKind
	state  State
}

func ok() Run { return Run{Outcome: probe.OutcomeSuccess, Code: probe.CodeOK, LoggedIn: true} }
func warn() Run {
	return Run{Outcome: probe.OutcomeWarning, Code: probe.CodeTLSCertUntrusted, LoggedIn: true}
}
func fail(c probe.Code) Run {
	return Run{Outcome: probe.OutcomeFailure, Code: c, LoggedIn: IsLoginRefusal(c)}
}
func refused() Run      { return fail(probe.CodeAuthCredentialsRejected) }
func noLogin(r Run) Run { r.LoggedIn, r.WithoutLogin = false, true; return r }
func interrupted() Run  { return Run{Interrupted: true} }

func TestNext(t *testing.T) {
	th := Thresholds{FailAfter: 2, CertDays: 14}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"first run works", []step{
			{ok(), nil, StateOK},
		}},
		{"one timeout is a blip", []step{
			{ok(), nil, StateOK},
			{fail(probe.CodeNetTimeout), nil, StateOK},
			{ok(), nil, StateOK},
		}},
		{"two failed runs of the server alert once", []step{
			{ok(), nil, StateOK},
			{fail(probe.CodeNetTimeout), nil, StateOK},
			{fail(probe.CodeNetRefused), []EventKind{EventFailing}, StateFailing},
			{fail(probe.CodeNetRefused), nil, StateFailing},
			{ok(), []EventKind{EventRecovered}, StateOK},
			{ok(), nil, StateOK},
		}},
		{"a refused login alerts at once", []step{
			{ok(), nil, StateOK},
			{refused(), []EventKind{EventFailing}, StateFailing},
		}},
		{"a refused login on the very first run", []step{
			{refused(), []EventKind{EventFailing}, StateFailing},
		}},
		{"a failure below the threshold keeps pending", []step{
			{fail(probe.CodeSMTPServiceUnavailable), nil, StatePending},
			{fail(probe.CodeSMTPServiceUnavailable), []EventKind{EventFailing}, StateFailing},
		}},
		{"a new reason while failing is changed, once it holds", []step{
			{fail(probe.CodeNetRefused), nil, StatePending},
			{fail(probe.CodeNetRefused), []EventKind{EventFailing}, StateFailing},
			{fail(probe.CodeNetTimeout), nil, StateFailing},
			{fail(probe.CodeNetTimeout), []EventKind{EventChanged}, StateFailing},
			{fail(probe.CodeNetTimeout), nil, StateFailing},
		}},
		{"a refused login while the server was failing is changed at once", []step{
			{fail(probe.CodeNetTimeout), nil, StatePending},
			{fail(probe.CodeNetTimeout), []EventKind{EventFailing}, StateFailing},
			{refused(), []EventKind{EventChanged}, StateFailing},
		}},
		{"warning is not failing, and leaving failing for warning is recovered", []step{
			{warn(), nil, StateWarning},
			{refused(), []EventKind{EventFailing}, StateFailing},
			{warn(), []EventKind{EventRecovered}, StateWarning},
			{ok(), nil, StateOK},
		}},
		{"interrupted runs change nothing", []step{
			{ok(), nil, StateOK},
			{fail(probe.CodeNetTimeout), nil, StateOK},
			{interrupted(), nil, StateOK},
			{interrupted(), nil, StateOK},
			{ok(), nil, StateOK},
			{fail(probe.CodeNetTimeout), nil, StateOK},
		}},
		{"an interrupted run does not recover or fail", []step{
			{refused(), []EventKind{EventFailing}, StateFailing},
			{interrupted(), nil, StateFailing},
		}},
		{"a server that answers while the login is held is not a recovery", []step{
			{ok(), nil, StateOK},
			{refused(), []EventKind{EventFailing}, StateFailing},
			{noLogin(ok()), nil, StateFailing},
			{noLogin(ok()), nil, StateFailing},
			{ok(), []EventKind{EventRecovered}, StateOK},
		}},
		{"the server going down while the login is held", []step{
			{refused(), []EventKind{EventFailing}, StateFailing},
			{noLogin(fail(probe.CodeNetRefused)), nil, StateFailing},
			{noLogin(fail(probe.CodeNetRefused)), []EventKind{EventChanged}, StateFailing},
			{noLogin(ok()), []EventKind{EventChanged}, StateFailing},
		}},
		{"the same refusal again is not news", []step{
			{refused(), []EventKind{EventFailing}, StateFailing},
			{refused(), nil, StateFailing},
			{fail(probe.CodeAuthAppPasswordRequired), []EventKind{EventChanged}, StateFailing},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s Status
			for i, st := range tc.steps {
				st.run.At = t0.Add(time.Duration(i) * 5 * time.Minute)
				var evs []Event
				s, evs = Next(s, st.run, th)
				var kinds []EventKind
				for _, e := range evs {
					kinds = append(kinds, e.Kind)
				}
				if !slices.Equal(kinds, st.events) {
					t.Errorf("run %d (%s %s): events %v, want %v", i, st.run.Outcome, st.run.Code, kinds, st.events)
				}
				if s.State != st.state {
					t.Errorf("run %d (%s %s): state %s, want %s", i, st.run.Outcome, st.run.Code, s.State, st.state)
				}
			}
		})
	}
}

func TestNextSinceMovesWithTheState(t *testing.T) {
	th := Thresholds{FailAfter: 2, CertDays: 14}
	s, _ := Next(Status{}, Run{At: t0, Outcome: probe.OutcomeSuccess, Code: probe.CodeOK}, th)
	s, _ = Next(s, Run{At: t0.Add(time.Minute), Outcome: probe.OutcomeSuccess, Code: probe.CodeOK}, th)
	if !s.Since.Equal(t0) {
		t.Errorf("since %v after two ok runs, want the first", s.Since)
	}
	s, _ = Next(s, Run{At: t0.Add(2 * time.Minute), Outcome: probe.OutcomeFailure, Code: probe.CodeAuthCredentialsRejected, LoggedIn: true}, th)
	if !s.Since.Equal(t0.Add(2 * time.Minute)) {
		t.Errorf("since %v after failing, want the failing run", s.Since)
	}
}

func TestHoldBacksOffAndLifts(t *testing.T) {
	th := Thresholds{FailAfter: 2, CertDays: 14}
	s, evs := Next(Status{}, Run{AttemptID: "a1", At: t0, Outcome: probe.OutcomeFailure,
		Code: probe.CodeAuthCredentialsRejected, Title: "Wrong password", LoggedIn: true}, th)
	if s.Hold == nil || s.Hold.Backoff != time.Hour || !s.Hold.RetryAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("hold after a refused login: %+v", s.Hold)
	}
	if len(evs) != 1 || evs[0].Detail == "" || evs[0].Title != "Wrong password" || evs[0].AttemptID != "a1" {
		t.Errorf("the failing event does not explain the hold: %+v", evs)
	}
	if s.UseLogin(t0.Add(5*time.Minute)) || !s.UseLogin(t0.Add(time.Hour)) {
		t.Error("UseLogin does not follow the hold's retry time")
	}
	// Each refused retry doubles the wait, up to a day.
	want := []time.Duration{2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 16 * time.Hour, 24 * time.Hour, 24 * time.Hour}
	at := t0
	for i, w := range want {
		at = s.Hold.RetryAt
		s, _ = Next(s, Run{At: at, Outcome: probe.OutcomeFailure, Code: probe.CodeAuthCredentialsRejected, LoggedIn: true}, th)
		if s.Hold.Backoff != w {
			t.Errorf("retry %d: back-off %s, want %s", i+1, s.Hold.Backoff, w)
		}
	}
	if e := s.Edited(); e.Hold != nil || !e.UseLogin(at) || e.State != StateFailing {
		t.Errorf("editing does not lift the hold: %+v", e)
	}
	s, evs = Next(s, Run{At: at.Add(24 * time.Hour), Outcome: probe.OutcomeSuccess, Code: probe.CodeOK, LoggedIn: true}, th)
	if s.Hold != nil || s.State != StateOK || len(evs) != 1 || evs[0].Kind != EventRecovered {
		t.Errorf("a login that works: hold %+v, state %s, events %+v", s.Hold, s.State, evs)
	}
}

func TestCertExpiringAlertsOncePerCertificate(t *testing.T) {
	th := Thresholds{FailAfter: 2, CertDays: 14}
	far, near := t0.Add(60*24*time.Hour), t0.Add(10*24*time.Hour)
	var s Status
	var kinds []EventKind
	for i, na := range []time.Time{far, near, near, near, near.Add(90 * 24 * time.Hour), near.Add(90 * 24 * time.Hour)} {
		var evs []Event
		s, evs = Next(s, Run{At: t0.Add(time.Duration(i) * time.Minute), Outcome: probe.OutcomeSuccess, Code: probe.CodeOK, CertNotAfter: na}, th)
		for _, e := range evs {
			kinds = append(kinds, e.Kind)
			if e.Detail == "" {
				t.Error("cert_expiring without the date")
			}
		}
	}
	if !slices.Equal(kinds, []EventKind{EventCertExpiring}) {
		t.Errorf("events %v, want one cert_expiring", kinds)
	}
	// A renewed certificate that is again near expiry alerts again.
	s, evs := Next(s, Run{At: t0.Add(time.Hour), Outcome: probe.OutcomeSuccess, CertNotAfter: t0.Add(5 * 24 * time.Hour)}, th)
	if len(evs) != 1 || evs[0].Kind != EventCertExpiring {
		t.Errorf("another near-expiry certificate: %v", evs)
	}
	// Already expired is the diagnosis's business (tls.cert_expired), not this event's.
	if _, evs := Next(Status{}, Run{At: t0, Outcome: probe.OutcomeWarning, CertNotAfter: t0.Add(-time.Hour)}, th); len(evs) != 0 {
		t.Errorf("expired certificate: %v", evs)
	}
}

func TestBasicAuthRetiringAlertsOnce(t *testing.T) {
	th := Thresholds{FailAfter: 2, CertDays: 14}
	retiring := Run{Outcome: probe.OutcomeWarning, Code: probe.CodeOK, LoggedIn: true, Findings: []probe.Code{probe.CodeAuthBasicAuthRetiring}}
	var s Status
	var n int
	for i := range 3 {
		retiring.At = t0.Add(time.Duration(i) * time.Minute)
		var evs []Event
		s, evs = Next(s, retiring, th)
		for _, e := range evs {
			if e.Kind == EventBasicAuthRetiring {
				n++
			}
		}
	}
	if n != 1 {
		t.Errorf("%d basic_auth_retiring events in 3 runs, want 1", n)
	}
	s, _ = Next(s, Run{At: t0.Add(time.Hour), Outcome: probe.OutcomeSuccess, Code: probe.CodeOK, LoggedIn: true}, th)
	if _, evs := Next(s, retiring, th); len(evs) != 1 {
		t.Errorf("after the finding went away and came back: %v", evs)
	}
}

func TestRunOf(t *testing.T) {
	notAfter := t0.Add(48 * time.Hour)
	r := probe.Result{
		ID: "x", Status: probe.StatusDone, Outcome: probe.OutcomeFailure, StartedAt: t0, DurationMS: 1500,
		Settings:  probe.Settings{User: "u"},
		Auth:      &probe.AuthInfo{Mechanism: "PLAIN"},
		Diagnosis: &probe.Diagnosis{Code: probe.CodeAuthCredentialsRejected, Title: "t"},
		TLS:       &probe.TLSInfo{Chain: []probe.Certificate{{NotAfter: notAfter}}},
		Findings:  []probe.Finding{{Code: probe.CodeAuthBasicAuthRetiring}},
	}
	run := RunOf(r, false)
	if !run.LoggedIn || run.Interrupted || !run.CertNotAfter.Equal(notAfter) || run.Code != probe.CodeAuthCredentialsRejected ||
		!run.At.Equal(t0.Add(1500*time.Millisecond)) || len(run.Findings) != 1 {
		t.Errorf("RunOf = %+v", run)
	}
	if RunOf(r, true).LoggedIn {
		t.Error("a run without login counted as logged in")
	}
	r.Status = probe.StatusInterrupted
	if !RunOf(r, false).Interrupted {
		t.Error("interrupted status not read")
	}
}
