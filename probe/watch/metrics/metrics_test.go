package metrics

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

// text gathers the registry into the Prometheus text format, as a scrape
// would read it.
func text(t testing.TB, m *Metrics) string {
	t.Helper()
	mfs, done, err := m.Gather()
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	var b bytes.Buffer
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func TestMetrics(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	notAfter := at.Add(30 * 24 * time.Hour)
	monitors := []watch.Monitor{
		{ID: "okID", Name: "Office", Status: watch.Status{State: watch.StateOK,
			Last: &watch.LastRun{At: at, DurationMS: 1500, CertNotAfter: notAfter}}},
		{ID: "failID", Name: "Relay", Status: watch.Status{State: watch.StateFailing, Code: probe.CodeAuthCredentialsRejected,
			Hold: &watch.Hold{}, Last: &watch.LastRun{At: at, DurationMS: 200}}},
		{ID: "newID", Name: "New", Status: watch.Status{State: watch.StatePending}},
	}
	m := New(func() []watch.Monitor { return monitors })
	m.CountAttempt("monitor", probe.Result{Status: probe.StatusDone, Outcome: probe.OutcomeFailure,
		Diagnosis: &probe.Diagnosis{Code: probe.CodeAuthCredentialsRejected}})
	m.CountAttempt("probe", probe.Result{Status: probe.StatusDone, Outcome: probe.OutcomeSuccess,
		Diagnosis: &probe.Diagnosis{Code: "made.up_by_a_bug"}})
	m.CountAttempt("weird", probe.Result{Status: probe.StatusInterrupted})
	out := text(t, m)
	for _, want := range []string{
		`smtpdoctor_monitor_up{monitor="okID",name="Office"} 1`,
		`smtpdoctor_monitor_up{monitor="failID",name="Relay"} 0`,
		`smtpdoctor_monitor_failing{code="auth.credentials_rejected",monitor="failID"} 1`,
		`smtpdoctor_monitor_last_duration_seconds{monitor="okID"} 1.5`,
		fmt.Sprintf(`smtpdoctor_monitor_cert_expiry_timestamp_seconds{monitor="okID"} %g`, float64(notAfter.Unix())),
		`smtpdoctor_monitor_login_paused{monitor="failID"} 1`,
		`smtpdoctor_attempts_total{code="auth.credentials_rejected",kind="monitor",outcome="failure"} 1`,
		`smtpdoctor_attempts_total{code="other",kind="probe",outcome="success"} 1`,
		`smtpdoctor_attempts_total{code="none",kind="other",outcome="interrupted"} 1`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(out, `monitor="newID",name`) {
		t.Error("a pending monitor reports up or down")
	}
	if strings.Contains(out, "made.up") {
		t.Error("an unknown code became a label value")
	}

	// Series are kept between scrapes: they must follow the monitors.
	monitors[1].Status = watch.Status{State: watch.StateOK, Last: &watch.LastRun{At: at, DurationMS: 300}}
	monitors[0].Name = "Head office"
	monitors = monitors[:2]
	out = text(t, m)
	for _, want := range []string{
		`smtpdoctor_monitor_up{monitor="failID",name="Relay"} 1`,
		`smtpdoctor_monitor_up{monitor="okID",name="Head office"} 1`,
		`smtpdoctor_monitor_last_duration_seconds{monitor="failID"} 0.3`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("second scrape lacks %s", want)
		}
	}
	for _, gone := range []string{`smtpdoctor_monitor_failing{`, `login_paused{`, `name="Office"`} {
		if strings.Contains(out, gone) {
			t.Errorf("second scrape still has %s", gone)
		}
	}
}

func BenchmarkGather10000Monitors(b *testing.B) {
	at := time.Now()
	monitors := make([]watch.Monitor, 10000)
	for i := range monitors {
		monitors[i] = watch.Monitor{ID: fmt.Sprintf("monitor-id-%016d", i), Name: fmt.Sprintf("Relay %d", i),
			Status: watch.Status{State: watch.StateOK, Last: &watch.LastRun{At: at, DurationMS: 12, CertNotAfter: at.Add(time.Hour)}}}
	}
	m := New(func() []watch.Monitor { return monitors })
	b.ResetTimer()
	for range b.N {
		text(b, m)
	}
}
