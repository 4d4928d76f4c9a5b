package web

import "net/http"

// history is GET /history. TEMPORARY until store.List lands.
func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	s.clientError(w, r, http.StatusNotImplemented, "History", "Not built yet.")
}

func (s *Server) historyCSV(w http.ResponseWriter, r *http.Request) {
	s.clientError(w, r, http.StatusNotImplemented, "History", "Not built yet.")
}

func (s *Server) apiList(w http.ResponseWriter, r *http.Request) {
	s.clientError(w, r, http.StatusNotImplemented, "History", "Not built yet.")
}
