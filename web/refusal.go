package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
)

// refusal turns the lifecycle's "not now" (at capacity, shutting down) into
// a 503 with Retry-After and the message to show. ok is false for any other
// error, which is the server's fault.
func refusal(w http.ResponseWriter, err error) (status int, msg string, ok bool) {
	var ce *attempt.CapacityError
	switch {
	case errors.As(err, &ce):
		w.Header().Set("Retry-After", strconv.Itoa(int(ce.RetryAfter.Seconds())))
		return http.StatusServiceUnavailable, ce.Msg, true
	case errors.Is(err, attempt.ErrShuttingDown):
		w.Header().Set("Retry-After", "10")
		return http.StatusServiceUnavailable, err.Error(), true
	}
	return 0, "", false
}
