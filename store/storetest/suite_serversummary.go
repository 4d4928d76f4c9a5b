package storetest

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// The servers view reads a per-server summary (the newest attempts of each
// server and when it last worked), kept on write on SQLite and brought up
// to date when read on PostgreSQL. These tests change
// attempts every way the store can, and check the view still says what the
// attempts say.

func testServersSummaryFollowsWrites(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	since := base.Add(-time.Hour)
	host := "smtp.example.com"
	server := func() store.ServerSummary {
		t.Helper()
		rows, err := s.Servers(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Host == host && r.Port == 587 {
				return r
			}
		}
		t.Fatalf("%s:587 is not among the servers: %+v", host, rows)
		return store.ServerSummary{}
	}
	ids := func(sv store.ServerSummary) string {
		var out []string
		for _, p := range sv.Timeline {
			out = append(out, p.ID)
		}
		return strings.Join(out, " ")
	}
	want := func(from, to int) string {
		var out []string
		for i := from; i <= to; i++ {
			out = append(out, fmt.Sprintf("a%02d", i))
		}
		return strings.Join(out, " ")
	}

	// 25 attempts, the first a success: the timeline is the newest 20.
	mustCreate(t, s, attempt("a00", base, host, 587, probe.OutcomeSuccess, "ok"))
	for i := 1; i < 25; i++ {
		mustCreate(t, s, attempt(fmt.Sprintf("a%02d", i), base.Add(time.Duration(i)*time.Minute), host, 587, probe.OutcomeFailure, "auth.credentials_rejected"))
	}
	// One stored late, older than all the others, is not on the timeline.
	mustCreate(t, s, attempt("late", base.Add(-time.Minute), host, 587, probe.OutcomeFailure, "net.timeout"))
	sv := server()
	if ids(sv) != want(5, 24) || sv.Attempts != 26 || !sv.LastSuccess.Equal(base) {
		t.Errorf("after 26 attempts: %d attempts, last success %v, timeline %s; want 26, %v, %s",
			sv.Attempts, sv.LastSuccess, ids(sv), base, want(5, 24))
	}

	// An explanation naming the server is never on it; a monitor's run is.
	explained := attempt("explained", base.Add(30*time.Minute), host, 587, probe.OutcomeSuccess, "ok")
	explained.Kind = probe.KindExplain
	mustCreate(t, s, explained)
	if sv := server(); sv.LastID != "a24" || ids(sv) != want(5, 24) || !sv.LastSuccess.Equal(base) {
		t.Errorf("an explanation reached the server's row: last %s, last success %v, timeline %s", sv.LastID, sv.LastSuccess, ids(sv))
	}
	run := attempt("a25", base.Add(31*time.Minute), host, 587, "", "")
	run.Kind, run.Status, run.Diagnosis = probe.KindMonitor, probe.StatusRunning, nil
	mustCreate(t, s, run)
	sv = server()
	if sv.LastID != "a25" || sv.LastStatus != probe.StatusRunning || ids(sv) != want(6, 25) {
		t.Errorf("a monitor's running attempt: last %s (%s), timeline %s; want a25 running, %s", sv.LastID, sv.LastStatus, ids(sv), want(6, 25))
	}

	// Progress, then the end: the timeline shows the final state, and a
	// success is the new last success.
	run.DurationMS = 100
	if err := s.Update(ctx, run); err != nil {
		t.Fatal(err)
	}
	done := attempt("a25", run.StartedAt, host, 587, probe.OutcomeWarning, "tls.cert_untrusted")
	done.Kind = probe.KindMonitor
	if err := s.Update(ctx, done); err != nil {
		t.Fatal(err)
	}
	sv = server()
	last := sv.Timeline[len(sv.Timeline)-1]
	if sv.LastStatus != probe.StatusDone || sv.LastOutcome != probe.OutcomeWarning || sv.LastCode != "tls.cert_untrusted" ||
		sv.LastTitle != "title of tls.cert_untrusted" || last.ID != "a25" || last.Status != probe.StatusDone ||
		last.Code != "tls.cert_untrusted" || !sv.LastSuccess.Equal(run.StartedAt) {
		t.Errorf("after the run finished: %+v", sv)
	}

	// Deleting attempts on the timeline brings the next older ones in;
	// deleting the last success finds the one before it.
	for _, id := range []string{"a25", "a24"} {
		if err := s.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	sv = server()
	if ids(sv) != want(4, 23) || sv.LastID != "a23" || !sv.LastSuccess.Equal(base) {
		t.Errorf("after deleting the two newest: last %s, last success %v, timeline %s; want a23, %v, %s",
			sv.LastID, sv.LastSuccess, ids(sv), base, want(4, 23))
	}
	// Retention removes the oldest, among them the only success: the
	// server never worked as far as the store knows, and its timeline
	// stays the newest 20.
	if _, err := s.Prune(ctx, base.Add(90*time.Second)); err != nil {
		t.Fatal(err)
	}
	sv = server()
	if ids(sv) != want(4, 23) || !sv.LastSuccess.IsZero() || sv.Attempts != 22 {
		t.Errorf("after pruning a00, a01 and late: %d attempts, last success %v, timeline %s; want 22, zero, %s",
			sv.Attempts, sv.LastSuccess, ids(sv), want(4, 23))
	}
	// Retention reaching into the timeline leaves the rest.
	if _, err := s.Prune(ctx, base.Add(20*time.Minute+time.Second)); err != nil {
		t.Fatal(err)
	}
	if sv := server(); ids(sv) != want(21, 23) || sv.Attempts != 3 {
		t.Errorf("after pruning all but three: %d attempts, timeline %s; want 3, %s", sv.Attempts, ids(sv), want(21, 23))
	}

	// An attempt moved to another server (an update that rewrites its
	// host) leaves the first server's timeline and joins the other's.
	moved := attempt("a23", base.Add(23*time.Minute), "other.example.com", 587, probe.OutcomeSuccess, "ok")
	if err := s.Update(ctx, moved); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Servers(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Host != "other.example.com" || rows[0].LastID != "a23" || !rows[0].LastSuccess.Equal(moved.StartedAt) ||
		rows[1].Host != host || ids(rows[1]) != want(21, 22) || rows[1].Attempts != 2 {
		t.Errorf("after moving a23 to other.example.com: %+v", rows)
	}
}

// testServersAgreeWithBruteForce makes random creates, progress writes,
// finishes, moves, deletes and prunes, and after each batch compares the
// servers view with the same answer worked out from every attempt.
func testServersAgreeWithBruteForce(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 7))
	hosts := []string{"a.example", "b.example", "c.example", ""}
	kinds := []probe.Kind{probe.KindProbe, probe.KindProbe, probe.KindMonitor, probe.KindExplain}
	outcomes := []probe.Outcome{probe.OutcomeSuccess, probe.OutcomeWarning, probe.OutcomeFailure, probe.OutcomeFailure}
	stored := map[string]probe.Result{}
	var ids []string
	random := func(id string, at time.Time) probe.Result {
		o := outcomes[rng.IntN(len(outcomes))]
		r := attempt(id, at, hosts[rng.IntN(len(hosts))], 25+rng.IntN(2), o, "code, "+string(o))
		r.Kind = kinds[rng.IntN(len(kinds))]
		if rng.IntN(3) == 0 {
			r.Status, r.Outcome, r.Diagnosis, r.Failure = probe.StatusRunning, "", nil, nil
		}
		return r
	}
	// Attempts over four days, so that windows cross day boundaries.
	randomTime := func() time.Time { return base.Add(time.Duration(rng.IntN(4*24*60)) * time.Minute) }

	for round := range 6 {
		for i := range 60 {
			// Ids and codes with the summary's separators in them.
			id := fmt.Sprintf("r%d, %02d", round, i)
			r := random(id, randomTime())
			mustCreate(t, s, r)
			stored[id] = r
			ids = append(ids, id)
		}
		for range 30 {
			id := ids[rng.IntN(len(ids))]
			r, ok := stored[id]
			if !ok {
				continue
			}
			switch rng.IntN(4) {
			case 0: // a progress write: nothing the view shows changes
				r.DurationMS++
			case 1, 2: // finished, with any outcome
				o := outcomes[rng.IntN(len(outcomes))]
				f := attempt(id, r.StartedAt, r.Settings.Host, r.Settings.Port, o, "code.later."+string(o))
				f.Kind = r.Kind
				r = f
			case 3: // moved: another server, time or kind
				r = random(id, randomTime())
			}
			if err := s.Update(ctx, r); err != nil {
				t.Fatal(err)
			}
			stored[id] = r
		}
		for range 10 {
			id := ids[rng.IntN(len(ids))]
			if _, ok := stored[id]; ok {
				if err := s.Delete(ctx, id); err != nil {
					t.Fatal(err)
				}
				delete(stored, id)
			}
		}
		if round == 3 {
			cut := base.Add(18 * time.Hour)
			if _, err := s.Prune(ctx, cut); err != nil {
				t.Fatal(err)
			}
			for id, r := range stored {
				if r.StartedAt.Before(cut) {
					delete(stored, id)
				}
			}
		}
		for _, since := range []time.Time{base.Add(-time.Hour), base.Add(30 * time.Hour), base.Add(70 * time.Hour)} {
			got, err := s.Servers(ctx, since)
			if err != nil {
				t.Fatal(err)
			}
			if want := bruteForceServers(stored, since); !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d, since %v:\n got %+v\nwant %+v", round, since, got, want)
			}
		}
	}
}

