package web

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"

	"github.com/smtpdoctor/smtpdoctor/static"
)

// routes is every URL the dashboard answers (README.md, "Interface
// contract", HTTP).
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.clientIP(), requestID, s.accessLog, s.recoverer, securityHeaders, s.hostGuard, limitBody)
	// Cross-site POSTs (a form on another site aimed at this dashboard)
	// are refused with 403, by Sec-Fetch-Site or Origin.
	r.Use(s.cop.Handler)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.clientError(w, r, http.StatusNotFound, "Not found", "There is nothing at this address.")
	})

	auth := s.auth
	startLimit := s.startLimiter()

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Handle("/static/*", http.StripPrefix("/static", static.Handler()))
	r.Get("/guide", s.guide)

	// Permalinks, their live events and exports: public when the operator
	// says so (the unguessable id is then the capability).
	r.Group(func(r chi.Router) {
		if !s.cfg.PublicPermalinks {
			r.Use(auth.requireAuth)
		}
		r.Get("/p/{id}", s.permalink)
		r.Get("/p/{id}/events", s.limitStreams(s.events))
		r.Get("/p/{id}.json", s.exportJSON)
		r.Get("/p/{id}.txt", s.exportText)
		r.Get("/p/{id}.md", s.exportMarkdown)
		r.Get("/api/v1/probes/{id}", s.apiGet)
		r.Get("/api/v1/probes/{id}/snippets", s.apiSnippets)
	})

	r.Group(func(r chi.Router) {
		r.Use(auth.requireAuth)
		r.Get("/", s.form)
		r.With(s.unlessSandbox(startLimit)).Post("/probes", s.startForm)
		r.With(startLimit).Post("/explain", s.explainForm)
		r.Post("/p/{id}/delete", s.deleteAttempt)
		r.Get("/history", s.history)
		r.Get("/history.csv", s.historyCSV)
		r.Get("/servers", s.servers)
		r.Get("/breakdown", s.breakdown)
		r.Get("/compare", s.compare)
		// GET only shows the form: a GET must not make the dashboard
		// connect anywhere, or any page on the web could aim visitors'
		// browsers at it with a link or an image. POST is cross-origin
		// protected and rate limited like every start.
		r.Get("/try", s.tryForm)
		r.With(s.unlessSandbox(startLimit)).Post("/try", s.tryAll)
		r.Get("/try/{id}", s.tryGroup)
		r.Get("/try/{id}/events", s.limitStreams(s.tryGroupEvents))
		r.Post("/try/{id}/cancel", s.cancelTryGroup)
		r.Post("/p/{id}/cancel", s.cancelAttempt)
		r.With(startLimit).Post("/api/v1/probes", s.apiStart)
		r.With(startLimit).Post("/api/v1/explain", s.apiExplain)
		r.Get("/api/v1/probes", s.apiList)

		r.Get("/monitors", s.monitorsList)
		r.Get("/monitors/new", s.monitorNew)
		// Creating a monitor starts probes, like a test does.
		r.With(startLimit).Post("/monitors", s.monitorCreate)
		r.Get("/monitors/{id}", s.monitorPage)
		r.Get("/monitors/{id}/edit", s.monitorEditForm)
		r.Post("/monitors/{id}/edit", s.monitorEdit)
		r.Post("/monitors/{id}/test", s.monitorAction(s.monitorTest, "test"))
		r.Post("/monitors/{id}/resume", s.monitorAction(s.monitorResume, "resumed"))
		r.Post("/monitors/{id}/password", s.monitorAction(s.monitorPassword, "password"))
		r.Post("/monitors/{id}/delete", s.monitorAction(s.monitorDelete, "deleted"))
		r.With(startLimit).Post("/api/v1/monitors", s.apiMonitorCreate)
		r.Get("/api/v1/monitors", s.apiMonitorList)
		r.Get("/api/v1/monitors/{id}", s.apiMonitorGet)
		r.Put("/api/v1/monitors/{id}", s.apiMonitorUpdate)
		r.Delete("/api/v1/monitors/{id}", s.apiMonitorDelete)
		r.Method(http.MethodGet, "/metrics", s.metricsHandler())
	})
	return r
}

// startLimiter limits how many probes one client address starts per
// minute (ProbeRate).
func (s *Server) startLimiter() func(http.Handler) http.Handler {
	if s.cfg.ProbeRate < 0 {
		return func(h http.Handler) http.Handler { return h }
	}
	opts := []httprate.Option{
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			msg := "You started " + strconv.Itoa(s.cfg.ProbeRate) + " tests in the last minute, as many as this dashboard allows; wait a minute and try again."
			s.clientError(w, r, http.StatusTooManyRequests, "Too many tests", msg)
		}),
	}
	if s.store.Shared() {
		// Replicas share the database: count there, so the limit is
		// per client across all of them.
		opts = append(opts, httprate.WithLimitCounter(&sharedCounter{st: s.store}))
	}
	return httprate.LimitBy(s.cfg.ProbeRate, time.Minute,
		func(r *http.Request) (string, error) { return s.clientKey(r), nil }, opts...)
}

// recoverer turns a panic in a handler into a logged 500.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.serverError(w, r, "answering the request", panicError{v})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type panicError struct{ v any }

func (p panicError) Error() string { return "panic: " + stringify(p.v) }

func stringify(v any) string {
	if e, ok := v.(error); ok {
		return e.Error()
	}
	if s, ok := v.(string); ok {
		return s
	}
	return "non-string panic value"
}

// clientIP decides whose address a request counts against (rate limits,
// logs). By default the TCP peer: X-Forwarded-For is not trusted, so rate
// limits cannot be dodged by sending a header. Behind reverse proxies named
// in TrustedProxies, the rightmost X-Forwarded-For hop that is not one of
// them, as the proxies appended it; otherwise every client behind the proxy
// would share one limit.
func (s *Server) clientIP() func(http.Handler) http.Handler {
	if len(s.cfg.TrustedProxies) == 0 {
		return middleware.ClientIPFromRemoteAddr
	}
	var prefixes []string
	for _, p := range s.cfg.TrustedProxies {
		prefixes = append(prefixes, p.String())
	}
	return middleware.ClientIPFromXFF(prefixes...)
}

// clientKey is whose limit a request counts against: the client address
// (or the TCP peer when a trusted proxy sent no usable X-Forwarded-For).
// An IPv6 client counts by its network (IPv6Prefix bits, a /64 by
// default): one subscriber line or host usually gets a whole /64 (RFC
// 6177), so counting single addresses would give it 2^64 limits.
func (s *Server) clientKey(r *http.Request) string {
	ip := middleware.GetClientIP(r.Context())
	if ip == "" {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			return r.RemoteAddr
		}
		ip = host
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, s.cfg.IPv6Prefix).Masked().String()
}
