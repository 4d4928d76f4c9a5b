package web

import (
	"context"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
)

// runProbe and diagnose are the probe engine and the rules engine.
// TEMPORARY: runProbe is a stand-in until probe.Run lands.
var runProbe = func(ctx context.Context, s probe.Settings, sec probe.Secret, o probe.Options) probe.Result {
	return probe.Result{Status: probe.StatusDone, Outcome: probe.OutcomeFailure, Settings: s,
		Failure: &probe.Failure{Step: probe.StepResolve, Err: "probe engine not built yet"}}
}

var diagnose = diagnosis.Diagnose
