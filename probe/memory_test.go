package probe_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// The performance budget is at most 64 KiB of heap per in-flight probe that waits
// on a silent server: a dashboard under a tarpit must hold a thousand of
// them without trouble. These measure it: M probes connect to a listener
// that accepts and never speaks, and once all are connected and waiting
// for the greeting, the live heap is compared with what it was before.

// newTarpit starts a tarpit closed when the test ends.
func newTarpit(t testing.TB) *smtptest.Tarpit {
	t.Helper()
	tp, err := smtptest.StartTarpit()
	if err != nil {
		t.Fatalf("start a tarpit: %v", err)
	}
	t.Cleanup(tp.Close)
	return tp
}

// heapPerSilentProbe starts m probes against a fresh tarpit, waits until
// all are connected, and returns the live heap they add, per probe. The
// probes are cancelled before it returns.
func heapPerSilentProbe(t testing.TB, m int) float64 {
	t.Helper()
	tp := newTarpit(t)
	port := tp.Port()
	set := probe.Settings{
		Host: "127.0.0.1", Port: port, Security: probe.SecurityStartTLS,
		User: "user@example.test", Mech: probe.MechPlain, HELO: "client.example.test",
	}
	// Long deadlines: the probes must still be waiting when the heap is
	// read; the cancel below ends them.
	opt := probe.Options{StepTimeout: 2 * time.Minute, TotalTimeout: 2 * time.Minute}

	before := liveHeap()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	done := make(chan probe.Result, m)
	for range m {
		wg.Go(func() { done <- probe.Run(ctx, set, probe.Secret{Password: "s3cret-pass"}, opt) })
	}
	deadline := time.Now().Add(30 * time.Second)
	for tp.Accepted() < int64(m) {
		if time.Now().After(deadline) {
			cancel()
			wg.Wait()
			t.Fatalf("only %d of %d probes connected within 30s", tp.Accepted(), m)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Let every probe reach its read of the greeting.
	time.Sleep(100 * time.Millisecond)
	after := liveHeap()
	select {
	case r := <-done:
		t.Fatalf("a probe ended while the server was silent: %+v", r.Failure)
	default:
	}
	cancel()
	wg.Wait()
	close(done)
	for r := range done {
		if r.Failure == nil {
			t.Errorf("a probe against a silent server ended without a failure")
			break
		}
	}
	return float64(int64(after)-int64(before)) / float64(m)
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// TestSilentServerHeapBound holds a generous bound (4 × the 64 KiB target)
// so that it fails on a real leak, not on noise, and logs the figure.
// A memory bound, not a timed assertion.
func TestSilentServerHeapBound(t *testing.T) {
	const m = 200
	per := heapPerSilentProbe(t, m)
	t.Logf("heap per in-flight probe waiting on a silent server: %.0f B (%.1f KiB), %d probes; target 64 KiB",
		per, per/1024, m)
	if per > 256*1024 {
		t.Errorf("%.0f KiB of heap per waiting probe, bound 256 KiB (target 64 KiB)", per/1024)
	}
}

// BenchmarkSilentServerHeap reports the heap per waiting probe as
// heap-B/probe (go test -bench SilentServerHeap -run '^$' ./probe).
func BenchmarkSilentServerHeap(b *testing.B) {
	const m = 200
	var sum float64
	n := 0
	for b.Loop() {
		sum += heapPerSilentProbe(b, m)
		n++
	}
	b.ReportMetric(sum/float64(n), "heap-B/probe")
}
