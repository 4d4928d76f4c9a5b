package alert

import (
	"context"
	"fmt"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
)

// CheckEmail probes the alert SMTP server of an email channel the way
// smtpdoctor probes any server, up to RCPT TO the alert's recipient (no
// message is sent), and says in the diagnosis's words why alerts could not
// go out through it. It is run when the alert is saved, so a broken alert
// path shows up then and not at three in the morning.
func CheckEmail(ctx context.Context, ch Channel, opts probe.Options) (probe.Result, error) {
	if ch.SMTP == nil {
		return probe.Result{}, fmt.Errorf("alert: email alert without an SMTP server")
	}
	set := *ch.SMTP
	set.To, set.Send = ch.To, false
	r := probe.Run(ctx, set, ch.Secret, opts)
	diagnosis.Diagnose(&r)
	if r.Outcome == probe.OutcomeFailure {
		title := "the probe failed"
		if r.Diagnosis != nil {
			title = r.Diagnosis.Title + " (" + string(r.Diagnosis.Code) + ")"
		}
		return r, fmt.Errorf("alerts could not be sent through %s:%d: %s", set.Host, set.Port, title)
	}
	return r, nil
}
