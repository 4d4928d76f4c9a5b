package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
)

// refusal turns the lifecycle's "not now" (at capacity, shutting down, a
// database that cannot be written) into a 503 with Retry-After and the
// message to show. ok is false for any other error, which is the server's
// fault.
func (s *Server) refusal(w http.ResponseWriter, r *http.Request, err error) (status int, msg string, ok bool) {
	var ce *attempt.CapacityError
	switch {
	case errors.Is(err, attempt.ErrNotStored):
		// The details (and the id that was not handed out) go to the log.
		s.log.ErrorContext(r.Context(), "a test could not be stored", "request_id", reqID(r.Context()), "err", err)
		s.noteStoreError(err)
		w.Header().Set("Retry-After", "30")
		return http.StatusServiceUnavailable, "the database could not store the test (its disk may be full, or the database read-only), " +
			"so nothing was kept and there is no link to it; try again later, and if it persists tell the operator (request id " + reqID(r.Context()) + ")", true
	case errors.As(err, &ce):
		w.Header().Set("Retry-After", strconv.Itoa(int(ce.RetryAfter.Seconds())))
		return http.StatusServiceUnavailable, ce.Msg, true
	case errors.Is(err, attempt.ErrShuttingDown):
		w.Header().Set("Retry-After", "10")
		return http.StatusServiceUnavailable, err.Error(), true
	}
	return 0, "", false
}
