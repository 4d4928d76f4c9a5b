package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// History and the API filter by kind: probes, pasted-text explanations
// and monitors' runs. Attempts stored without a kind count as probes.
func testKindFilter(t *testing.T, open opener) {
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
func testLastSuccessIgnoresExplanations(t *testing.T, open opener) {
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
func testServersSkipAttemptsWithoutHost(t *testing.T, open opener) {
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

// An explanation of pasted text that names a host:port is not an attempt
// on that server: the servers view and the breakdown of diagnosis codes
// read the same before and after it, whether they read the per-day counts
// or count the partial day at the window's edge. The history still counts
// it.
func testExplanationsAreNotServerAttempts(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	monitor := attempt("m1", base.Add(time.Minute), "smtp.example.com", 587, probe.OutcomeFailure, "auth.credentials_rejected")
	monitor.Kind = probe.KindMonitor
	mustCreate(t, s, attempt("p1", base, "smtp.example.com", 587, probe.OutcomeFailure, "auth.credentials_rejected"), monitor)

	// Two windows: one whose days are read from the per-day counts, one
	// that starts within the attempts' day, counted at its edge.
	sinces := []time.Time{base.Add(-48 * time.Hour), base.Add(-time.Hour)}
	type view struct {
		servers   []store.ServerSummary
		breakdown []store.BreakdownRow
	}
	read := func() []view {
		var out []view
		for _, since := range sinces {
			sv, err := s.Servers(ctx, since)
			if err != nil {
				t.Fatal(err)
			}
			bd, err := s.Breakdown(ctx, since, 24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, view{sv, bd})
		}
		return out
	}
	before := read()
	for i, v := range before {
		if len(v.servers) != 1 || v.servers[0].Attempts != 2 || v.servers[0].LastID != "m1" ||
			len(v.breakdown) != 1 || v.breakdown[0].Count != 2 {
			t.Fatalf("window %d before any explanation: %+v", i, v)
		}
	}

	// An explanation of the same server, later, that reads as working,
	// and one of a server nothing ever probed.
	same := attempt("e1", base.Add(2*time.Minute), "smtp.example.com", 587, probe.OutcomeSuccess, "ok")
	same.Kind = probe.KindExplain
	other := attempt("e2", base.Add(3*time.Minute), "explained-only.example", 25, probe.OutcomeFailure, "auth.credentials_rejected")
	other.Kind = probe.KindExplain
	mustCreate(t, s, same, other)
	// Saved again, as the lifecycle does when it finishes one.
	same.DurationMS = 7
	if err := s.Update(ctx, same); err != nil {
		t.Fatal(err)
	}

	if after := read(); !reflect.DeepEqual(after, before) {
		t.Errorf("explanations changed the servers view or the breakdown:\nbefore %+v\nafter  %+v", before, after)
	}
	all := store.Filter{Host: "smtp.example.com", Since: base.Add(-48 * time.Hour), Until: base.Add(48 * time.Hour)}
	if c, err := s.Count(ctx, all); err != nil || c.Total != 3 {
		t.Errorf("history count of the host: %+v, %v; want 3 (every kind)", c, err)
	}
	all.Kind = probe.KindExplain
	if c, err := s.Count(ctx, all); err != nil || c.Total != 1 || c.ByCode["ok"] != 1 {
		t.Errorf("history count of the host's explanations: %+v, %v; want 1", c, err)
	}
}
