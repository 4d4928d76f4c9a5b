package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// failoverMode: monitors run once and alert once while replicas die.
// Three replicas share a fresh PostgreSQL database; n monitors run every
// interval against a go-smtp server on loopback, and every kill interval
// one replica (round-robin) is killed with SIGKILL and started again. One
// monitor in ten watches a second server that comes and goes, so its
// failing and recovered alerts, sent to a webhook receiver here, happen
// all through the run, kills included. At the end the database's runs
// say whether any due run was done twice.
func failoverMode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, bin := newFlags("failover", stderr)
	n := fs.Int("monitors", 1000, "monitors")
	interval := fs.Duration("interval", 10*time.Second, "every monitor's interval (10s is the shortest allowed)")
	duration := fs.Duration("duration", 10*time.Minute, "how long the monitors run, kills included")
	killEvery := fs.Duration("kill-every", time.Minute, "kill one replica (round-robin) this often, and start it again")
	flapEvery := fs.Duration("flap-every", 45*time.Second, "the flapping server is up, then down, this long each")
	replicas := fs.Int("replicas", 3, "replicas on PostgreSQL")
	pg := fs.String("postgres", os.Getenv("SMTPDOCTOR_TEST_POSTGRES"), "a PostgreSQL URL whose role may CREATE DATABASE; a fresh database is made for the run and dropped after")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.HasPrefix(*pg, "postgres://") && !strings.HasPrefix(*pg, "postgresql://") {
		return fmt.Errorf("failover needs -postgres postgres://user:password@host:port/database (bash .ci/postgres.sh starts one and writes SMTPDOCTOR_TEST_POSTGRES to /tmp/smtpdoctor-postgres.env)")
	}
	if *n < 1 || *replicas < 2 || *interval < 10*time.Second || *killEvery <= 0 || *duration < *killEvery {
		return fmt.Errorf("failover needs -monitors ≥ 1, -replicas ≥ 2, -interval ≥ 10s and -duration ≥ -kill-every > 0")
	}
	dbURL, dropDB, err := freshDatabase(ctx, *pg)
	if err != nil {
		return err
	}
	defer dropDB()
	dir, exe, pki, cleanup, err := workspace(ctx, *bin, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	steady, stopSteady, err := startSubmission(pki)
	if err != nil {
		return err
	}
	defer stopSteady()
	flap, err := startFlapping(ctx, pki, *flapEvery)
	if err != nil {
		return err
	}
	defer flap.stop()
	hook := newAlertReceiver()
	defer hook.srv.Close()

	serveArgs := []string{"--db", dbURL, "--probe-rate", "0", "--per-target", "0", "--max-probes", "64", "--queue", "1024",
		"--allow-targets", "127.0.0.0/8", "--allow-ports", "1-65535", "--ca-file", pki.caFile, "--sandbox=false"}
	procs := make([]*server, *replicas)
	for i := range procs {
		if procs[i], err = startServe(ctx, exe, dir, serveArgs...); err != nil {
			return err
		}
	}
	defer func() {
		for _, p := range procs {
			if p != nil {
				p.stop()
			}
		}
	}()
	fmt.Fprintf(stdout, "%d replicas on %s; %d monitors every %v for %v; one replica killed every %v\n",
		*replicas, redactURL(dbURL), *n, *interval, *duration, *killEvery)

	// Monitors are made through the replicas in turn, as a load balancer
	// would send them.
	cpu0 := machineCPU()
	var apiFailed, made atomic.Int64
	api := &http.Client{Timeout: 30 * time.Second}
	madeStart := time.Now()
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= *n || ctx.Err() != nil {
					return
				}
				host, port := splitHostPort(steady)
				if i%10 == 9 {
					host, port = splitHostPort(flap.addr)
				}
				body := fmt.Sprintf(`{"name":"load %d","settings":{"host":%q,"port":%d,"security":"starttls","helo":"client.example.test"},"interval":%q,"fail_after":1,"alerts":[{"type":"webhook","url":%q}]}`,
					i, host, port, interval.String(), hook.srv.URL+"/hook")
				// A failed request counts, and is tried again (up to five
				// times, on the next replica) so that every monitor runs.
				for try := range 5 {
					resp, err := api.Post(procs[(i+try)%len(procs)].base+"/api/v1/monitors", "application/json", strings.NewReader(body))
					if err == nil {
						raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
						resp.Body.Close()
						if resp.StatusCode != http.StatusCreated {
							err = fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, raw)
						}
					}
					if err == nil {
						made.Add(1)
						break
					}
					if apiFailed.Add(1) <= 3 {
						fmt.Fprintf(stderr, "making monitor %d: %v\n", i, err)
					}
				}
			}
		})
	}
	wg.Wait()
	fmt.Fprintf(stdout, "made %d of %d monitors in %v (%d requests failed)\n", made.Load(), *n, time.Since(madeStart).Round(time.Millisecond), apiFailed.Load())

	// A reader polls the monitor list through a live replica once a
	// second, as a dashboard would, while replicas die. A read whose
	// replica is killed under it is sent once more to the next live one,
	// as a load balancer does with an idempotent request whose upstream
	// broke the connection (nginx's proxy_next_upstream error); only a
	// read that fails there too counts as failed.
	var reads, readFailed, readRetried atomic.Int64
	var mu sync.Mutex // guards procs while one is restarted
	pollCtx, stopPoll := context.WithCancel(ctx)
	var pollers sync.WaitGroup
	pollers.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-pollCtx.Done():
				return
			case <-t.C:
			}
			reads.Add(1)
			var err error
			for try := range 2 {
				mu.Lock()
				p := procs[(i+try)%len(procs)]
				if p == nil { // being restarted: a load balancer skips it
					p = procs[(i+try+1)%len(procs)]
				}
				mu.Unlock()
				if p == nil {
					continue
				}
				if _, err = newAPIClient(p.base, 1).get(pollCtx, "/api/v1/monitors"); err == nil || pollCtx.Err() != nil {
					break
				}
				if try == 0 {
					readRetried.Add(1)
				}
			}
			if err != nil && pollCtx.Err() == nil {
				if readFailed.Add(1) <= 3 {
					fmt.Fprintf(stderr, "reading the monitor list: %v\n", err)
				}
			}
		}
	})

	runStart := time.Now()
	end := runStart.Add(*duration)
	kills := 0
	for victim := 0; ; victim = (victim + 1) % len(procs) {
		at := runStart.Add(time.Duration(kills+1) * *killEvery)
		if !at.Before(end) {
			break
		}
		select {
		case <-ctx.Done():
			stopPoll()
			return ctx.Err()
		case <-time.After(time.Until(at)):
		}
		mu.Lock()
		p := procs[victim]
		procs[victim] = nil
		mu.Unlock()
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
		kills++
		restarted, err := startServe(ctx, exe, dir, serveArgs...)
		if err != nil {
			stopPoll()
			return fmt.Errorf("restarting replica %d after kill %d: %w", victim, kills, err)
		}
		mu.Lock()
		procs[victim] = restarted
		mu.Unlock()
		fmt.Fprintf(stdout, "  %5.0fs: killed replica %d (SIGKILL) and started it again\n", time.Since(runStart).Seconds(), victim)
	}
	select {
	case <-ctx.Done():
	case <-time.After(time.Until(end)):
	}
	stopPoll()
	pollers.Wait()
	cpuBusy := machineCPU().busySince(cpu0)
	for i, p := range procs {
		p.stop()
		procs[i] = nil
	}
	flap.stop()

	rep, err := readRuns(context.Background(), dbURL, *interval, runStart, end)
	if err != nil {
		return err
	}
	alerts, repeated, byEvent := hook.summary()
	expected := int(float64(*n) * duration.Seconds() / interval.Seconds())
	fmt.Fprintf(stdout, "\n%v with %d monitors every %v, %d replicas, %d kills (SIGKILL, restart); machine CPU busy %.0f%% of 2 cores:\n",
		*duration, *n, *interval, *replicas, kills, cpuBusy*100)
	fmt.Fprintf(stdout, "  runs recorded        %d (%.1f/s; %d slots in the window, %.1f%% of them)\n",
		rep.runs, float64(rep.runs)/duration.Seconds(), expected, 100*float64(rep.runs)/float64(max(1, expected)))
	fmt.Fprintf(stdout, "  duplicate runs       %d (two runs of one monitor less than %v apart)\n", rep.duplicates, *interval/2)
	for _, e := range rep.examples {
		fmt.Fprintf(stdout, "    e.g. %s\n", e)
	}
	fmt.Fprintf(stdout, "  gap between runs     p50 %v, p99 %v, max %v; %d gaps over 1.5 intervals (missed slots)\n",
		rep.p50, rep.p99, rep.max, rep.late)
	fmt.Fprintf(stdout, "  monitor attempts     %d interrupted (killed mid-run), %d skipped (no probe slot within 4/10 of an interval), %d still queued or running\n",
		rep.interrupted, rep.skipped, rep.unfinished)
	fmt.Fprintf(stdout, "  alerts received      %d %v (%d monitors flapping every %v); %d repeated (failing or recovered twice in a row for a monitor, or its certificate announced again)\n",
		alerts, byEvent, *n/10, *flapEvery, repeated)
	fmt.Fprintf(stdout, "  API                  %d of %d monitors made, %d create requests failed (retried); %d of %d list reads failed (%d sent again to the next replica, as a load balancer would)\n",
		made.Load(), *n, apiFailed.Load(), readFailed.Load(), reads.Load(), readRetried.Load())
	if rep.duplicates > 0 || repeated > 0 {
		return fmt.Errorf("%d duplicate runs, %d repeated alerts", rep.duplicates, repeated)
	}
	if apiFailed.Load() > 0 || readFailed.Load() > 0 {
		return fmt.Errorf("%d API requests failed", apiFailed.Load()+readFailed.Load())
	}
	return nil
}

