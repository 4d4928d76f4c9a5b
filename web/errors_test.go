package web

import (
	"net/http"
	"strings"
	"testing"
)

// A failure inside a handler is logged once, with the request id that the
// error page shows, so a user's report can be matched to the log.
func TestServerErrorCarriesRequestID(t *testing.T) {
	e := newEnv(t, Config{})
	e.store.Close() // every query now fails
	resp, body := e.get("/history")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("GET /history on a closed store = %d", resp.StatusCode)
	}
	id := resp.Header.Get("X-Request-Id")
	if id == "" || !strings.Contains(body, id) {
		t.Errorf("the error page does not show the request id %q", id)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "request_id="+id) || !strings.Contains(logs, "request failed") {
		t.Errorf("the log lacks the failure with request id %s:\n%s", id, logs)
	}
	if resp, _ := e.get("/healthz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/healthz on a closed store = %d", resp.StatusCode)
	}
}
