// Package metrics exposes smtpdoctor to Prometheus: per monitor, whether it
// is up, how long its last run took, when its server's certificate
// expires and the diagnosis code it is failing with; and counters of every
// attempt by kind, outcome and diagnosis code.
//
// Every label value is bounded: kinds, outcomes and codes are the
// program's own constants (an unknown value is counted as "other"), and
// the monitor labels grow only with the monitors people create. The
// metrics live in a registry of their own, so nothing a library registers
// globally leaks into them.
package metrics

import (
	"slices"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

// Metrics is the registry behind GET /metrics.
type Metrics struct {
	reg      *prometheus.Registry
	attempts *prometheus.CounterVec
	monitors func() []watch.Monitor

	mu    sync.Mutex // held from Gather until its series are written
	gen   uint64
	cache map[string]*cached
}

// New registers the metrics. monitors is asked for the monitors as they
// stand at each scrape (nil: no monitor metrics).
func New(monitors func() []watch.Monitor) *Metrics {
	m := &Metrics{
		monitors: monitors,
		cache:    map[string]*cached{},
		reg:      prometheus.NewRegistry(),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "smtpdoctor_attempts_total",
			Help: "Attempts finished since the process started, by kind (probe, explain, monitor), outcome and diagnosis code.",
		}, []string{"kind", "outcome", "code"}),
	}
	m.reg.MustRegister(m.attempts)
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

var (
	kinds    = []string{"probe", "explain", "monitor"}
	outcomes = []string{string(probe.OutcomeSuccess), string(probe.OutcomeWarning), string(probe.OutcomeFailure)}
)

// CountAttempt counts one finished attempt.
func (m *Metrics) CountAttempt(kind string, r probe.Result) {
	if kind == "" {
		kind = "probe"
	}
	outcome := string(r.Outcome)
	if r.Status == probe.StatusInterrupted {
		outcome = "interrupted"
	} else if !slices.Contains(outcomes, outcome) {
		outcome = "other"
	}
	code := "none"
	if r.Diagnosis != nil {
		code = boundedCode(r.Diagnosis.Code)
	}
	if !slices.Contains(kinds, kind) {
		kind = "other"
	}
	m.attempts.WithLabelValues(kind, outcome, code).Inc()
}

func boundedCode(c probe.Code) string {
	if probe.KnownCode(string(c)) {
		return string(c)
	}
	return "other"
}

// Gather is the registry's metrics plus the per-monitor gauges, built
// straight as metric families from the monitors in memory. At ten thousand
// monitors a collector of const metrics spent most of a scrape in the
// registry's duplicate and consistency checks (some 40,000 series); these
// families are consistent by construction (one series per monitor and
// family, label names sorted), so they skip them. It makes Metrics a
// prometheus.TransactionalGatherer for promhttp.HandlerForTransactional.
//
// The series of each monitor are kept between scrapes and updated in
// place, so a scrape allocates next to nothing; the lock is held until
// promhttp has written them (the returned done func).
func (m *Metrics) Gather() ([]*dto.MetricFamily, func(), error) {
	mfs, err := m.reg.Gather()
	if m.monitors == nil {
		return mfs, func() {}, err
	}
	list := m.monitors()
	m.mu.Lock()
	m.gen++
	gauge := dto.MetricType_GAUGE
	fam := func(name, help string) *dto.MetricFamily {
		return &dto.MetricFamily{Name: proto(name), Help: proto(help), Type: &gauge, Metric: make([]*dto.Metric, 0, len(list))}
	}
	up := fam("smtpdoctor_monitor_up", "1 when the monitor's state is ok or warning, 0 when failing; absent while pending.")
	failing := fam("smtpdoctor_monitor_failing", "1 while the monitor is failing, labelled with the diagnosis code it fails with.")
	duration := fam("smtpdoctor_monitor_last_duration_seconds", "How long the monitor's last run took.")
	lastRun := fam("smtpdoctor_monitor_last_run_timestamp_seconds", "When the monitor's last run ended (Unix time).")
	cert := fam("smtpdoctor_monitor_cert_expiry_timestamp_seconds", "When the certificate the server presented on the last run expires (Unix time).")
	hold := fam("smtpdoctor_monitor_login_paused", "1 while the monitor has stopped logging in after a refused login (it still checks the server).")
	for _, mon := range list {
		c := m.series(mon)
		st := mon.Status
		switch st.State {
		case watch.StateOK, watch.StateWarning:
			up.Metric = append(up.Metric, c.up.set(1))
		case watch.StateFailing:
			up.Metric = append(up.Metric, c.up.set(0))
			code := boundedCode(st.Code)
			if c.code != code {
				c.code, c.failing = code, newSample(label("code", code), c.id)
			}
			failing.Metric = append(failing.Metric, c.failing.set(1))
		}
		if l := st.Last; l != nil {
			duration.Metric = append(duration.Metric, c.duration.set(float64(l.DurationMS)/1000))
			lastRun.Metric = append(lastRun.Metric, c.lastRun.set(float64(l.At.Unix())))
			if !l.CertNotAfter.IsZero() {
				cert.Metric = append(cert.Metric, c.cert.set(float64(l.CertNotAfter.Unix())))
			}
		}
		if st.Hold != nil {
			hold.Metric = append(hold.Metric, c.hold.set(1))
		}
	}
	for id, c := range m.cache {
		if c.gen != m.gen {
			delete(m.cache, id) // a deleted monitor
		}
	}
	for _, f := range []*dto.MetricFamily{up, failing, duration, lastRun, cert, hold} {
		if len(f.Metric) > 0 {
			mfs = append(mfs, f)
		}
	}
	slices.SortFunc(mfs, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
	return mfs, m.mu.Unlock, err
}

// cached are one monitor's series, kept between scrapes.
type cached struct {
	gen                                  uint64
	name, code                           string
	id                                   *dto.LabelPair
	up, failing, duration, lastRun, cert *gaugeSample
	hold                                 *gaugeSample
}

// series returns mon's cached series, made (or remade, when its name
// changed) as needed. Called with m.mu held.
func (m *Metrics) series(mon watch.Monitor) *cached {
	c := m.cache[mon.ID]
	if c == nil || c.name != mon.Name {
		id := label("monitor", mon.ID)
		c = &cached{name: mon.Name, id: id,
			up:       newSample(id, label("name", mon.Name)),
			duration: newSample(id), lastRun: newSample(id), cert: newSample(id), hold: newSample(id)}
		m.cache[mon.ID] = c
	}
	c.gen = m.gen
	return c
}

// gaugeSample is one gauge series whose value is set in place.
type gaugeSample struct {
	m *dto.Metric
	v float64
}

func newSample(labels ...*dto.LabelPair) *gaugeSample {
	g := &gaugeSample{}
	g.m = &dto.Metric{Label: labels, Gauge: &dto.Gauge{Value: &g.v}}
	return g
}

func (g *gaugeSample) set(v float64) *dto.Metric {
	g.v = v
	return g.m
}

func proto(s string) *string { return &s }

func label(name, value string) *dto.LabelPair {
	return &dto.LabelPair{Name: proto(name), Value: proto(value)}
}
