package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/metrics"
)

// Scrapes that come together share one render: the monitors are read
// once, and every scraper gets the same text exposition.
func TestMetricsScrapesShareOneRender(t *testing.T) {
	var reads atomic.Int32
	mets := metrics.New(func() []watch.Monitor {
		reads.Add(1)
		return []watch.Monitor{{ID: "m1", Name: "Office", Status: watch.Status{State: watch.StateOK}}}
	})
	// An hour: no scheduled render and no expiry during the test, so
	// the count below depends on sharing alone.
	c := &metricsCache{render: promhttp.HandlerForTransactional(mets, promhttp.HandlerOpts{DisableCompression: true}),
		maxAge: time.Hour}
	hs := httptest.NewServer(c)
	defer hs.Close()
	const scrapers = 8
	bodies := make([]string, scrapers)
	var wg sync.WaitGroup
	for i := range scrapers {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, hs.URL, nil)
			req.Header.Set("Accept", "application/openmetrics-text;version=1.0.0")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
				t.Errorf("Content-Type %q, want the text format", ct)
			}
			b, _ := io.ReadAll(resp.Body)
			bodies[i] = string(b)
		})
	}
	wg.Wait()
	if n := reads.Load(); n != 1 {
		t.Errorf("%d renders for %d scrapes, want 1", n, scrapers)
	}
	for i, b := range bodies {
		if !strings.Contains(b, `smtpdoctor_monitor_up{monitor="m1",name="Office"} 1`) {
			t.Errorf("scrape %d lacks the monitor: %.200s", i, b)
		}
	}
}