// freshDatabase makes a database of its own for the run on the server
// base names, and returns its URL and a function that drops it.
func freshDatabase(ctx context.Context, base string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("connecting to %s: %w", redactURL(base), err)
	}
	name := "smtpdoctor_failover_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		return "", nil, fmt.Errorf("creating database %s (the role needs CREATEDB): %w", name, err)
	}
	conn.Close(ctx)
	cfg, _ := pgx.ParseConfig(base)
	u := base
	if i := strings.LastIndex(u, "/"+cfg.Database); i >= 0 {
		u = u[:i] + "/" + name + u[i+1+len(cfg.Database):]
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, base); err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	}
	return u, drop, nil
}

type runReport struct {
	runs, duplicates, late  int
	interrupted, unfinished int
	skipped                 int // no probe slot by the time they had to start
	p50, p99, max           time.Duration
	examples                []string
}

// readRuns reads every monitor's runs that started in the window from
// the database, and the monitor attempts a kill left behind.
func readRuns(ctx context.Context, url string, interval time.Duration, from, to time.Time) (runReport, error) {
	var r runReport
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return r, fmt.Errorf("reading the runs: %w", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT monitor, at FROM monitor_runs WHERE at >= $1 AND at < $2 ORDER BY monitor, at`,
		from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return r, fmt.Errorf("reading the runs: %w", err)
	}
	var gaps []time.Duration
	prevMonitor, prevAt := int64(-1), int64(0)
	for rows.Next() {
		var monitor, at int64
		if err := rows.Scan(&monitor, &at); err != nil {
			rows.Close()
			return r, fmt.Errorf("reading the runs: %w", err)
		}
		r.runs++
		if monitor == prevMonitor {
			gap := time.Duration(at-prevAt) * time.Millisecond
			gaps = append(gaps, gap)
			if gap < interval/2 {
				r.duplicates++
				if len(r.examples) < 5 {
					r.examples = append(r.examples, fmt.Sprintf("monitor %d at %s and %s",
						monitor, time.UnixMilli(prevAt).Format("15:04:05.000"), time.UnixMilli(at).Format("15:04:05.000")))
				}
			}
			if gap > interval*3/2 {
				r.late++
			}
		}
		prevMonitor, prevAt = monitor, at
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("reading the runs: %w", err)
	}
	if len(gaps) > 0 {
		slices.Sort(gaps)
		r.p50, r.p99, r.max = gaps[len(gaps)/2], gaps[len(gaps)*99/100], gaps[len(gaps)-1]
	}
	err = conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'interrupted' AND code <> 'probe.skipped'),
		count(*) FILTER (WHERE code = 'probe.skipped'), count(*) FILTER (WHERE status IN ('queued', 'running'))
		FROM attempts WHERE monitor_id <> ''`).Scan(&r.interrupted, &r.skipped, &r.unfinished)
	if err != nil {
		return r, fmt.Errorf("counting interrupted attempts: %w", err)
	}
	return r, nil
}

