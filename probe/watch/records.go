package watch

import (
	"fmt"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// What the store keeps for monitors besides the Monitor itself, in the
// terms of this package, so that the store and the service share them
// without either knowing the other.

// SealedSecret is one sealed password or token of a monitor
// (probe/secretbox); the plaintext never leaves the process that opens it.
type SealedSecret struct {
	MonitorID string
	// Slot is what it is for: SlotLogin, SlotAlert(i) for the SMTP
	// server of the monitor's alert i, or SlotAlertURL(i) for the address
	// of its webhook alert i.
	Slot  string
	KeyID string
	Box   []byte
}

// SlotLogin is the slot of the monitor's own login.
const SlotLogin = "login"

// SlotAlert is the slot of the password of the monitor's alert i.
func SlotAlert(i int) string { return fmt.Sprintf("alert:%d", i) }

// SlotAlertURL is the slot of the address of the monitor's webhook, chat
// or ntfy alert i: a Slack, Discord or Teams webhook URL (and an ntfy
// topic) lets whoever holds it post, so it is a token and kept like one.
func SlotAlertURL(i int) string { return fmt.Sprintf("alert:%d:url", i) }

// SecretAD is the associated data a secret of this monitor and slot is
// sealed with: a box moved to another monitor or slot does not open.
func SecretAD(monitorID, slot string) string { return "smtpdoctor monitor " + monitorID + " " + slot }

// RunRecord is one finished run as the store records it: a compact row,
// and whether the full attempt stays.
type RunRecord struct {
	MonitorID  string
	AttemptID  string
	At         time.Time
	DurationMS int64
	Outcome    probe.Outcome
	Code       probe.Code
	// StepsMS are the steps' durations in conversation order.
	StepsMS []int64
	// Keep says the full attempt stays: the run changed the state or the
	// diagnosis. A run that repeats the previous one keeps its attempt only
	// while it is the latest.
	Keep bool
}

// RunRecordOf reads the compact row of a finished result.
func RunRecordOf(monitorID string, r probe.Result, keep bool) RunRecord {
	run := RunRecord{MonitorID: monitorID, AttemptID: r.ID, At: r.StartedAt, DurationMS: r.DurationMS,
		Outcome: r.Outcome, Keep: keep}
	if r.Diagnosis != nil {
		run.Code = r.Diagnosis.Code
	}
	for _, st := range r.Steps {
		run.StepsMS = append(run.StepsMS, st.DurationMS)
	}
	return run
}

// Delivery is one try at delivering an alert: what the delivery log keeps
// and the monitor page shows.
type Delivery struct {
	MonitorID string
	Event     EventKind
	Channel   AlertType
	// Target is where it went, without webhook paths (Alert.Target).
	Target string
	At     time.Time
	Try    int
	OK     bool
	// Detail is what the receiver answered ("HTTP 204", "250 2.0.0
	// queued") or why it failed.
	Detail string
	// Final says no more tries follow: delivered, refused for good, or out
	// of tries.
	Final bool
}

// Uptime is the share of runs that worked (success or warning) over the
// last 24 hours, 7 days and 30 days; -1 when there were no runs.
type Uptime struct {
	Day, Week, Month float64
}
