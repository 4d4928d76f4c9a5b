package web

import (
	"net/http"

	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
)

// guide is GET /guide: every kind of failure explained, one section per
// anchor; diagnoses link to "/guide#<section>".
func (s *Server) guide(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	guidePage(diagnosis.Guide()).Render(r.Context(), w)
}
