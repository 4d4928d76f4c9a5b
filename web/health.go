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
