package web

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics exposition is rendered at most this often; scrapes in between
// are served the bytes of the last render.
const (
	metricsMaxAge = 5 * time.Second
	// metricsIdle is how long after the last scrape the exposition is
	// still refreshed in the background. Prometheus scrapes every 15 s to
	// 1 min by default, so a scraper keeps the refresh going and is never
	// the one to wait for a render.
	metricsIdle = 2 * time.Minute
)

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
	return &metricsCache{render: h, maxAge: metricsMaxAge, idle: metricsIdle}
}

// metricsCache serves the exposition promhttp rendered last. At ten
// thousand monitors one render is some 40,000 samples and about 85 ms of
// CPU in the text encoder; a render per scrape made every scrape that
// slow, and several scrapers (two Prometheus replicas, a person with curl)
// multiplied it. Now a render happens at most every maxAge, in the
// background while scrapes keep coming, and concurrent scrapes share it:
// a scrape serves bytes at most maxAge old.
type metricsCache struct {
	render http.Handler
	maxAge time.Duration
	idle   time.Duration

	renderMu sync.Mutex // one render at a time; waiters share its result

	mu         sync.Mutex
	page       *metricsPage
	lastScrape time.Time
	refreshing bool
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
	c.lastScrape = now
	p := c.page
	startRefresh := !c.refreshing
	c.refreshing = true
	c.mu.Unlock()
	if p == nil || now.Sub(p.at) >= c.maxAge {
		p = c.fresh(now)
	}
	if startRefresh {
		go c.refreshLoop()
	}
	w.Header().Set("Content-Type", p.contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.status)
	w.Write(p.body)
}

// fresh returns a page rendered at or after since, rendering it unless a
// render under way (or just finished) already did.
func (c *metricsCache) fresh(since time.Time) *metricsPage {
	c.renderMu.Lock()
	defer c.renderMu.Unlock()
	c.mu.Lock()
	p := c.page
	c.mu.Unlock()
	if p != nil && since.Sub(p.at) < c.maxAge {
		return p // rendered while this scrape waited for the lock
	}
	return c.renderNow()
}

// renderNow renders the exposition through promhttp into memory. Called
// with renderMu held.
func (c *metricsCache) renderNow() *metricsPage {
	at := time.Now()
	// A scrape's own Accept header is not passed on: every scraper gets
	// the text format (version 0.0.4), which Prometheus and every other
	// scraper read, so one render serves all.
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	rec := &pageRecorder{header: http.Header{}, status: http.StatusOK}
	c.render.ServeHTTP(rec, req)
	p := &metricsPage{at: at, status: rec.status, contentType: rec.header.Get("Content-Type"), body: rec.body.Bytes()}
	c.mu.Lock()
	c.page = p
	c.mu.Unlock()
	return p
}

// refreshLoop renders every maxAge while scrapes keep coming, so that a
// scrape finds bytes ready; it ends once no scrape came for idle.
func (c *metricsCache) refreshLoop() {
	t := time.NewTicker(c.maxAge)
	defer t.Stop()
	for range t.C {
		c.mu.Lock()
		if time.Since(c.lastScrape) > c.idle {
			c.refreshing = false
			c.page = nil // nobody reads it; do not keep 3 MB for nobody
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		c.renderMu.Lock()
		c.renderNow()
		c.renderMu.Unlock()
	}
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
