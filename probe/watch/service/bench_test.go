package service

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// BenchmarkMonitors10k runs 10,000 monitors at a 5-minute interval against
// the sandbox (STARTTLS and AUTH PLAIN on every run, stored and diagnosed)
// through the attempt lifecycle, and reports the scheduler's lag (run start minus due time), memory and
// database growth.
//
// Time is compressed by watching a window of the schedule rather than
// scaling the interval: the monitors' first due times are spread over the
// 5-minute interval, as after a restart, so a window of W seconds sees the
// production arrival rate (10,000 / 300 s = 33 runs/s) for W seconds. The
// window is SMTPDOCTOR_BENCH_WINDOW (default 30s); the monitor count is
// SMTPDOCTOR_BENCH_MONITORS (default 10000). Run it alone:
//
//	go test ./probe/watch/service -run '^$' -bench Monitors10k -benchtime 1x
func BenchmarkMonitors10k(b *testing.B) {
	n := envInt("SMTPDOCTOR_BENCH_MONITORS", 10000)
	window := 30 * time.Second
	if v := os.Getenv("SMTPDOCTOR_BENCH_WINDOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		window = d
	}
	ctx := context.Background()
	sb, err := sandbox.Start(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	ap, _ := sb.Addr(sandbox.ServerSubmission)
	path := filepath.Join(b.TempDir(), "bench.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	// Through the lifecycle, as in service. Ten thousand monitors of one
	// host would be held to two at a time by the default per-target bound,
	// which is there for people's probes of real providers; here every
	// monitor watches the same sandbox, so the bound is lifted.
	life, err := attempt.New(ctx, attempt.Config{Store: st, ExtraRoots: sb.RootCAs(), PerTarget: attempt.Unlimited,
		StepTimeout: 10 * time.Second, TotalTimeout: 30 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer life.Shutdown(ctx)
	prober := LifecycleProber(life)
	var mu sync.Mutex
	var lags []time.Duration
	var failures int
	svc, err := New(Config{Store: st, Probe: prober, Key: newKey(b), Workers: 64,
		OnDue: func(lag time.Duration) {
			mu.Lock()
			lags = append(lags, lag)
			mu.Unlock()
		},
		OnRun: func(m watch.Monitor, r probe.Result) {
			if r.Outcome == probe.OutcomeFailure {
				mu.Lock()
				failures++
				mu.Unlock()
			}
		}})
	if err != nil {
		b.Fatal(err)
	}
	pw := sandbox.DemoPassword
	set := probe.Settings{Host: ap.Addr().String(), Port: int(ap.Port()), Security: probe.SecurityStartTLS, User: sandbox.DemoUser, Mech: probe.MechAuto}
	t0 := time.Now()
	for i := range n {
		if _, err := svc.Create(ctx, watch.Monitor{Name: "m" + strconv.Itoa(i), Settings: set, Interval: 5 * time.Minute}, Secrets{Login: &pw}); err != nil {
			b.Fatal(err)
		}
	}
	created := time.Since(t0)
	// As after a restart that missed every due time: Start spreads them
	// over the next interval, which is the steady state's arrival rate.
	var wg sync.WaitGroup
	ids := svc.List()
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < len(ids); i += 8 {
				if err := st.SetNextRun(ctx, ids[i].ID, t0.Add(-time.Hour)); err != nil {
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
	svc2, err := New(svc.cfg)
	if err != nil {
		b.Fatal(err)
	}
	st.Checkpoint(ctx)
	before := fileSize(b, path)
	b.ResetTimer()
	if err := svc2.Start(ctx); err != nil {
		b.Fatal(err)
	}
	time.Sleep(window)
	svc2.Close()
	b.StopTimer()
	st.Checkpoint(ctx)
	grown := fileSize(b, path) - before
	rss, hwm := memStatus(b)

	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lags)
	q := func(p float64) time.Duration {
		if len(lags) == 0 {
			return 0
		}
		return lags[min(len(lags)-1, int(p*float64(len(lags))))]
	}
	b.ReportMetric(float64(q(0.99).Microseconds())/1000, "lag-p99-ms")
	b.ReportMetric(float64(q(0.5).Microseconds())/1000, "lag-p50-ms")
	b.ReportMetric(float64(len(lags))/window.Seconds(), "runs/s")
	b.ReportMetric(float64(rss)/1024, "rss-MiB")
	b.Logf("%d monitors created in %s; %d runs in %s (%d failed): lag p50 %s p99 %s max %s; RSS %d MiB (peak %d MiB); "+
		"the file grew %d KiB in the window (every run there was its monitor's first, whose attempt is kept whole)",
		n, created.Round(time.Millisecond), len(lags), window, failures, q(0.5), q(0.99), q(1), rss/1024, hwm/1024, grown/1024)
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func fileSize(b *testing.B, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}

// memStatus reads VmRSS and VmHWM (KiB) from /proc/self/status.
func memStatus(b *testing.B) (rss, hwm int64) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			switch f[0] {
			case "VmRSS:":
				rss = v
			case "VmHWM:":
				hwm = v
			}
		}
	}
	return rss, hwm
}
