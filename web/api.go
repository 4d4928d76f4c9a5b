package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// maxWait bounds ?wait= so a client cannot hold a connection forever.
const maxWait = 2 * time.Minute

type apiStarted struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// apiStart is POST /api/v1/probes: the settings and "password" as JSON.
// 202 {"id","url"} at once; with ?wait=30s, 200 and the finished result if
// it finishes in time, else 202 as without.
func (s *Server) apiStart(w http.ResponseWriter, r *http.Request) {
	var wait time.Duration
	if q := r.URL.Query().Get("wait"); q != "" {
		d, err := time.ParseDuration(q)
		if err != nil || d < 0 {
			writeJSON(w, http.StatusBadRequest, apiError{Error: "wait: want a duration such as 30s"})
			return
		}
		wait = min(d, maxWait)
	}
	in, err := decodeAPIInput(r.Body)
	if err != nil {
		if isTooLarge(err) {
			writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Error: "request body too large (at most 64 KiB)"})
			return
		}
		writeJSON(w, http.StatusBadRequest, apiError{Error: err.Error()})
		return
	}
	set, sec, fe := validate(in, s.policy, probe.SecurityAuto)
	if fe != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid settings: " + fe.Error(), Fields: fe})
		return
	}
	id, err := s.runner.startStored(r.Context(), set, sec, wait == 0)
	if err != nil {
		var ce *capacityError
		switch {
		case errors.As(err, &ce):
			w.Header().Set("Retry-After", strconv.Itoa(int(ce.retryAfter.Seconds())))
			writeJSON(w, http.StatusServiceUnavailable, apiError{Error: ce.msg})
		case errors.Is(err, errShuttingDown):
			w.Header().Set("Retry-After", "10")
			writeJSON(w, http.StatusServiceUnavailable, apiError{Error: err.Error()})
		default:
			s.serverError(w, r, "starting the test", err)
		}
		return
	}
	started := apiStarted{ID: id, URL: absURL(r, "/p/"+id)}
	if wait > 0 {
		ctx, cancel := contextWithTimeout(r, wait)
		defer cancel()
		res, done, err := s.runner.wait(ctx, id)
		if err != nil {
			s.serverError(w, r, "waiting for the test", err)
			return
		}
		if done {
			res.ID = id
			writeJSON(w, http.StatusOK, res)
			return
		}
		if err := s.runner.ensureStored(r.Context(), id); err != nil {
			s.serverError(w, r, "storing the test", err)
			return
		}
	}
	w.Header().Set("Location", "/api/v1/probes/"+id)
	writeJSON(w, http.StatusAccepted, started)
}

// apiGet is GET /api/v1/probes/{id}: the result JSON, with "id".
func (s *Server) apiGet(w http.ResponseWriter, r *http.Request) {
	res, ok := s.loadAttempt(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, exported(r, res))
}
