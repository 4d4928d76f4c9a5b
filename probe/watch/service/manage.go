package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/alert"
)

// InputError is a monitor refused for what was typed: the dashboard
// answers it with 400 and the message.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// ErrNoPassword refuses a monitor that names a user but keeps no password
// for it.
var ErrNoPassword = errors.New("password: missing")

// ErrNotFound is returned (wrapped) for an unknown monitor id.
var ErrNotFound = errors.New("no such monitor")

// Secrets are the passwords given with a monitor: its login, and the SMTP
// servers of its email alerts by alert index. On an edit, a nil Login keeps
// the stored one (people are not asked to type it again to rename a
// monitor); an empty string removes it.
type Secrets struct {
	Login  *string
	Alerts map[int]string
}

// Create validates, seals and stores a new monitor, checks the SMTP
// servers of its email alerts (a probe up to RCPT, nothing sent), and
// schedules its first run right away.
func (s *Service) Create(ctx context.Context, m watch.Monitor, sec Secrets) (watch.Monitor, error) {
	m = m.WithDefaults()
	m.ID = newID()
	now := time.Now().UTC()
	m.CreatedAt, m.UpdatedAt = now, now
	m.Status = watch.Status{State: watch.StatePending, Since: now}
	m.NextRunAt = watch.FirstDue(now)
	sealed, err := s.prepare(ctx, &m, sec, nil)
	if err != nil {
		return m, err
	}
	if err := s.cfg.Store.CreateMonitor(ctx, stored(m), sealed); err != nil {
		return m, fmt.Errorf("create monitor: %w", err)
	}
	s.mu.Lock()
	s.monitors[m.ID] = newEntry(m)
	s.mu.Unlock()
	s.sched.Set(m.ID, m.NextRunAt)
	s.log.Info("monitor created", "monitor", m.ID, "host", m.Settings.Host, "port", m.Settings.Port, "interval", m.Interval.String())
	return m, nil
}

// Update replaces what people edit. Editing lifts a login hold (the
// password was likely fixed) and runs the monitor right away.
func (s *Service) Update(ctx context.Context, m watch.Monitor, sec Secrets) (watch.Monitor, error) {
	s.mu.Lock()
	e := s.monitors[m.ID]
	var old watch.Monitor
	if e != nil {
		old = e.m
	}
	s.mu.Unlock()
	if e == nil {
		return m, fmt.Errorf("update monitor %s: %w", m.ID, ErrNotFound)
	}
	m = m.WithDefaults()
	now := time.Now().UTC()
	m.CreatedAt, m.UpdatedAt = old.CreatedAt, now
	m.Status = old.Status.Edited()
	m.NextRunAt = watch.FirstDue(now)
	sealed, err := s.prepare(ctx, &m, sec, &old)
	if err != nil {
		return m, err
	}
	var keep []string
	if sec.Login == nil && old.HasSecret && m.HasSecret {
		keep = append(keep, watch.SlotLogin)
	}
	for i, a := range m.Alerts {
		if _, given := sec.Alerts[i]; !given && a.HasSecret {
			keep = append(keep, watch.SlotAlert(i))
		}
	}
	if err := s.cfg.Store.UpdateMonitor(ctx, stored(m), sealed, keep); err != nil {
		return m, fmt.Errorf("update monitor %s: %w", m.ID, err)
	}
	// The store moved the status version on (a run under way decides
	// again from the edited status); if another replica's run moved it
	// too, this replica's next run finds out and reads it again.
	m.StatusVersion = old.StatusVersion + 1
	s.mu.Lock()
	if e := s.monitors[m.ID]; e != nil {
		e.m, e.sortName = m, strings.ToLower(m.Name)
	}
	s.mu.Unlock()
	s.sched.Set(m.ID, m.NextRunAt)
	return m, nil
}

// ResumeLogin lifts a login hold without other changes: "I fixed the
// password on the server side, try again now".
func (s *Service) ResumeLogin(ctx context.Context, id string) error {
	m, ok := s.Get(id)
	if !ok {
		return fmt.Errorf("resume monitor %s: %w", id, ErrNotFound)
	}
	_, err := s.Update(ctx, m, Secrets{})
	return err
}

