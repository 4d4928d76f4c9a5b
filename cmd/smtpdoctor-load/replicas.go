package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// replicasMode compares API throughput of one smtpdoctor on SQLite with
// three replicas sharing one PostgreSQL database (clients spread over the
// three, as a load balancer would), against the same SMTP server, with the
// abuse limits lifted. The two sides alternate in rounds, so a noisy
// neighbour slows both alike.
func replicasMode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, bin := newFlags("replicas", stderr)
	k := fs.Int("k", 1500, "probes per side")
	c := fs.Int("c", 30, "concurrent clients (spread evenly over the replicas)")
	rounds := fs.Int("rounds", 3, "alternate the sides in this many rounds of k/rounds probes each")
	n := fs.Int("n", 3, "replicas on PostgreSQL")
	pg := fs.String("postgres", "", "a PostgreSQL URL whose database may be written (e.g. from bash .ci/postgres.sh: postgres://smtpdoctor:smtpdoctor@127.0.0.1:55432/smtpdoctor)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.HasPrefix(*pg, "postgres://") && !strings.HasPrefix(*pg, "postgresql://") {
		return fmt.Errorf("replicas needs -postgres postgres://user:password@host:port/database (bash .ci/postgres.sh starts one on 127.0.0.1:55432)")
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

	lite, err := startServe(ctx, exe, dir, serveArgs...)
	if err != nil {
		return err
	}
	defer lite.stop()
	var replicas []*server
	for range *n {
		s, err := startServe(ctx, exe, dir, append(slices.Clone(serveArgs), "--db", *pg)...)
		if err != nil {
			return err
		}
		defer s.stop()
		replicas = append(replicas, s)
	}
	fmt.Fprintf(stdout, "server: go-smtp on %s; one smtpdoctor on SQLite, %d on PostgreSQL (%s)\n", addr, *n, redactURL(*pg))

	host, port := splitHostPort(addr)
	req := probeRequest{Host: host, Port: port, Security: "starttls", User: loadUser, Password: loadPassword, Mech: "plain", HELO: "client.example.test"}
	liteAPI := []*apiClient{newAPIClient(lite.base, *c*2)}
	var pgAPI []*apiClient
	for _, s := range replicas {
		pgAPI = append(pgAPI, newAPIClient(s.base, *c*2 / *n + 1))
	}
	// spread runs k probes with c clients split evenly over the APIs.
	spread := func(apis []*apiClient, k int) (time.Duration, []apiOutcome) {
		var mu sync.Mutex
		var all []apiOutcome
		var wg sync.WaitGroup
		st := time.Now()
		for i, api := range apis {
			share := k / len(apis)
			if i < k%len(apis) {
				share++
			}
			wg.Go(func() {
				outs := apiLoop(ctx, api, req, share, max(1, *c/len(apis)))
				mu.Lock()
				all = append(all, outs...)
				mu.Unlock()
			})
		}
		wg.Wait()
		return time.Since(st), all
	}
	warm := min(*k, 60)
	spread(liteAPI, warm)
	spread(pgAPI, warm)

	per := max(1, *k / *rounds)
	var liteTime, pgTime time.Duration
	var liteOuts, pgOuts []apiOutcome
	var ratios []float64
	// PostgreSQL's processes count only when it runs on this machine.
	localDB := processesCPU("postgres") > 0
	var liteCPU, pgCPU cpuShare
	measured := func(apis []*apiClient, servers []*server, db bool, into *cpuShare) (time.Duration, []apiOutcome) {
		before := sampleCPU(servers, db)
		took, outs := spread(apis, per)
		*into = into.add(sampleCPU(servers, db).sub(before))
		return took, outs
	}
	for i := range *rounds {
		var lt, pt time.Duration
		var lo, po []apiOutcome
		if i%2 == 0 {
			lt, lo = measured(liteAPI, []*server{lite}, false, &liteCPU)
			pt, po = measured(pgAPI, replicas, localDB, &pgCPU)
		} else {
			pt, po = measured(pgAPI, replicas, localDB, &pgCPU)
			lt, lo = measured(liteAPI, []*server{lite}, false, &liteCPU)
		}
		liteTime, pgTime = liteTime+lt, pgTime+pt
		liteOuts, pgOuts = append(liteOuts, lo...), append(pgOuts, po...)
		ratios = append(ratios, lt.Seconds()/pt.Seconds())
		fmt.Fprintf(stdout, "  round %d: SQLite ×1 %.0f/s, PostgreSQL ×%d %.0f/s, ratio %.3f\n",
			i+1, float64(per)/lt.Seconds(), *n, float64(per)/pt.Seconds(), lt.Seconds()/pt.Seconds())
	}
	total := per * *rounds
	failed := func(outs []apiOutcome) (f int, p50, p99 time.Duration) {
		var lat []time.Duration
		for _, o := range outs {
			lat = append(lat, o.took)
			if o.err != nil || o.code != "ok" {
				f++
			}
		}
		slices.Sort(lat)
		return f, lat[len(lat)/2], lat[len(lat)*99/100]
	}
	lf, l50, l99 := failed(liteOuts)
	pf, p50, p99 := failed(pgOuts)
	slices.Sort(ratios)
	med := ratios[len(ratios)/2]
	verdict := "met"
	if med < 1 {
		verdict = fmt.Sprintf("MISSED: %.2f of the SQLite rate", med)
	}
	fmt.Fprintf(stdout, "\n%d probes per side in %d rounds, %d clients at once:\n", total, *rounds, *c)
	fmt.Fprintf(stdout, "  SQLite, 1 replica       %6.0f probes/s, %d failed, p50 %s p99 %s\n", float64(total)/liteTime.Seconds(), lf, ms(l50), ms(l99))
	fmt.Fprintf(stdout, "  PostgreSQL, %d replicas  %6.0f probes/s, %d failed, p50 %s p99 %s\n", *n, float64(total)/pgTime.Seconds(), pf, ms(p50), ms(p99))
	fmt.Fprintf(stdout, "  ratio PostgreSQL/SQLite: median of the rounds %.3f (all %.3f … %.3f); target ≥ 1 with no failures: %s\n",
		med, ratios[0], ratios[len(ratios)-1], verdict)
	fmt.Fprintf(stdout, "CPU per probe (where a side's time goes; both sides share this machine's %d cores):\n", runtime.NumCPU())
	printCPUPerProbe(stdout, "SQLite, 1 replica", liteCPU, total, false)
	printCPUPerProbe(stdout, fmt.Sprintf("PostgreSQL, %d replicas", *n), pgCPU, total, localDB)
	if lf+pf > 0 {
		return fmt.Errorf("%d SQLite and %d PostgreSQL probes failed", lf, pf)
	}
	return nil
}

// redactURL hides a URL's password for printing.
func redactURL(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 {
		return u
	}
	userinfo := u[scheme+3 : at]
	if user, _, ok := strings.Cut(userinfo, ":"); ok {
		return u[:scheme+3] + user + ":xxxxx" + u[at:]
	}
	return u
}
