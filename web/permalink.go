package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// permalinkView is what the permalink page shows.
type permalinkView struct {
	R       probe.Result
	URL     string // absolute permalink, shown as text and copied by the button
	Live    bool   // queued or running: the page updates itself
	Changes []change
	LastOK  *probe.Result
	// PrevID is the test of the same server before this one, to compare
	// with; "" if none.
	PrevID string
	// StepLimit is how long a step may wait, shown beside a live wait.
	StepLimit time.Duration
	// Snippets are the settings that worked for each client, and the
	// replays; empty while live.
	Snippets snippetSet
	// Ticket is the report as Markdown for a ticket; "" while live.
	Ticket string
	// Shared is set when someone without access opens a public permalink:
	// the page then shows this attempt alone, with no link or id of
	// another attempt and nothing about other people's tests.
	Shared bool
}

func isLive(r probe.Result) bool { return attempt.IsLive(r) }

// loadAttempt reads the {id} of the route: the live snapshot when the
// probe runs in this process (fresher than the store), else the store.
// It answers the request itself (404, 500) when it returns ok=false.
func (s *Server) loadAttempt(w http.ResponseWriter, r *http.Request) (probe.Result, bool) {
	id, ok := attempt.ParseID(chi.URLParam(r, "id"))
	if !ok {
		s.clientError(w, r, http.StatusNotFound, "No such test", "That link does not name a test. Check that it was copied whole.")
		return probe.Result{}, false
	}
	res, err := s.attempts.Get(r.Context(), id)
	if err != nil {
		s.notFoundOr(w, r, "loading the test", err)
		return probe.Result{}, false
	}
	return forSharing(res), true
}

// notFoundOr turns store.ErrNotFound into a 404 page and anything else
// into a logged 500.
func (s *Server) notFoundOr(w http.ResponseWriter, r *http.Request, doing string, err error) {
	if errors.Is(err, store.ErrNotFound) {
		s.clientError(w, r, http.StatusNotFound, "No such test",
			"There is no test at this link. It may have been deleted, or removed after the retention period.")
		return
	}
	s.serverError(w, r, doing, err)
}

// permalink is GET /p/{id}.
func (s *Server) permalink(w http.ResponseWriter, r *http.Request) {
	res, ok := s.loadAttempt(w, r)
	if !ok {
		return
	}
	v := permalinkView{R: res, URL: s.absURL(r, "/p/"+res.ID), Live: isLive(res), Shared: !s.hasAccess(r), StepLimit: s.attempts.StepTimeout()}
	if !v.Shared && res.Status == probe.StatusDone && res.Outcome == probe.OutcomeFailure && res.Kind != probe.KindExplain {
		last, err := s.store.LastSuccessBefore(r.Context(), res.Settings.Host, res.Settings.Port, res.StartedAt)
		switch {
		case err == nil:
			v.LastOK = &last
			v.Changes = diffResults(last, res)
		case !errors.Is(err, store.ErrNotFound):
			s.log.WarnContext(r.Context(), "find the last success", "request_id", reqID(r.Context()), "err", err)
		}
	}
	if !v.Live && !v.Shared {
		v.PrevID = s.previousAttempt(r, res)
		v.Snippets = snippetsFor(res)
		v.Ticket = s.ticketFor(r, res)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if v.Live {
		w.Header().Set("Cache-Control", "no-store")
	} else {
		w.Header().Set("Cache-Control", "private, no-cache")
	}
	permalinkPage(v).Render(r.Context(), w)
}

// hasAccess reports whether the request may see more than the one attempt
// its permalink names: always without access control, and when signed in.
func (s *Server) hasAccess(r *http.Request) bool {
	return !s.auth.enabled() || s.auth.ok(r)
}

// deleteAttempt is POST /p/{id}/delete.
func (s *Server) deleteAttempt(w http.ResponseWriter, r *http.Request) {
	id, ok := attempt.ParseID(chi.URLParam(r, "id"))
	if !ok {
		s.clientError(w, r, http.StatusNotFound, "No such test", "That link does not name a test.")
		return
	}
	if s.attempts.Running(id) {
		s.clientError(w, r, http.StatusConflict, "Still running", "This test is still running; delete it when it has finished.")
		return
	}
	if err := s.store.Delete(r.Context(), id); err != nil {
		s.notFoundOr(w, r, "deleting the test", err)
		return
	}
	http.Redirect(w, r, "/history?deleted=1", http.StatusSeeOther)
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
