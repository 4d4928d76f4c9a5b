package web

import (
	"context"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/store"
	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// Two replicas' counters (two stores on one PostgreSQL database) count one
// client's starts together, window by window, so --probe-rate holds for
// the dashboard as a whole.
func TestSharedCounterCountsAcrossReplicas(t *testing.T) {
	dsn := storetest.Postgres(t)
	var counters []*sharedCounter
	for range 2 {
		st, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if !st.Shared() {
			t.Fatal("a PostgreSQL store does not say it is shared")
		}
		c := &sharedCounter{st: st}
		c.Config(10, time.Minute)
		counters = append(counters, c)
	}
	w0 := time.Now().UTC().Truncate(time.Minute)
	w1 := w0.Add(time.Minute)
	for i, c := range []*sharedCounter{counters[0], counters[1], counters[0]} {
		if err := c.Increment("203.0.113.7", w0); err != nil {
			t.Fatalf("increment %d: %v", i, err)
		}
	}
	if err := counters[1].IncrementBy("203.0.113.7", w1, 2); err != nil {
		t.Fatal(err)
	}
	if err := counters[1].Increment("198.51.100.1", w1); err != nil {
		t.Fatal(err)
	}
	cur, prev, err := counters[0].Get("203.0.113.7", w1, w0)
	if err != nil || cur != 2 || prev != 3 {
		t.Errorf("Get = %d, %d, %v; want 2 this window and 3 the one before, from both replicas", cur, prev, err)
	}
}
