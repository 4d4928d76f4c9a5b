package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// History and the API filter by kind: probes, pasted-text explanations
// and monitors' runs. Attempts stored without a kind count as probes.
func TestKindFilter(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	plain := attempt("a-probe", base, "smtp.example.com", 587, probe.OutcomeFailure, "auth.credentials_rejected")
	explained := attempt("b-explain", base.Add(time.Second), "smtp.example.com", 587, probe.OutcomeFailure, "auth.credentials_rejected")
	explained.Kind = probe.KindExplain
	monitor := attempt("c-monitor", base.Add(2*time.Second), "smtp.example.com", 587, probe.OutcomeSuccess, "ok")
	monitor.Kind = probe.KindMonitor
	mustCreate(t, s, plain, explained, monitor)

	for kind, want := range map[probe.Kind]string{probe.KindProbe: "a-probe", probe.KindExplain: "b-explain", probe.KindMonitor: "c-monitor"} {
		p, err := s.List(ctx, store.Filter{Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Attempts) != 1 || p.Attempts[0].ID != want || p.Attempts[0].Kind != kind {
			t.Errorf("kind %s: got %+v, want only %s", kind, p.Attempts, want)
		}
	}
	all, err := s.List(ctx, store.Filter{})
	if err != nil || len(all.Attempts) != 3 {
		t.Fatalf("unfiltered: %d attempts, err %v", len(all.Attempts), err)
	}
	for _, f := range []store.Filter{{Kind: probe.KindExplain}, {Kind: probe.KindExplain, Since: base.Add(-time.Hour), Until: base.Add(time.Hour)}} {
		c, err := s.Count(ctx, f)
		if err != nil || c.Total != 1 || c.ByOutcome[probe.OutcomeFailure] != 1 {
			t.Errorf("count %+v: %+v, err %v", f, c, err)
		}
	}

	// Saving again keeps the kind (the lifecycle writes progress, then
	// the finished result).
	explained.DurationMS = 42
	if err := s.Save(ctx, explained); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, explained); err != nil {
		t.Fatal(err)
	}
	p, err := s.List(ctx, store.Filter{Kind: probe.KindExplain, Code: "auth.credentials_rejected"})
	if err != nil || len(p.Attempts) != 1 {
		t.Errorf("after saving again: %+v, err %v", p.Attempts, err)
	}
}

// An explanation that reads "ok" is not a time the server worked.
func TestLastSuccessIgnoresExplanations(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	explained := attempt("e1", base, "smtp.example.com", 587, probe.OutcomeSuccess, "ok")
	explained.Kind = probe.KindExplain
	mustCreate(t, s, explained)
	if _, err := s.LastSuccessBefore(ctx, "smtp.example.com", 587, base.Add(time.Hour)); err == nil {
		t.Error("an explanation counted as the last success")
	}
	probed := attempt("p1", base.Add(time.Second), "smtp.example.com", 587, probe.OutcomeSuccess, "ok")
	mustCreate(t, s, probed)
	if r, err := s.LastSuccessBefore(ctx, "smtp.example.com", 587, base.Add(time.Hour)); err != nil || r.ID != "p1" {
		t.Errorf("last success %q, %v", r.ID, err)
	}
}

// A server log explained names no server: it is no row of the servers
// view.
func TestServersSkipAttemptsWithoutHost(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	explained := attempt("e1", base, "", 25, probe.OutcomeWarning, "log.brute_force")
	explained.Kind = probe.KindExplain
	mustCreate(t, s, explained, attempt("p1", base.Add(time.Second), "smtp.example.com", 587, probe.OutcomeSuccess, "ok"))
	rows, err := s.Servers(ctx, base.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Host != "smtp.example.com" {
		t.Errorf("servers %+v", rows)
	}
}
