package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

func testServers(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	// gmail:587 worked long ago (before "since"), then failed 25 times;
	// o365:587 worked with a warning, then failed once, then is running;
	// old.example only before "since".
	mustCreate(t, s, attempt("g-old-ok", base.Add(-48*time.Hour), "smtp.gmail.com", 587, probe.OutcomeSuccess, "ok"))
	for i := range 25 {
		mustCreate(t, s, attempt(fmt.Sprintf("g-%02d", i), base.Add(time.Duration(i)*time.Minute), "smtp.gmail.com", 587, probe.OutcomeFailure, "auth.credentials_rejected"))
	}
	running := attempt("o-run", base.Add(3*time.Hour), "smtp.office365.com", 587, "", "")
	running.Status, running.Diagnosis = probe.StatusRunning, nil
	mustCreate(t, s,
		attempt("o-warn", base.Add(time.Hour), "smtp.office365.com", 587, probe.OutcomeWarning, "tls.cert_untrusted"),
		attempt("o-fail", base.Add(2*time.Hour), "smtp.office365.com", 587, probe.OutcomeFailure, "auth.blocked_by_policy"),
		running,
		attempt("old", base.Add(-72*time.Hour), "old.example", 25, probe.OutcomeSuccess, "ok"),
	)

	got, err := s.Servers(ctx, base.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d servers, want 2: %+v", len(got), got)
	}
	o, g := got[0], got[1] // most recently tried first
	if o.Host != "smtp.office365.com" || o.Port != 587 || o.Attempts != 3 ||
		o.LastID != "o-run" || o.LastStatus != probe.StatusRunning || o.LastOutcome != "" ||
		!o.LastAt.Equal(base.Add(3*time.Hour)) || !o.LastSuccess.Equal(base.Add(time.Hour)) {
		t.Errorf("office365 row: %+v", o)
	}
	if len(o.Timeline) != 3 || o.Timeline[0].ID != "o-warn" || o.Timeline[1].Code != "auth.blocked_by_policy" || o.Timeline[2].Status != probe.StatusRunning {
		t.Errorf("office365 timeline (oldest first): %+v", o.Timeline)
	}
	if g.Host != "smtp.gmail.com" || g.Attempts != 25 || g.LastID != "g-24" ||
		g.LastOutcome != probe.OutcomeFailure || g.LastCode != "auth.credentials_rejected" ||
		g.LastTitle != "title of auth.credentials_rejected" || !g.LastSuccess.Equal(base.Add(-48*time.Hour)) {
		t.Errorf("gmail row: %+v", g)
	}
	if len(g.Timeline) != store.TimelineLength || g.Timeline[0].ID != "g-05" || g.Timeline[store.TimelineLength-1].ID != "g-24" {
		t.Errorf("gmail timeline: %d points from %s to %s, want %d from g-05 to g-24", len(g.Timeline),
			g.Timeline[0].ID, g.Timeline[len(g.Timeline)-1].ID, store.TimelineLength)
	}

	// A server that never worked has a zero LastSuccess.
	mustCreate(t, s, attempt("n", base.Add(4*time.Hour), "never.example", 25, probe.OutcomeFailure, "net.timeout"))
	got, err = s.Servers(ctx, base.Add(4*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Host != "never.example" || !got[0].LastSuccess.IsZero() {
		t.Errorf("never worked: %+v", got)
	}
}

func testBreakdown(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	monday := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	add := func(id string, at time.Time, code string) {
		mustCreate(t, s, attempt(id, at, "h", 587, probe.OutcomeFailure, code))
	}
	add("sun", monday.Add(-time.Hour), "auth.credentials_rejected") // before since
	add("m1", monday.Add(time.Hour), "auth.blocked_by_policy")
	add("m2", monday.Add(9*time.Hour), "auth.blocked_by_policy")
	add("m3", monday.Add(23*time.Hour+59*time.Minute), "auth.blocked_by_policy")
	add("m4", monday.Add(12*time.Hour), "net.timeout")
	add("t1", monday.Add(day), "net.timeout")
	running := attempt("run", monday.Add(day+time.Hour), "h", 587, "", "")
	running.Status, running.Diagnosis = probe.StatusRunning, nil
	mustCreate(t, s, running)

	got, err := s.Breakdown(ctx, monday, day)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.BreakdownRow{
		{Bucket: monday, Code: "auth.blocked_by_policy", Count: 3},
		{Bucket: monday, Code: "net.timeout", Count: 1},
		{Bucket: monday.Add(day), Code: "net.timeout", Count: 1},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if _, err := s.Breakdown(ctx, monday, 0); err == nil {
		t.Error("a zero bucket was accepted")
	}
}

func testLastSuccessBefore(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	mustCreate(t, s,
		attempt("ok1", base, "smtp.gmail.com", 587, probe.OutcomeSuccess, "ok"),
		attempt("warn", base.Add(time.Hour), "smtp.gmail.com", 587, probe.OutcomeWarning, "tls.cert_untrusted"),
		attempt("other-port", base.Add(2*time.Hour), "smtp.gmail.com", 465, probe.OutcomeSuccess, "ok"),
		attempt("other-host", base.Add(2*time.Hour), "smtp.office365.com", 587, probe.OutcomeSuccess, "ok"),
		attempt("fail", base.Add(3*time.Hour), "smtp.gmail.com", 587, probe.OutcomeFailure, "auth.credentials_rejected"),
	)
	tests := []struct {
		before time.Time
		want   string
	}{
		{base.Add(4 * time.Hour), "warn"}, // a warning still worked
		{base.Add(time.Hour), "ok1"},      // strictly before
		{base, ""},
	}
	for _, tt := range tests {
		r, err := s.LastSuccessBefore(ctx, "SMTP.gmail.com", 587, tt.before)
		switch {
		case tt.want == "" && !errors.Is(err, store.ErrNotFound):
			t.Errorf("before %v: %v, %v; want ErrNotFound", tt.before, r.ID, err)
		case tt.want != "" && (err != nil || r.ID != tt.want):
			t.Errorf("before %v: %q, %v; want %q", tt.before, r.ID, err, tt.want)
		}
	}
}
