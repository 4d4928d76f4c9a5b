package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/smtp"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// throughputMode: the throughput target. Probes started through
// POST /api/v1/probes?wait=30s by 32 clients at once, each stored and
// diagnosed, reach at least half the rate of a bare net/smtp loop doing
// the same STARTTLS + AUTH PLAIN against the same server, with the abuse
// limits lifted.
func throughputMode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, bin := newFlags("throughput", stderr)
	k := fs.Int("k", 2000, "probes per side")
	c := fs.Int("c", 32, "concurrent clients")
	rounds := fs.Int("rounds", 5, "alternate bare and API in this many rounds of k/rounds probes each; the ratio is the median of the rounds'")
	perfFile := fs.String("perf", "", "record the server's CPU profile during the run with Linux perf into this file (the server idles during the bare phases)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, exe, pki, cleanup, err := workspace(ctx, *bin, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	addr, stopSMTP, err := startSubmission(pki)
	if err != nil {
		return err
	}
	defer stopSMTP()
	serveArgs := []string{"--probe-rate", "0", "--per-target", "0", "--max-probes", "64",
		"--allow-targets", "127.0.0.0/8", "--allow-ports", "1-65535", "--ca-file", pki.caFile}
	srv, err := startServe(ctx, exe, dir, serveArgs...)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(stdout, "server: go-smtp on %s (STARTTLS + AUTH PLAIN); smtpdoctor serve %s\n", addr, strings.Join(serveArgs, " "))

	host, port := splitHostPort(addr)
	// A short warm-up for both, so neither pays for first-use costs in
	// its figure.
	warm := min(*k, 64)
	if _, _, err := bareLoop(ctx, addr, pki, warm, *c); err != nil {
		return err
	}
	api := newAPIClient(srv.base, *c*2)
	req := probeRequest{Host: host, Port: port, Security: "starttls", User: loadUser, Password: loadPassword, Mech: "plain", HELO: "client.example.test"}
	apiLoop(ctx, api, req, warm, *c)

	// Rounds alternate which side goes first, so that a noisy neighbour
	// slows both alike; the ratio reported is the median of the rounds'.
	rec, err := startPerf(*perfFile, srv.cmd.Process.Pid)
	if err != nil {
		return err
	}
	per := max(1, *k / *rounds)
	var bareTime, apiTime time.Duration
	// CPU time spent per side: this process (clients and the SMTP server)
	// and the smtpdoctor server. On a machine shared with other work, CPU
	// per probe is steadier than wall-clock rates.
	self, spid := os.Getpid(), srv.cmd.Process.Pid
	var bareCPU, apiCPUSelf, apiCPUServer time.Duration
	var outs []apiOutcome
	var ratios []float64
	bareFail := 0
	for i := range *rounds {
		var bt, at time.Duration
		runBare := func() error {
			c0 := cpuTime(self)
			defer func() { bareCPU += cpuTime(self) - c0 }()
			d, f, err := bareLoop(ctx, addr, pki, per, *c)
			bt, bareFail = d, bareFail+f
			return err
		}
		runAPI := func() {
			c0, s0 := cpuTime(self), cpuTime(spid)
			defer func() { apiCPUSelf += cpuTime(self) - c0; apiCPUServer += cpuTime(spid) - s0 }()
			st := time.Now()
			outs = append(outs, apiLoop(ctx, api, req, per, *c)...)
			at = time.Since(st)
		}
		if i%2 == 0 {
			if err := runBare(); err != nil {
				rec.stop()
				return err
			}
			runAPI()
		} else {
			runAPI()
			if err := runBare(); err != nil {
				rec.stop()
				return err
			}
		}
		bareTime += bt
		apiTime += at
		ratios = append(ratios, bt.Seconds()/at.Seconds())
		fmt.Fprintf(stdout, "  round %d: bare %.0f/s, API %.0f/s, ratio %.3f\n", i+1, float64(per)/bt.Seconds(), float64(per)/at.Seconds(), bt.Seconds()/at.Seconds())
	}
	rec.stop()
	*k = per * *rounds
	_, peak := srv.memory()

	var lat []time.Duration
	codes := map[string]int{}
	failures := 0
	var firstErr error
	for _, o := range outs {
		lat = append(lat, o.took)
		if o.err != nil || o.code != "ok" {
			failures++
			if firstErr == nil {
				firstErr = o.err
				if firstErr == nil {
					firstErr = fmt.Errorf("diagnosis %q", o.code)
				}
			}
		}
		codes[o.code]++
	}
	bareRate := float64(*k) / bareTime.Seconds()
	apiRate := float64(*k) / apiTime.Seconds()
	fmt.Fprintf(stdout, "\n%d probes each in %d rounds, %d at once:\n", *k, *rounds, *c)
	fmt.Fprintf(stdout, "  bare net/smtp loop   %7.0f probes/s (%v, %d failed)\n", bareRate, bareTime.Round(time.Millisecond), bareFail)
	fmt.Fprintf(stdout, "  API ?wait=30s        %7.0f probes/s (%v, %d failed)\n", apiRate, apiTime.Round(time.Millisecond), failures)
	slices.Sort(ratios)
	medRatio := ratios[len(ratios)/2]
	verdict := "met"
	if medRatio < 0.5 {
		verdict = fmt.Sprintf("MISSED: %.2f of the target rate", medRatio/0.5)
	}
	fmt.Fprintf(stdout, "  ratio API/bare: median of the rounds %.3f (all: %.3f … %.3f), overall %.3f; target ≥ 0.5: %s\n",
		medRatio, ratios[0], ratios[len(ratios)-1], apiRate/bareRate, verdict)
	perProbe := func(d time.Duration) string { return ms(d / time.Duration(*k)) }
	apiCPU := apiCPUSelf + apiCPUServer
	fmt.Fprintf(stdout, "  CPU per probe: bare %s (net/smtp client + go-smtp server); API %s = smtpdoctor serve %s + this process %s (go-smtp server + HTTP client); CPU ratio bare/API %.3f\n",
		perProbe(bareCPU), perProbe(apiCPU), perProbe(apiCPUServer), perProbe(apiCPUSelf), bareCPU.Seconds()/apiCPU.Seconds())
	fmt.Fprintf(stdout, "  time to diagnosis (request → stored, diagnosed result): p50 %s  p99 %s  max %s\n",
		ms(quantile(lat, 0.5)), ms(quantile(lat, 0.99)), ms(quantile(lat, 1)))
	fmt.Fprintf(stdout, "  diagnosis codes: %s\n", codeList(codes))
	fmt.Fprintf(stdout, "  server peak RSS (VmHWM): %s\n", mib(peak))
	if a, l, st, n := srv.gcPeak(); n > 0 {
		fmt.Fprintf(stdout, "  server Go heap (gctrace, %d collections): at most %d MB live after a collection, %d MB at a collection's start; goroutine stacks at most %d MB\n", n, l, a, st)
	}
	if failures > 0 || bareFail > 0 {
		return fmt.Errorf("%d API and %d bare probes failed; first: %v", failures, bareFail, firstErr)
	}
	return nil
}

