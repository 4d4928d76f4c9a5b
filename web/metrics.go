package web

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsMaxAge is how old a rendered exposition may be when served.
const metricsMaxAge = 5 * time.Second

// metricsHandler is GET /metrics in the Prometheus text format, from the
// dashboard's own registry (probe/watch/metrics), served from a cache.
func (s *Server) metricsHandler() http.Handler {
	if s.cfg.Metrics == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.clientError(w, r, http.StatusNotFound, "Not found", "This dashboard serves no metrics.")
		})
	}
	// No gzip: at ten thousand monitors compressing the 3 MB answer was
	// a third of a scrape's CPU, and scrapes travel a LAN; a reverse proxy
	// may compress if the bandwidth matters more.
	h := promhttp.HandlerForTransactional(s.cfg.Metrics, promhttp.HandlerOpts{
		ErrorLog:           slogPrinter{s},
		ErrorHandling:      promhttp.ContinueOnError,
		DisableCompression: true,
	})
	return &metricsCache{render: h, maxAge: metricsMaxAge}
}

// metricsCache serves the exposition promhttp rendered last. At ten
// thousand monitors one render is some 40,000 samples and about 85 ms of
// CPU in the text encoder, which made every scrape that slow, and several
// scrapers (two Prometheus replicas, a person with curl) multiplied it.
//
// A page is served while it is younger than maxAge, and scrapes that come
// together share one render. Scrapers are regular, so after each scrape
// one render is scheduled for shortly before the next one is due (the gap
// since the previous scrape, less half of maxAge): a regular scraper finds
// a page a few seconds old and never waits, at one render per scrape, and
// when scraping stops the renders stop.
type metricsCache struct {
	render http.Handler
	maxAge time.Duration

	renderMu sync.Mutex // one render at a time; waiters share its result

	mu         sync.Mutex
	page       *metricsPage
	lastScrape time.Time
	scheduled  bool // a render before the next scrape is scheduled
}

// metricsPage is one rendered exposition.
type metricsPage struct {
	at          time.Time
	status      int
	contentType string
	body        []byte
}

func (c *metricsCache) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	c.mu.Lock()
	p := c.page
	gap := now.Sub(c.lastScrape)
	first := c.lastScrape.IsZero()
	c.lastScrape = now
	schedule := !first && !c.scheduled
	c.scheduled = c.scheduled || schedule
	c.mu.Unlock()
	if p == nil || now.Sub(p.at) >= c.maxAge {
		p = c.fresh(now, c.maxAge)
	}
	if schedule {
		delay := max(gap-c.maxAge/2, c.maxAge/2)
		time.AfterFunc(delay, c.renderAhead)
	}
	w.Header().Set("Content-Type", p.contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.status)
	w.Write(p.body)
}

// renderAhead is the scheduled render, skipped when a scrape rendered
// recently anyway.
func (c *metricsCache) renderAhead() {
	c.mu.Lock()
	c.scheduled = false
	c.mu.Unlock()
	c.fresh(time.Now(), c.maxAge/2)
}

// fresh returns a page younger than maxAge at now, rendering it unless a
// render under way (or just finished) already made one.
func (c *metricsCache) fresh(now time.Time, maxAge time.Duration) *metricsPage {
	c.renderMu.Lock()
	defer c.renderMu.Unlock()
	c.mu.Lock()
	p := c.page
	c.mu.Unlock()
	if p != nil && now.Sub(p.at) < maxAge {
		return p
	}
	at := time.Now()
	// A scrape's own Accept header is not passed on: every scraper gets
	// the text format (version 0.0.4), which Prometheus and every other
	// scraper read, so one render serves all.
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	rec := &pageRecorder{header: http.Header{}, status: http.StatusOK}
	c.render.ServeHTTP(rec, req)
	p = &metricsPage{at: at, status: rec.status, contentType: rec.header.Get("Content-Type"), body: rec.body.Bytes()}
	c.mu.Lock()
	c.page = p
	c.mu.Unlock()
	return p
}

// pageRecorder keeps what promhttp writes.
type pageRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *pageRecorder) Header() http.Header         { return r.header }
func (r *pageRecorder) WriteHeader(status int)      { r.status = status }
func (r *pageRecorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// slogPrinter passes promhttp's error lines to the dashboard's log.
type slogPrinter struct{ s *Server }

func (p slogPrinter) Println(v ...any) { p.s.log.Error("metrics", "err", v) }
