package web

import (
	"errors"
	"net/http"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
)

// tryGroupEvents is GET /try/{id}/events: the try-all's matrix as
// server-sent events, the same stream a probe's permalink follows (events
// "progress" with the fragment the page shows, then "done", when the page
// reloads for the verdict). A try-all running on another replica sharing
// the database is followed through the store: its rows' attempts and the
// group itself are announced there as they are written.
func (s *Server) tryGroupEvents(w http.ResponseWriter, r *http.Request) {
	g, ok := s.loadGroup(w, r)
	if !ok {
		return
	}
	rc := startStream(w)
	fragment := func(g discover.Group) templ.Component { return tryMatrix(s.tryGroupView(r, g)) }
	if live := s.attempts.WatchGroup(g.ID); live != nil {
		s.stream(w, r, rc, func() (templ.Component, <-chan struct{}, bool) {
			cur, changed, done := live.Snapshot()
			return fragment(cur), changed, done
		})
		return
	}
	if g.Running {
		if changes, ok := s.attempts.FollowGroup(r.Context(), g); ok {
			s.stream(w, r, rc, func() (templ.Component, <-chan struct{}, bool) {
				if cur, err := s.attempts.Group(r.Context(), g.ID); err == nil {
					g = cur
				}
				return fragment(g), changes, !g.Running
			})
			return
		}
	}
	// Finished before the stream opened (or here a moment ago): the last
	// state, then done.
	s.stream(w, r, rc, func() (templ.Component, <-chan struct{}, bool) { return fragment(g), nil, true })
}

// cancelTryGroup is POST /try/{id}/cancel: stop every row of a try-all
// still running, as the permalink's Cancel stops one test. Rows that have
// ended keep their result; the others are kept as cancelled with the steps
// they finished. Cancelling a try-all that has just finished is not an
// error: the finished one is shown.
func (s *Server) cancelTryGroup(w http.ResponseWriter, r *http.Request) {
	id, ok := attempt.ParseID(chi.URLParam(r, "id"))
	if !ok {
		s.clientError(w, r, http.StatusNotFound, "No such try-all", "That link does not name a try-all.")
		return
	}
	if err := s.attempts.CancelGroup(id); err != nil && !errors.Is(err, attempt.ErrNotRunning) {
		s.serverError(w, r, "cancelling the try-all", err)
		return
	}
	// Wait for the group's final write, so the page that follows shows
	// the verdict rather than a last "running" snapshot.
	s.attempts.WaitGroup(r.Context(), id)
	http.Redirect(w, r, "/try/"+id, http.StatusSeeOther)
}
