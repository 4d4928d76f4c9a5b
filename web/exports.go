package web

import (
	"net/http"

	"github.com/smtpdoctor/smtpdoctor/probe/report"
)

// exportJSON is GET /p/{id}.json: the result as the API gives it.
func (s *Server) exportJSON(w http.ResponseWriter, r *http.Request) {
	res, ok := s.loadAttempt(w, r)
	if !ok {
		return
	}
	writeJSONIndent(w, http.StatusOK, s.exported(r, res), "  ")
}

// exportText is GET /p/{id}.txt: a plain-text report to paste in a ticket,
// written as `smtpdoctor probe` writes it on a terminal.
func (s *Server) exportText(w http.ResponseWriter, r *http.Request) {
	res, ok := s.loadAttempt(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// A write error means the reader went away; the status is sent already.
	_ = report.Write(w, res, report.Options{Link: s.absURL(r, "/p/"+res.ID)})
}
