package web

import (
	"context"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// runProbe and diagnose are the probe engine and the rules engine.
// TEMPORARY: stand-ins until probe.Run and diagnosis.Diagnose land.
var runProbe = func(ctx context.Context, s probe.Settings, sec probe.Secret, o probe.Options) probe.Result {
	return probe.Result{Status: probe.StatusDone, Outcome: probe.OutcomeFailure, Settings: s,
		Failure: &probe.Failure{Step: probe.StepResolve, Err: "probe engine not built yet"}}
}

var diagnose = func(r *probe.Result) {}
