package web

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
)

// cancelAttempt is POST /p/{id}/cancel: stop a test that waits on a slow
// or silent server. The attempt is kept, interrupted, with the steps that
// finished and a diagnosis saying it was cancelled; the page reloads to
// show it. Cancelling a test that has just finished is not an error: the
// finished test is shown.
func (s *Server) cancelAttempt(w http.ResponseWriter, r *http.Request) {
	id, ok := attempt.ParseID(chi.URLParam(r, "id"))
	if !ok {
		s.clientError(w, r, http.StatusNotFound, "No such test", "That link does not name a test.")
		return
	}
	if err := s.attempts.Cancel(id); err != nil && !errors.Is(err, attempt.ErrNotRunning) {
		s.serverError(w, r, "cancelling the test", err)
		return
	}
	// Wait for the final write, so the page that follows shows the
	// cancelled test rather than a last "running" snapshot.
	s.attempts.Wait(r.Context(), id)
	http.Redirect(w, r, "/p/"+id, http.StatusSeeOther)
}