// bareLoop runs k STARTTLS + AUTH PLAIN sessions with net/smtp, c at a
// time, and returns the wall time.
func bareLoop(ctx context.Context, addr string, pki *testPKI, k, c int) (time.Duration, int, error) {
	var next, failed atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Go(func() {
			for next.Add(1) <= int64(k) && ctx.Err() == nil {
				if err := bareProbe(addr, pki); err != nil {
					failed.Add(1)
					once.Do(func() { firstErr = err })
				}
			}
		})
	}
	wg.Wait()
	d := time.Since(start)
	if failed.Load() > 0 {
		return d, int(failed.Load()), fmt.Errorf("bare loop: %d of %d failed; first: %w", failed.Load(), k, firstErr)
	}
	return d, 0, ctx.Err()
}

// bareProbe is the baseline, a bare Go loop: smtp.Dial, StartTLS,
// Auth(smtp.PlainAuth), Quit.
func bareProbe(addr string, pki *testPKI) error {
	cl, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer cl.Close()
	if err := cl.Hello("client.example.test"); err != nil {
		return err
	}
	if err := cl.StartTLS(&tls.Config{RootCAs: pki.pool, ServerName: "127.0.0.1"}); err != nil {
		return err
	}
	if err := cl.Auth(smtp.PlainAuth("", loadUser, loadPassword, "127.0.0.1")); err != nil {
		return err
	}
	return cl.Quit()
}

// apiLoop starts k probes through the API, c at a time.
func apiLoop(ctx context.Context, api *apiClient, req probeRequest, k, c int) []apiOutcome {
	outs := make([]apiOutcome, k)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(k) || ctx.Err() != nil {
					return
				}
				outs[i] = api.probe(ctx, req, "30s")
			}
		})
	}
	wg.Wait()
	return outs
}

func codeList(codes map[string]int) string {
	var parts []string
	for c, n := range codes {
		if c == "" {
			c = "(none)"
		}
		parts = append(parts, fmt.Sprintf("%s × %d", c, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
