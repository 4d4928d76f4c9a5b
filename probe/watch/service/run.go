package service

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/alert"
)

// fire is the scheduler's callback: it sets the monitor's next due time at
// once (so a slow run never delays the schedule) and queues the run. When
// every worker is busy and the queue is full, the run is put back a second
// later rather than blocking the scheduler.
func (s *Service) fire(id string, due time.Time) {
	s.mu.Lock()
	e := s.monitors[id]
	if e == nil {
		s.mu.Unlock()
		return
	}
	interval := e.m.Interval
	s.mu.Unlock()
	select {
	case s.work <- dueRun{id: id, due: due}:
		s.sched.Set(id, watch.NextDue(due, interval, time.Now()))
	default:
		s.sched.Set(id, time.Now().Add(time.Second))
	}
}

func (s *Service) worker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-s.work:
			s.runOne(ctx, d)
		}
	}
}

// runOne runs a due monitor once. A monitor already running is skipped
// (its next due time is set already). After a refused login the run is made
// without AUTH until the hold's retry time (watch.Hold).
func (s *Service) runOne(ctx context.Context, d dueRun) {
	s.mu.Lock()
	e := s.monitors[d.id]
	if e == nil || e.running {
		s.mu.Unlock()
		return
	}
	e.running = true
	m := e.m
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		e.running = false
		s.mu.Unlock()
	}()
	// With replicas sharing the database, one of them runs it (shared.go).
	// Taken before the claim, whose own clock reading is later: the
	// start limit counts from no later than the claim (shared.go).
	claimedBy := time.Now()
	m, mine := s.claim(ctx, e, m)
	if !mine {
		return
	}
	startBy := claimedBy.Add(m.WithDefaults().Interval * startWithinTenths / 10)

	start := time.Now()
	if s.cfg.OnDue != nil {
		s.cfg.OnDue(start.Sub(d.due))
	}
	set := m.Settings
	var sec probe.Secret
	withoutLogin := false
	if m.HasSecret {
		if m.Status.UseLogin(start) {
			pw, err := s.open(ctx, m.ID, watch.SlotLogin)
			if err != nil {
				s.log.Error("monitor: cannot open its password; running without login", "monitor", m.ID, "error", err)
				withoutLogin = true
			} else {
				sec = probe.Secret{Password: pw}
			}
		} else {
			withoutLogin = true
		}
		if withoutLogin {
			set.User = ""
		}
	}
	r, err := s.cfg.Probe(ctx, m.ID, set, sec, startBy)
	sec = probe.Secret{}
	var busy *Busy
	switch {
	case errors.As(err, &busy):
		// The lifecycle is at a bound: try again soon, well before the
		// next regular run.
		wait := min(busy.RetryAfter, 5*time.Second) + time.Duration(rand.Int64N(int64(time.Second)))
		if due, ok := s.sched.Due(m.ID); !ok || due.After(time.Now().Add(wait)) {
			s.sched.Set(m.ID, time.Now().Add(wait))
		}
		return
	case err != nil:
		s.log.Error("monitor: run failed to start", "monitor", m.ID, "error", err)
		return
	}
	s.finish(ctx, m.ID, r, withoutLogin)
}

