package web

import (
	"strconv"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// waiting is the step a live test is waiting in, and for how long.
type waiting struct {
	What    string // "waiting for the greeting"
	Elapsed time.Duration
}

// waitingFor finds the running step of a live test. The step's start is
// measured from the probe's start on the probe's clock; the page counts on
// from the elapsed time it was rendered with, so the browser's clock does
// not matter.
func waitingFor(r probe.Result, limit time.Duration, now time.Time) (waiting, bool) {
	if !isLive(r) || limit <= 0 || r.StartedAt.IsZero() {
		return waiting{}, false
	}
	for i := len(r.Steps) - 1; i >= 0; i-- {
		st := r.Steps[i]
		if st.Status != probe.StepRunning {
			continue
		}
		began := r.StartedAt.Add(time.Duration(st.StartedMS) * time.Millisecond)
		return waiting{What: waitingWords(st.Name), Elapsed: max(now.Sub(began), 0)}, true
	}
	return waiting{}, false
}

var waitingPhrases = map[string]string{
	probe.StepResolve: "looking up the name", probe.StepConnect: "connecting",
	probe.StepTLS: "waiting for the TLS handshake", probe.StepGreeting: "waiting for the greeting",
	probe.StepEHLO: "waiting for the reply to EHLO", probe.StepStartTLS: "waiting for the reply to STARTTLS",
	probe.StepEHLOTLS: "waiting for the reply to EHLO after TLS", probe.StepAuth: "waiting for the reply to AUTH",
	probe.StepMail: "waiting for the reply to MAIL FROM", probe.StepRcpt: "waiting for the reply to RCPT TO",
	probe.StepData: "waiting for the reply to DATA", probe.StepQuit: "waiting for the reply to QUIT",
}

func waitingWords(step string) string {
	if w, ok := waitingPhrases[step]; ok {
		return w
	}
	return "waiting (" + step + ")"
}

// secs is a wait in whole seconds: "4 s".
func secs(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) + " s" }
