package web

import (
	"net/http"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
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
	set, sec, fe := validate(in, s.policy)
	if fe != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid settings: " + fe.Error(), Fields: fe})
		return
	}
	started, err := s.attempts.Start(r.Context(), attempt.Request{Settings: set, Secret: sec, Wait: wait})
	if err != nil {
		if status, msg, ok := s.refusal(w, r, err); ok {
			writeJSON(w, status, apiError{Error: msg})
			return
		}
		s.serverError(w, r, "starting the test", err)
		return
	}
	if started.Done {
		writeJSON(w, http.StatusOK, s.exported(r, started.Result))
		return
	}
	w.Header().Set("Location", "/api/v1/probes/"+started.ID)
	writeJSON(w, http.StatusAccepted, apiStarted{ID: started.ID, URL: s.absURL(r, "/p/"+started.ID)})
}

// apiGet is GET /api/v1/probes/{id}: the result JSON, with "id".
func (s *Server) apiGet(w http.ResponseWriter, r *http.Request) {
	res, ok := s.loadAttempt(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.exported(r, res))
}