// prepare validates m and seals its secrets. On an edit, old is the stored
// monitor: secrets not given again are kept.
func (s *Service) prepare(ctx context.Context, m *watch.Monitor, sec Secrets, old *watch.Monitor) ([]watch.SealedSecret, error) {
	if err := m.Validate(); err != nil {
		return nil, &InputError{err}
	}
	type plain struct{ slot, text string }
	var secrets []plain
	switch {
	case sec.Login != nil && *sec.Login != "":
		secrets = append(secrets, plain{watch.SlotLogin, *sec.Login})
		m.HasSecret = true
	case sec.Login != nil:
		m.HasSecret = false
	case old != nil:
		m.HasSecret = old.HasSecret
	default:
		m.HasSecret = false
	}
	if m.Settings.User == "" {
		// No user, no login: a password kept for one would never be used.
		m.HasSecret = false
		secrets = nil
	} else if !m.HasSecret {
		// A user without a password would log in with an empty one: a
		// refusal every run at best, an account locked out at worst.
		return nil, &InputError{fmt.Errorf("%w: the monitor logs in as %q; give that user's password (or token), "+
			"or clear the user to watch the server without logging in", ErrNoPassword, m.Settings.User)}
	}
	// An email alert whose password was not typed again keeps the one
	// stored for the same server and user, wherever that alert stood in
	// the list before (removing another alert shifts the indexes).
	given := make(map[int]string, len(sec.Alerts))
	for i, pw := range sec.Alerts {
		given[i] = pw
	}
	for i, a := range m.Alerts {
		if _, ok := given[i]; ok || old == nil || a.Type != watch.AlertEmail {
			continue
		}
		if j := sameEmailServer(old.Alerts, a); j >= 0 {
			pw, err := s.open(ctx, old.ID, watch.SlotAlert(j))
			if err != nil {
				return nil, fmt.Errorf("alerts[%d]: open the stored password: %w", i, err)
			}
			given[i] = pw
		}
	}
	sec.Alerts = given
	for i := range m.Alerts {
		a := &m.Alerts[i]
		pw, given := sec.Alerts[i]
		switch {
		case a.Type != watch.AlertEmail:
			a.HasSecret = false
		case given && pw != "":
			secrets = append(secrets, plain{watch.SlotAlert(i), pw})
			a.HasSecret = true
		default:
			a.HasSecret = false
		}
	}
	if len(secrets) > 0 && s.cfg.Key == nil {
		return nil, &InputError{ErrNoKey}
	}
	// Webhook addresses are tokens: sealed like passwords when there is a
	// key, and stored as typed (the page says so) when there is none.
	for i := range m.Alerts {
		a := &m.Alerts[i]
		a.URLSealed = a.Sealable() && s.cfg.Key != nil
		if a.URLSealed {
			secrets = append(secrets, plain{watch.SlotAlertURL(i), a.URL})
		}
	}
	// An email alert is checked now, with the password just given or the
	// one kept, so that a broken alert path shows while someone is looking.
	for i, a := range m.Alerts {
		if a.Type != watch.AlertEmail {
			continue
		}
		ch := alert.Channel{Alert: a}
		if pw, ok := sec.Alerts[i]; ok {
			ch.Secret = probe.Secret{Password: pw}
		}
		if _, err := alert.CheckEmail(ctx, ch, s.cfg.ProbeOptions); err != nil {
			return nil, &InputError{fmt.Errorf("alerts[%d]: %w", i, err)}
		}
	}
	var sealed []watch.SealedSecret
	for _, p := range secrets {
		box, err := s.cfg.Key.Seal([]byte(p.text), watch.SecretAD(m.ID, p.slot))
		if err != nil {
			return nil, fmt.Errorf("seal the %s secret: %w", p.slot, err)
		}
		sealed = append(sealed, watch.SealedSecret{MonitorID: m.ID, Slot: p.slot, KeyID: s.cfg.Key.ID(), Box: box})
	}
	return sealed, nil
}

// stored is m as the database keeps it: the address of each alert whose
// address is sealed is only its scheme and host. The monitor in memory
// keeps the real one, to deliver to.
func stored(m watch.Monitor) watch.Monitor {
	m.Alerts = slices.Clone(m.Alerts)
	for i, a := range m.Alerts {
		if a.URLSealed {
			m.Alerts[i].URL = a.Target()
		}
	}
	return m
}

