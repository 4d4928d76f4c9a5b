package web

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// events is GET /p/{id}/events: server-sent events for live progress. Each
// "progress" event carries the same HTML fragment the page shows (steps and
// transcript so far), rendered by the same templ component; "done" tells
// the page to reload for the full report. Without JavaScript the page
// refreshes itself instead.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	res, ok := s.loadAttempt(w, r)
	if !ok {
		return
	}
	rc := startStream(w)
	live := s.attempts.Watch(res.ID)
	if live == nil && isLive(res) {
		// Running on another replica sharing the database: follow it
		// through the store.
		if changes, ok := s.attempts.Follow(r.Context(), res.ID); ok {
			s.followStored(w, r, rc, res, changes)
			return
		}
	}
	if live == nil || !isLive(res) {
		// Finished before the stream opened (a fast server): the last
		// state, then done, as a stream that watched it all would end.
		s.stream(w, r, rc, func() (templ.Component, <-chan struct{}, bool) {
			return progress(res, s.attempts.StepTimeout()), nil, true
		})
		return
	}
	s.stream(w, r, rc, func() (templ.Component, <-chan struct{}, bool) {
		cur, changed, done := live.Snapshot()
		return progress(cur, s.attempts.StepTimeout()), changed, done
	})
}

// startStream answers with the headers of an event stream, and lifts the
// write deadline: a probe, or a try-all, may outlast the server's
// WriteTimeout; the stream must not.
func startStream(w http.ResponseWriter) *http.ResponseController {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	w.WriteHeader(http.StatusOK)
	return rc
}

// followStored streams an attempt that another replica runs: each change
// it writes to the shared store (announced to every replica) is read back
// and sent, until it finishes.
func (s *Server) followStored(w http.ResponseWriter, r *http.Request, rc *http.ResponseController, res probe.Result, changes <-chan struct{}) {
	s.stream(w, r, rc, func() (templ.Component, <-chan struct{}, bool) {
		if cur, err := s.attempts.Get(r.Context(), res.ID); err == nil {
			res = cur
		}
		return progress(res, s.attempts.StepTimeout()), changes, !isLive(res)
	})
}

// stream sends the live fragment of a page (an attempt's progress, a
// try-all's matrix) each time it changes, and "done" once it has finished.
// snapshot returns the fragment as it is now, a channel that signals the
// next change, and whether it has finished.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, rc *http.ResponseController, snapshot func() (templ.Component, <-chan struct{}, bool)) {
	// A comment line now and then keeps proxies from closing a stream
	// that is quiet while the server thinks (a slow AUTH backend).
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	var buf bytes.Buffer
	for {
		fragment, changed, done := snapshot()
		buf.Reset()
		if err := fragment.Render(r.Context(), &buf); err != nil {
			return
		}
		writeEvent(w, "progress", buf.String())
		if done {
			writeEvent(w, "done", "")
		}
		if err := rc.Flush(); err != nil || done {
			return
		}
	wait:
		select {
		case <-r.Context().Done():
			return
		case <-keepalive.C:
			if _, err := w.Write([]byte(": keepalive\n\n")); err != nil || rc.Flush() != nil {
				return
			}
			goto wait
		case <-changed:
			// Closed at the next change (a job of this process) or
			// signalled (the store, for another replica's attempt or
			// try-all; closed only when the request ends).
		}
	}
}

// writeEvent writes one SSE event; every line of data gets its own
// "data:" prefix (the HTML spec's event stream format).
func writeEvent(w http.ResponseWriter, name, data string) {
	var b strings.Builder
	b.WriteString("event: ")
	b.WriteString(name)
	b.WriteByte('\n')
	for line := range strings.SplitSeq(strings.ReplaceAll(data, "\r", ""), "\n") {
		b.WriteString("data: ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	w.Write([]byte(b.String()))
}
