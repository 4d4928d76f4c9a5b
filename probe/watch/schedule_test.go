package watch

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// collect runs the scheduler until n monitors fired and returns their ids
// in firing order.
func collect(t *testing.T, s *Scheduler, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var mu sync.Mutex
	var got []string
	done := make(chan struct{})
	go func() {
		s.Run(ctx, func(id string, due time.Time) {
			if time.Now().Before(due) {
				t.Errorf("%s fired before it was due", id)
			}
			mu.Lock()
			got = append(got, id)
			if len(got) == n {
				close(done)
			}
			mu.Unlock()
		})
	}()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("only %d of %d monitors fired", len(got), n)
	}
	cancel()
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(got)
}

func TestSchedulerFiresInDueOrder(t *testing.T) {
	s := NewScheduler()
	now := time.Now()
	s.Set("c", now.Add(30*time.Millisecond))
	s.Set("a", now.Add(-time.Second)) // overdue: at once
	s.Set("b", now.Add(20*time.Millisecond))
	s.Set("d", now.Add(time.Hour))
	s.Set("d", now.Add(40*time.Millisecond)) // moved earlier
	s.Set("e", now.Add(10*time.Millisecond))
	s.Remove("e")
	if got := collect(t, s, 4); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("fired %v, want a b c d", got)
	}
	if s.Len() != 0 {
		t.Errorf("%d left after firing all", s.Len())
	}
}

func TestSchedulerWakesForAnEarlierMonitor(t *testing.T) {
	s := NewScheduler()
	s.Set("late", time.Now().Add(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fired := make(chan string, 1)
	go s.Run(ctx, func(id string, _ time.Time) { fired <- id })
	time.Sleep(10 * time.Millisecond) // let Run sleep on the hour-long timer
	s.Set("soon", time.Now())
	if id := <-fired; id != "soon" {
		t.Errorf("fired %s first", id)
	}
	if d, ok := s.Due("late"); !ok || d.Before(time.Now()) {
		t.Errorf("the late monitor lost its due time")
	}
}

func TestSchedulerTenThousand(t *testing.T) {
	s := NewScheduler()
	now := time.Now()
	want := make([]string, 10000)
	for i := range want {
		want[i] = fmt.Sprintf("m%05d", i)
	}
	for _, i := range rand.Perm(len(want)) {
		s.Set(want[i], now.Add(time.Duration(i)*time.Microsecond))
	}
	if got := collect(t, s, len(want)); !slices.Equal(got, want) {
		t.Error("10,000 monitors did not fire in due order")
	}
}

func TestNextDueAndResume(t *testing.T) {
	due := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for range 1000 {
		n := NextDue(due, 5*time.Minute, due.Add(time.Second))
		if d := n.Sub(due.Add(5 * time.Minute)); d < -6*time.Second || d > 6*time.Second {
			t.Fatalf("NextDue jitter %s, want within ±2%% of 5m", d)
		}
	}
	// Far behind: made up within the next interval, never in the past.
	now := due.Add(time.Hour)
	for range 1000 {
		n := NextDue(due, 5*time.Minute, now)
		if n.Before(now) || n.After(now.Add(5*time.Minute)) {
			t.Fatalf("NextDue after a backlog = %s", n.Sub(now))
		}
	}
	if r := Resume(now.Add(time.Minute), 5*time.Minute, now); !r.Equal(now.Add(time.Minute)) {
		t.Errorf("Resume moved a due time still ahead")
	}
	// Restarted after a long stop: a day-long interval is still made up
	// within ten minutes.
	var spread []time.Duration
	for range 1000 {
		r := Resume(due, 24*time.Hour, now)
		if r.Before(now) || r.After(now.Add(10*time.Minute)) {
			t.Fatalf("Resume = now+%s", r.Sub(now))
		}
		spread = append(spread, r.Sub(now))
	}
	slices.Sort(spread)
	if spread[0] == spread[len(spread)-1] {
		t.Error("Resume does not spread")
	}
}

func BenchmarkSchedulerSetPop10k(b *testing.B) {
	s := NewScheduler()
	now := time.Now()
	for i := range 10000 {
		s.Set(fmt.Sprintf("m%05d", i), now.Add(time.Duration(rand.IntN(300))*time.Second))
	}
	b.ResetTimer()
	for i := range b.N {
		s.Set(fmt.Sprintf("m%05d", i%10000), now.Add(time.Duration(rand.IntN(300))*time.Second))
	}
}