// finish feeds a finished run to the state machine, records it and sends
// its alerts. An interrupted run is neither recorded nor alerted: it says
// nothing about the server.
//
// The run is judged against the status it started from, and recorded only
// if that is still the stored one; if another run (another replica's, with
// several sharing the database) or an edit wrote the status since, the
// monitor is read again and the run judged against what is stored now.
// So each change of state is decided, and alerted, once.
func (s *Service) finish(ctx context.Context, id string, r probe.Result, withoutLogin bool) {
	run := watch.RunOf(r, withoutLogin)
	if run.Interrupted {
		if r.Diagnosis != nil && r.Diagnosis.Code == probe.CodeProbeSkipped {
			s.log.Warn("monitor: run skipped, no free probe slot in time; the next run comes at its usual time", "monitor", id, "attempt", r.ID)
		}
		return
	}
	s.mu.Lock()
	e := s.monitors[id]
	if e == nil { // deleted while it ran
		s.mu.Unlock()
		return
	}
	m := e.m
	s.mu.Unlock()

	next, _ := s.sched.Due(id)
	wctx := context.WithoutCancel(ctx)
	var st watch.Status
	var events []watch.Event
	for try := 1; ; try++ {
		prev := m.Status
		st, events = judge(prev, run, r, m.Thresholds())
		keep := prev.Last == nil || st.State != prev.State || st.Code != prev.Code || len(events) > 0
		err := s.cfg.Store.RecordRun(wctx, watch.RunRecordOf(id, r, keep), st, next, m.StatusVersion)
		if err == nil {
			m.StatusVersion++
			break
		}
		if errors.Is(err, watch.ErrStaleStatus) && try < 5 {
			fresh, gerr := s.cfg.Store.GetMonitor(wctx, id)
			if gerr != nil {
				s.log.Error("monitor: read its status again", "monitor", id, "attempt", r.ID, "error", gerr)
				return
			}
			m.Status, m.StatusVersion = fresh.WithDefaults().Status, fresh.StatusVersion
			continue
		}
		if errors.Is(err, watch.ErrStaleStatus) {
			// Written over again and again while this run was judged:
			// others decide; this run's alerts are theirs to send.
			s.log.Error("monitor: record run: its status keeps changing; leaving this run out", "monitor", id, "attempt", r.ID)
			return
		}
		// The database refused the write (full, gone): the state still
		// moves on here and the alerts still go out; the next run, judged
		// against the version still stored, writes both.
		s.log.Error("monitor: record run", "monitor", id, "attempt", r.ID, "error", err)
		break
	}
	m.Status, m.NextRunAt = st, next
	s.mu.Lock()
	if e := s.monitors[id]; e != nil {
		e.m.Status, e.m.StatusVersion = st, m.StatusVersion
	}
	s.mu.Unlock()

	if s.cfg.OnRun != nil {
		s.cfg.OnRun(m, r)
	}
	for _, ev := range events {
		s.log.Info("monitor event", "monitor", id, "event", ev.Kind, "code", ev.Code, "attempt", ev.AttemptID)
		s.alert(ctx, m, ev)
	}
}

// judge is the state machine's step for one run, with the remediation a
// failing state carries: that of the run that made it fail.
func judge(prev watch.Status, run watch.Run, r probe.Result, th watch.Thresholds) (watch.Status, []watch.Event) {
	st, events := watch.Next(prev, run, th)
	switch {
	case st.State != watch.StateFailing:
		st.Remediation = nil
	case st.AttemptID == r.ID && r.Diagnosis != nil:
		st.Remediation = r.Diagnosis.Remediation
	}
	return st, events
}

// alert hands one event to every channel of the monitor.
func (s *Service) alert(ctx context.Context, m watch.Monitor, ev watch.Event) {
	if s.cfg.Sender == nil {
		return
	}
	msg := alert.NewMessage(s.cfg.BaseURL, m, ev)
	// A delivery outlives the request or run that caused it, and retries
	// until the service closes.
	ctx = s.ctx
	for i, a := range m.Alerts {
		ch := alert.Channel{Alert: a}
		if a.HasSecret {
			pw, err := s.open(ctx, m.ID, watch.SlotAlert(i))
			if err != nil {
				s.log.Error("monitor: cannot open the alert server's password", "monitor", m.ID, "alert", i, "error", err)
				s.record(ctx, watch.Delivery{MonitorID: m.ID, Event: ev.Kind, Channel: a.Type, Target: a.Target(),
					At: time.Now().UTC(), Try: 1, Final: true, Detail: "the alert server's password could not be opened: " + err.Error()})
				continue
			}
			ch.Secret = probe.Secret{Password: pw}
		}
		s.cfg.Sender.Deliver(ctx, m.ID, ch, msg)
	}
}

// record writes a delivery to the log; the Sender's Record should be this.
func (s *Service) record(ctx context.Context, d watch.Delivery) {
	if err := s.cfg.Store.RecordDelivery(ctx, d); err != nil {
		s.log.Error("monitor: record alert delivery", "monitor", d.MonitorID, "error", err)
	}
}

// Record is the alert Sender's Record callback: it writes each try to the
// delivery log.
func (s *Service) Record(ctx context.Context, d watch.Delivery) { s.record(ctx, d) }
