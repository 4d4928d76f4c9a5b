package web

import (
	"net/http"

	"github.com/smtpdoctor/smtpdoctor/store"
)

// noteStoreError remembers a store error that says the database file is
// damaged: from then on /healthz fails, so that monitoring sees what the
// pages' 500s say. Only a restored database mends that, so it stays
// until the restart.
func (s *Server) noteStoreError(err error) {
	if err != nil && store.IsCorrupt(err) {
		msg := err.Error()
		s.corrupt.CompareAndSwap(nil, &msg)
	}
}

// healthz is GET /healthz: 200 when the database answers (and was not
// found damaged).
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if msg := s.corrupt.Load(); msg != nil {
		http.Error(w, "database damaged: "+*msg+"; restore it from a backup and restart", http.StatusServiceUnavailable)
		return
	}
	if err := s.store.Ping(r.Context()); err != nil {
		s.log.ErrorContext(r.Context(), "health check", "request_id", reqID(r.Context()), "err", err)
		s.noteStoreError(err)
		http.Error(w, "database not answering", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}

// readyz is GET /readyz, readiness as opposed to /healthz's liveness: 200
// when the database can be written now (a heartbeat write goes through),
// 503 when it cannot (a full disk, a read-only or damaged file). A load
// balancer should send no new work to a dashboard that is not ready, but
// there is no need to restart it: it becomes ready by itself once the
// write succeeds again.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if msg := s.corrupt.Load(); msg != nil {
		http.Error(w, "not ready: database damaged: "+*msg, http.StatusServiceUnavailable)
		return
	}
	if err := s.store.Ready(r.Context()); err != nil {
		s.log.WarnContext(r.Context(), "readiness check", "request_id", reqID(r.Context()), "err", err)
		s.noteStoreError(err)
		http.Error(w, "not ready: the database cannot be written: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}
