package web

import "net/http"

// guide is GET /guide: every diagnosis explained, with anchors the
// diagnosis links point to.
func (s *Server) guide(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	guidePage(guideSections()).Render(r.Context(), w)
}
