package storetest

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// TestCountsAgreeWithBruteForce checks the per-day counts (kept by
// triggers, read with partial-day edges) against counting the attempts by
// hand, over random windows, after inserts, updates that move attempts
// between days, outcomes, codes, servers and kinds, deletes and a prune.
// The history counts every kind; the breakdown and the servers view count
// only attempts that tested a server (probes and monitors' runs), not
// pasted text explained.
func testCountsAgreeWithBruteForce(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(9, 9))
	start := time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)
	span := 10 * 24 * time.Hour
	outcomes := []probe.Outcome{"", probe.OutcomeSuccess, probe.OutcomeWarning, probe.OutcomeFailure}
	codes := []string{"", "ok", "net.timeout", "auth.blocked_by_policy"}
	hosts := []string{"a.example", "b.example", "c.example"}
	kinds := []probe.Kind{probe.KindProbe, probe.KindProbe, probe.KindMonitor, probe.KindExplain}
	tested := func(r probe.Result) bool { return r.Kind != probe.KindExplain }
	random := func(id string) probe.Result {
		at := start.Add(time.Duration(rng.Int64N(int64(span))))
		r := attempt(id, at.Truncate(time.Millisecond), hosts[rng.IntN(len(hosts))], []int{25, 587}[rng.IntN(2)],
			outcomes[rng.IntN(len(outcomes))], codes[rng.IntN(len(codes))])
		r.Kind = kinds[rng.IntN(len(kinds))]
		if r.Outcome == "" {
			r.Status = probe.StatusRunning
		}
		return r
	}

	live := map[string]probe.Result{}
	var batch []probe.Result
	for i := range 600 {
		r := random(fmt.Sprint("r", i))
		live[r.ID] = r
		batch = append(batch, r)
	}
	if err := s.CreateBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for i := range 150 { // move attempts around
		id := fmt.Sprint("r", rng.IntN(600))
		if _, ok := live[id]; !ok {
			continue
		}
		r := random(id)
		if i%3 == 0 {
			r.StartedAt = live[id].StartedAt // same day, other outcome/code
		}
		if err := s.Update(ctx, r); err != nil {
			t.Fatal(err)
		}
		live[id] = r
	}
	for range 50 {
		id := fmt.Sprint("r", rng.IntN(600))
		if _, ok := live[id]; ok {
			if err := s.Delete(ctx, id); err != nil {
				t.Fatal(err)
			}
			delete(live, id)
		}
	}
	cut := start.Add(36*time.Hour + 17*time.Minute)
	n, err := s.Prune(ctx, cut)
	if err != nil {
		t.Fatal(err)
	}
	for id, r := range live {
		if r.StartedAt.Before(cut) {
			delete(live, id)
			n--
		}
	}
	if n != 0 {
		t.Fatalf("Prune count off by %d", n)
	}

	randomTime := func() time.Time {
		switch rng.IntN(4) {
		case 0:
			return time.Time{}
		case 1: // a midnight
			return start.Add(time.Duration(rng.IntN(12)) * 24 * time.Hour)
		}
		return start.Add(time.Duration(rng.Int64N(int64(span+48*time.Hour))) - 24*time.Hour).Truncate(time.Millisecond)
	}
	in := func(r probe.Result, since, until time.Time) bool {
		return (since.IsZero() || !r.StartedAt.Before(since)) && (until.IsZero() || r.StartedAt.Before(until))
	}

	for i := range 300 {
		f := store.Filter{Since: randomTime(), Until: randomTime()}
		switch i % 6 {
		case 4:
			f.Host, f.Port = hosts[rng.IntN(len(hosts))], []int{25, 587}[rng.IntN(2)]
			f.Outcome = outcomes[rng.IntN(4)]
		case 5:
			f.Port = 25
		case 1:
			f.Outcome = outcomes[1+rng.IntN(3)]
		case 2:
			f.Code = codes[1+rng.IntN(3)]
		case 3:
			f.Host = hosts[rng.IntN(len(hosts))]
		}
		if rng.IntN(3) == 0 {
			f.Kind = kinds[1+rng.IntN(3)]
		}
		want := store.Counts{ByOutcome: map[probe.Outcome]int64{}, ByCode: map[string]int64{}}
		for _, r := range live {
			if !in(r, f.Since, f.Until) || (f.Outcome != "" && r.Outcome != f.Outcome) ||
				(f.Code != "" && string(r.Diagnosis.Code) != f.Code) || (f.Host != "" && r.Settings.Host != f.Host) ||
				(f.Port != 0 && r.Settings.Port != f.Port) || (f.Kind != "" && r.Kind != f.Kind) {
				continue
			}
			want.Total++
			if r.Outcome != "" {
				want.ByOutcome[r.Outcome]++
			}
			if r.Diagnosis.Code != "" {
				want.ByCode[string(r.Diagnosis.Code)]++
			}
		}
		got, err := s.Count(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Count(%+v):\ngot  %v\nwant %v", f, got, want)
		}
	}

	for range 100 {
		since := randomTime()
		bucket := []time.Duration{time.Hour, 24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour, 90 * time.Minute}[rng.IntN(5)]
		byKey := map[store.BreakdownRow]int64{}
		for _, r := range live {
			if in(r, since, time.Time{}) && r.Diagnosis.Code != "" && tested(r) {
				ms := r.StartedAt.UnixMilli()
				b := ms / bucket.Milliseconds() * bucket.Milliseconds()
				byKey[store.BreakdownRow{Bucket: time.UnixMilli(b).UTC(), Code: string(r.Diagnosis.Code)}]++
			}
		}
		var want []store.BreakdownRow
		for k, n := range byKey {
			k.Count = n
			want = append(want, k)
		}
		slices.SortFunc(want, func(a, b store.BreakdownRow) int {
			return cmp.Or(a.Bucket.Compare(b.Bucket), cmp.Compare(b.Count, a.Count), cmp.Compare(a.Code, b.Code))
		})
		got, err := s.Breakdown(ctx, since, bucket)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Breakdown(%v, %v):\ngot  %v\nwant %v", since, bucket, got, want)
		}
	}

	for range 50 {
		since := randomTime()
		want := map[string]int64{}
		for _, r := range live {
			if in(r, since, time.Time{}) && tested(r) {
				want[fmt.Sprintf("%s:%d", r.Settings.Host, r.Settings.Port)]++
			}
		}
		svs, err := s.Servers(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, sv := range svs {
			got[fmt.Sprintf("%s:%d", sv.Host, sv.Port)] = sv.Attempts
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Servers(%v) attempts:\ngot  %v\nwant %v", since, got, want)
		}
	}
}
