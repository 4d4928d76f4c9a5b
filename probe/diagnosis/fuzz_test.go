package diagnosis

import (
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// FuzzDiagnose feeds arbitrary server replies through the rules: server
// text is untrusted, and whatever it says there must be one diagnosis with
// a summary and at least one step, and no panic.
func FuzzDiagnose(f *testing.F) {
	for _, sc := range append(sampleScenarios(), unseenScenarios()...) {
		if fl := sc.r.Failure; fl != nil && fl.Reply != 0 {
			f.Add(fl.Step, fl.Reply, strings.Join(fl.Lines, "\n"), sc.r.Settings.Host)
		}
	}
	steps := []string{probe.StepGreeting, probe.StepEHLO, probe.StepStartTLS, probe.StepAuth, probe.StepMail, probe.StepRcpt, probe.StepData}
	f.Fuzz(func(t *testing.T, step string, reply int, text, host string) {
		if !strings.HasPrefix(step, "x") {
			step = steps[len(step)%len(steps)]
		}
		r := result(host, step, reply, strings.Split(text, "\n")...)
		Diagnose(r)
		d := r.Diagnosis
		if d == nil || d.Code == "" || d.Summary == "" || len(d.Remediation) == 0 || r.Outcome != probe.OutcomeFailure {
			t.Fatalf("incomplete diagnosis %+v outcome %s", d, r.Outcome)
		}
		if strings.ContainsAny(d.Summary, "\x00\x1b\r\n") {
			t.Fatalf("control characters in summary %q", d.Summary)
		}
	})
}