// bruteForceServers is the servers view worked out from every attempt.
func bruteForceServers(stored map[string]probe.Result, since time.Time) []store.ServerSummary {
	type key struct {
		host string
		port int
	}
	tested := map[key][]probe.Result{}
	worked := map[key]probe.Result{}
	newer := func(a, b probe.Result) int {
		return cmp.Or(a.StartedAt.Compare(b.StartedAt), strings.Compare(a.ID, b.ID))
	}
	for _, r := range stored {
		k := key{r.Settings.Host, r.Settings.Port}
		if k.host == "" || r.Kind == probe.KindExplain {
			continue
		}
		if r.Outcome == probe.OutcomeSuccess || r.Outcome == probe.OutcomeWarning {
			if w, ok := worked[k]; !ok || newer(r, w) > 0 {
				worked[k] = r
			}
		}
		if !r.StartedAt.Before(since) {
			tested[k] = append(tested[k], r)
		}
	}
	var out []store.ServerSummary
	for k, rs := range tested {
		slices.SortFunc(rs, newer)
		last := rs[len(rs)-1]
		sv := store.ServerSummary{Host: k.host, Port: k.port, Attempts: int64(len(rs)), LastID: last.ID,
			LastAt: last.StartedAt.UTC(), LastStatus: last.Status, LastOutcome: last.Outcome}
		if last.Diagnosis != nil {
			sv.LastCode, sv.LastTitle = string(last.Diagnosis.Code), last.Diagnosis.Title
		}
		if w, ok := worked[k]; ok {
			sv.LastSuccess = w.StartedAt.UTC()
		}
		for _, r := range rs[max(0, len(rs)-store.TimelineLength):] {
			p := store.TimelinePoint{ID: r.ID, At: r.StartedAt.UTC(), Status: r.Status, Outcome: r.Outcome}
			if r.Diagnosis != nil {
				p.Code = string(r.Diagnosis.Code)
			}
			sv.Timeline = append(sv.Timeline, p)
		}
		out = append(out, sv)
	}
	slices.SortFunc(out, func(a, b store.ServerSummary) int {
		return cmp.Or(b.LastAt.Compare(a.LastAt), strings.Compare(a.Host, b.Host), cmp.Compare(a.Port, b.Port))
	})
	return out
}
