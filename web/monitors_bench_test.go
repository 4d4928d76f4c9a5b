package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/service"
)

// tenThousandMonitors fills a dashboard with 10,000 monitors that have run
// (a quarter failing), the first page's with a day of runs, then restarts
// the monitor service so they are loaded as after a restart.
func tenThousandMonitors(b *testing.B) *monitorEnv {
	dbPath := filepath.Join(b.TempDir(), "smtpdoctor.db")
	e := newMonitorEnvAt(b, nil, dbPath)
	ctx := context.Background()
	set := e.sandboxSettings()
	set.User = ""
	var ids []string
	for i := range 10000 {
		m, err := e.svc.Create(ctx, watch.Monitor{Name: fmt.Sprintf("Relay %05d", i), Settings: set, Interval: 5 * time.Minute,
			Alerts: []watch.Alert{{Type: watch.AlertWebhook, URL: "https://hooks.example.com/x"}}}, service.Secrets{})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	now := time.Now().UTC()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < len(ids); i += 8 {
				runs := 1
				if i < 200 {
					runs = 24
				}
				for j := range runs {
					at := now.Add(-time.Duration(runs-j) * 5 * time.Minute)
					r := probe.Result{ID: attempt.NewID(), Status: probe.StatusDone, Outcome: probe.OutcomeSuccess, StartedAt: at, DurationMS: 14,
						Settings: set, Diagnosis: &probe.Diagnosis{Code: probe.CodeOK, Title: "It works"}}
					st := watch.Status{State: watch.StateOK, Since: now.Add(-24 * time.Hour), Code: probe.CodeOK, Title: "It works",
						Last: &watch.LastRun{AttemptID: r.ID, At: at, Outcome: r.Outcome, Code: probe.CodeOK, Title: "It works", DurationMS: 14,
							CertNotAfter: now.AddDate(0, 3, 0)}}
					if i%4 == 0 {
						r.Outcome, r.Diagnosis = probe.OutcomeFailure, &probe.Diagnosis{Code: probe.CodeAuthCredentialsRejected, Title: "Wrong password",
							Remediation: []string{"Check the password.", "Create an app password."}}
						st.State, st.Code, st.Title, st.AttemptID = watch.StateFailing, r.Diagnosis.Code, r.Diagnosis.Title, r.ID
						st.Remediation = r.Diagnosis.Remediation
						st.Last.Outcome, st.Last.Code = r.Outcome, r.Diagnosis.Code
					}
					if err := e.store.Save(ctx, r); err != nil {
						b.Error(err)
						return
					}
					// Each monitor's runs are recorded in turn: the j-th
					// starts from status version j.
					if err := e.store.RecordRun(ctx, watch.RunRecordOf(ids[i], r, j == 0), st, now.Add(time.Hour), int64(j)); err != nil {
						b.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	// As after a restart: a new dashboard on the same database loads the
	// monitors with their state.
	e = newMonitorEnvAt(b, nil, dbPath)
	if err := e.svc.Start(ctx); err != nil {
		b.Fatal(err)
	}
	return e
}

func benchGet(b *testing.B, e *monitorEnv, path, want string) {
	client := &http.Client{}
	get := func() string {
		resp, err := client.Get(e.http.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return string(body)
	}
	if body := get(); !strings.Contains(body, want) {
		b.Fatalf("GET %s lacks %q", path, want)
	}
	// On a shared machine the wall time says as much about the neighbours
	// as about the page, so the process's CPU time per request (server and
	// client, both in this process) is reported too.
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		get()
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMonitorsAt10k measures the monitors page (its first 100 rows,
// failing first, with uptime, timelines and remediation) and /metrics with
// 10,000 monitors, over HTTP. Target: under 50 ms each.
//
//	go test ./web -run '^$' -bench MonitorsAt10k -benchtime 20x
func BenchmarkMonitorsAt10k(b *testing.B) {
	e := tenThousandMonitors(b)
	b.Run("page", func(b *testing.B) { benchGet(b, e, "/monitors", "Relay 00000") })
	b.Run("metrics", func(b *testing.B) { benchGet(b, e, "/metrics", `smtpdoctor_monitor_up{monitor=`) })
}
