package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsHandler is GET /metrics in the Prometheus text format, from the
// dashboard's own registry (probe/watch/metrics).
func (s *Server) metricsHandler() http.Handler {
	if s.cfg.Metrics == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.clientError(w, r, http.StatusNotFound, "Not found", "This dashboard serves no metrics.")
		})
	}
	// No gzip: at ten thousand monitors compressing the 3 MB answer was
	// a third of a scrape's CPU, and scrapes travel a LAN; a reverse proxy
	// may compress if the bandwidth matters more.
	return promhttp.HandlerForTransactional(s.cfg.Metrics, promhttp.HandlerOpts{
		ErrorLog:           slogPrinter{s},
		ErrorHandling:      promhttp.ContinueOnError,
		DisableCompression: true,
	})
}

// slogPrinter passes promhttp's error lines to the dashboard's log.
type slogPrinter struct{ s *Server }

func (p slogPrinter) Println(v ...any) { p.s.log.Error("metrics", "err", v) }