// alertReceiver is a webhook on loopback that keeps each monitor's
// events in the order they came.
type alertReceiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	events map[string][]string
	total  int
}

func newAlertReceiver() *alertReceiver {
	a := &alertReceiver{events: map[string][]string{}}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Event   string `json:"event"`
			Monitor struct {
				ID string `json:"id"`
			} `json:"monitor"`
		}
		json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body)
		a.mu.Lock()
		a.total++
		a.events[body.Monitor.ID] = append(a.events[body.Monitor.ID], body.Event)
		a.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	return a
}

// summary counts the alerts and the repeats: a monitor that flaps sends
// failing and recovered in turn, so the same one twice in a row was sent
// twice (or the one between was lost); and every server here shows one
// certificate, whose expiry each monitor announces once.
func (a *alertReceiver) summary() (total, repeated int, byEvent map[string]int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	byEvent = map[string]int{}
	for _, evs := range a.events {
		last, certs := "", 0
		for _, e := range evs {
			byEvent[e]++
			if e == "cert_expiring" {
				if certs++; certs > 1 {
					repeated++
				}
			}
			if e != "failing" && e != "recovered" {
				continue
			}
			if e == last {
				repeated++
			}
			last = e
		}
	}
	return a.total, repeated, byEvent
}

// flapping is a submission server that is up for a while, then refuses
// connections for as long, on one loopback address.
type flapping struct {
	addr string
	done chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

func startFlapping(ctx context.Context, pki *testPKI, every time.Duration) (*flapping, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &flapping{addr: ln.Addr().String(), done: make(chan struct{})}
	ln.Close()
	f.wg.Go(func() {
		for up := true; ; up = !up {
			var stop func()
			if up {
				stop, err = listenSubmission(pki, f.addr)
				if err != nil {
					fmt.Fprintln(os.Stderr, "flapping server:", err)
				}
			}
			select {
			case <-f.done:
			case <-ctx.Done():
			case <-time.After(every):
			}
			if stop != nil {
				stop()
			}
			select {
			case <-f.done:
				return
			case <-ctx.Done():
				return
			default:
			}
		}
	})
	return f, nil
}

func (f *flapping) stop() {
	f.once.Do(func() { close(f.done) })
	f.wg.Wait()
}

// machineStat is the machine's CPU time from /proc/stat: busy and all.
type machineStat struct{ busy, all int64 }

func machineCPU() machineStat {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineStat{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var s machineStat
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		s.all += n
		if i != 3 && i != 4 { // idle, iowait
			s.busy += n
		}
	}
	return s
}

func (s machineStat) busySince(before machineStat) float64 {
	if s.all == before.all {
		return 0
	}
	return float64(s.busy-before.busy) / float64(s.all-before.all)
}
