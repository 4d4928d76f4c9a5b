package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// tarpitMode: the tarpit load test. A thousand probes at once through the
// API against a server that accepts and never speaks: every one must end
// at its deadline with smtp.no_greeting, the server's memory must stay
// bounded, and /healthz and /history must keep answering quickly
// throughout.
func tarpitMode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, bin := newFlags("tarpit", stderr)
	n := fs.Int("n", 1000, "probes at once")
	timeout := fs.Duration("timeout", 5*time.Second, "the server's --timeout (per step): when the probes give up on the greeting")
	perfFile := fs.String("perf", "", "record the server's CPU profile during the run with Linux perf into this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// Bounded in time whatever happens.
	ctx, cancel := context.WithTimeout(ctx, 3*(*timeout)+2*time.Minute)
	defer cancel()
	dir, exe, _, cleanup, err := workspace(ctx, *bin, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	tp, err := smtptest.StartTarpit()
	if err != nil {
		return err
	}
	defer tp.Close()
	ns := strconv.Itoa(*n)
	serveArgs := []string{"--max-probes", ns, "--queue", ns, "--probe-rate", "0", "--per-target", "0",
		"--timeout", timeout.String(), "--allow-targets", "127.0.0.0/8", "--allow-ports", "1-65535"}
	srv, err := startServe(ctx, exe, dir, serveArgs...)
	if err != nil {
		return err
	}
	defer srv.stop()
	rssBefore, _ := srv.memory()
	fmt.Fprintf(stdout, "tarpit on %s (accepts, never speaks); smtpdoctor serve %s\n", tp.Addr(), strings.Join(serveArgs, " "))

	// Pollers: /healthz and /history, one request at a time each, until
	// the probes are done; and the server's RSS.
	done := make(chan struct{})
	var pollWG sync.WaitGroup
	pollStart := time.Now()
	var slowMu sync.Mutex
	var slow []string // polls over 100 ms, with when they started
	poll := func(path string, lat *[]time.Duration, errs *int) {
		pc := newAPIClient(srv.base, 2)
		pollWG.Go(func() {
			for {
				select {
				case <-done:
					return
				case <-time.After(50 * time.Millisecond):
				}
				at := time.Since(pollStart)
				d, err := pc.get(ctx, path)
				*lat = append(*lat, d)
				if d > 100*time.Millisecond {
					slowMu.Lock()
					slow = append(slow, fmt.Sprintf("%s %s at t=%.1fs", path, ms(d), at.Seconds()))
					slowMu.Unlock()
				}
				if err != nil {
					*errs++
				}
			}
		})
	}
	var healthLat, histLat []time.Duration
	var healthErr, histErr int
	poll("/healthz", &healthLat, &healthErr)
	poll("/history", &histLat, &histErr)
	var maxRSS atomic.Int64
	pollWG.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if rss, _ := srv.memory(); rss > maxRSS.Load() {
				maxRSS.Store(rss)
			}
		}
	})

	host, port := splitHostPort(tp.Addr())
	req := probeRequest{Host: host, Port: port, Security: "starttls", User: loadUser, Password: loadPassword, Mech: "plain", HELO: "client.example.test"}
	api := newAPIClient(srv.base, *n)
	rec, err := startPerf(*perfFile, srv.cmd.Process.Pid)
	if err != nil {
		close(done)
		pollWG.Wait()
		return err
	}
	start := time.Now()
	outs := apiLoop(ctx, api, req, *n, *n)
	total := time.Since(start)
	rec.stop()
	close(done)
	pollWG.Wait()
	connected := tp.Accepted()
	_, peak := srv.memory()

	codes := map[string]int{}
	var lat []time.Duration
	others := 0
	var firstErr error
	for _, o := range outs {
		lat = append(lat, o.took)
		if o.err != nil {
			codes["error"]++
			others++
			if firstErr == nil {
				firstErr = o.err
			}
			continue
		}
		codes[o.code]++
		if o.code != string(probe.CodeSMTPNoGreeting) {
			others++
		}
	}
	fmt.Fprintf(stdout, "\n%d probes at once, --timeout %v: all done in %v; the tarpit accepted %d connections\n", *n, *timeout, total.Round(time.Millisecond), connected)
	fmt.Fprintf(stdout, "  diagnosis codes: %s\n", codeList(codes))
	fmt.Fprintf(stdout, "  time to diagnosis: min %s  p50 %s  p99 %s  max %s\n",
		ms(quantile(lat, 0)), ms(quantile(lat, 0.5)), ms(quantile(lat, 0.99)), ms(quantile(lat, 1)))
	fmt.Fprintf(stdout, "  /healthz during the run: %d requests, %d errors, p50 %s  p99 %s  max %s\n",
		len(healthLat), healthErr, ms(quantile(healthLat, 0.5)), ms(quantile(healthLat, 0.99)), ms(quantile(healthLat, 1)))
	fmt.Fprintf(stdout, "  /history during the run: %d requests, %d errors, p50 %s  p99 %s  max %s\n",
		len(histLat), histErr, ms(quantile(histLat, 0.5)), ms(quantile(histLat, 0.99)), ms(quantile(histLat, 1)))
	fmt.Fprintf(stdout, "  server RSS: %s before, %s at most while sampled, peak (VmHWM) %s; %.1f KiB per probe above the idle RSS\n",
		mib(rssBefore), mib(maxRSS.Load()), mib(peak), float64(peak-rssBefore)/float64(*n))
	if len(slow) > 0 {
		fmt.Fprintf(stdout, "  polls over 100 ms (probes started at t=%.1fs): %s\n", start.Sub(pollStart).Seconds(), strings.Join(slow, "; "))
	}
	if a, l, st, n := srv.gcPeak(); n > 0 {
		fmt.Fprintf(stdout, "  server Go heap (gctrace, %d collections): at most %d MB live after a collection, %d MB at a collection's start; goroutine stacks at most %d MB\n", n, l, a, st)
	}
	if others > 0 {
		return fmt.Errorf("%d of %d probes did not end with smtp.no_greeting; first error: %v", others, *n, firstErr)
	}
	if healthErr+histErr > 0 {
		return fmt.Errorf("/healthz failed %d times and /history %d times during the run", healthErr, histErr)
	}
	return nil
}