// sameEmailServer is the index of the email alert among old that sends
// through the same server as the same user, with a stored password; -1 if
// none.
func sameEmailServer(old []watch.Alert, a watch.Alert) int {
	if a.SMTP == nil {
		return -1
	}
	for j, o := range old {
		if o.Type == watch.AlertEmail && o.HasSecret && o.SMTP != nil &&
			o.SMTP.Host == a.SMTP.Host && o.SMTP.Port == a.SMTP.Port && o.SMTP.User == a.SMTP.User {
			return j
		}
	}
	return -1
}

// open reads and opens one sealed secret.
func (s *Service) open(ctx context.Context, id, slot string) (string, error) {
	if s.cfg.Key == nil {
		return "", errors.New("no --secret-key-file was given")
	}
	sec, err := s.cfg.Store.MonitorSecret(ctx, id, slot)
	if err != nil {
		return "", err
	}
	pt, err := s.cfg.Key.Open(sec.Box, watch.SecretAD(id, slot))
	if err != nil {
		return "", fmt.Errorf("open the %s password of monitor %s: %w", slot, id, err)
	}
	return string(pt), nil
}

// Delete removes a monitor and stops its schedule.
func (s *Service) Delete(ctx context.Context, id string) error {
	s.mu.Lock()
	_, ok := s.monitors[id]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("delete monitor %s: %w", id, ErrNotFound)
	}
	if err := s.cfg.Store.DeleteMonitor(ctx, id); err != nil {
		return fmt.Errorf("delete monitor %s: %w", id, err)
	}
	s.mu.Lock()
	delete(s.monitors, id)
	s.mu.Unlock()
	s.sched.Remove(id)
	return nil
}

// TestAlert sends a "test" event to every channel of the monitor, with its
// latest run if it has one; the deliveries land in its log like any other.
func (s *Service) TestAlert(ctx context.Context, id string) error {
	m, ok := s.Get(id)
	if !ok {
		return fmt.Errorf("test alert for monitor %s: %w", id, ErrNotFound)
	}
	if len(m.Alerts) == 0 {
		return &InputError{errors.New("this monitor has no alerts to test; add a webhook, chat or email alert first")}
	}
	ev := watch.Event{Kind: watch.EventTest, At: time.Now().UTC()}
	if l := m.Status.Last; l != nil {
		ev.AttemptID, ev.Outcome, ev.Code, ev.Title = l.AttemptID, l.Outcome, l.Code, l.Title
	}
	s.alert(ctx, m, ev)
	return nil
}

// Get returns a monitor as it stands now.
func (s *Service) Get(id string) (watch.Monitor, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.monitors[id]
	if e == nil {
		return watch.Monitor{}, false
	}
	m := e.m
	if due, ok := s.sched.Due(id); ok {
		m.NextRunAt = due
	}
	return m, true
}

// List returns every monitor as it stands now: failing first, then
// warning, pending and ok, by name within each. The sort moves pointers
// and compares keys made once per monitor (at ten thousand monitors,
// sorting the values themselves was most of the monitors page).
func (s *Service) List() []watch.Monitor {
	type key struct {
		rank     int
		name, id string
		e        *entry
	}
	s.mu.Lock()
	keys := make([]key, 0, len(s.monitors))
	for _, e := range s.monitors {
		keys = append(keys, key{stateRank(e.m.Status.State), e.sortName, e.m.ID, e})
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	out := make([]watch.Monitor, len(keys))
	for i, k := range keys {
		out[i] = k.e.m
	}
	s.mu.Unlock()
	for i := range out {
		if due, ok := s.sched.Due(out[i].ID); ok {
			out[i].NextRunAt = due
		}
	}
	return out
}

// Snapshot returns every monitor as it stands now, in no order: for the
// metrics, which need no sort.
func (s *Service) Snapshot() []watch.Monitor {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]watch.Monitor, 0, len(s.monitors))
	for _, e := range s.monitors {
		out = append(out, e.m)
	}
	return out
}

func stateRank(st watch.State) int {
	switch st {
	case watch.StateFailing:
		return 0
	case watch.StateWarning:
		return 1
	case watch.StatePending:
		return 2
	}
	return 3
}

// HasKey reports whether a secret key was given, for forms that say so.
func (s *Service) HasKey() bool { return s.cfg.Key != nil }
