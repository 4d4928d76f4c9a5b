package web

import (
	"log/slog"
	"net/http"
)

// serverError is the one place a handler's unexpected failure is logged
// (with the request id) and turned into a 500 page that shows that id.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, doing string, err error) {
	id := reqID(r.Context())
	s.log.ErrorContext(r.Context(), "request failed", "request_id", id, "doing", doing, "err", err)
	s.noteStoreError(err)
	if wantsJSON(r) {
		writeJSON(w, http.StatusInternalServerError, apiError{Error: "internal error while " + doing + "; request id " + id})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	errorPage(http.StatusInternalServerError, "Something went wrong on our side",
		"The dashboard could not finish "+doing+". If it keeps happening, give the operator this request id: "+id).Render(r.Context(), w)
}

// clientError shows a 4xx/5xx page with a message for the user.
func (s *Server) clientError(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	if wantsJSON(r) {
		writeJSON(w, status, apiError{Error: msg})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	errorPage(status, title, msg).Render(r.Context(), w)
}

func levelFor(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}
