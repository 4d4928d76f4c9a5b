package web

import (
	"net/http"
	"strconv"
	"sync"
)

// Live-progress streams stay open while a probe runs, each holding a
// connection, a goroutine and buffers (about 40 KB). Without a bound a
// client could open thousands and take the dashboard's memory; so they are
// capped per client (by clientKey) and in all, and a stream beyond either
// cap is refused with 503 and Retry-After. The page then falls back to
// reloading itself, as without JavaScript.
type streamLimiter struct {
	perClient, total int

	mu       sync.Mutex
	open     int
	byClient map[string]int
}

func newStreamLimiter(perClient, total int) *streamLimiter {
	return &streamLimiter{perClient: perClient, total: total, byClient: map[string]int{}}
}

// acquire takes a place for key, or says which cap is reached.
func (l *streamLimiter) acquire(key string) (ok bool, why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.open >= l.total:
		return false, "the dashboard already streams live progress to " + strconv.Itoa(l.open) + " viewers, as many as it allows"
	case l.byClient[key] >= l.perClient:
		return false, "you already have " + strconv.Itoa(l.byClient[key]) + " live progress streams open, as many as this dashboard allows per client; close some tabs"
	}
	l.open++
	l.byClient[key]++
	return true, ""
}

func (l *streamLimiter) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.byClient[key]--; l.byClient[key] <= 0 {
		delete(l.byClient, key)
	}
}

// limitStreams wraps the events handler in the stream caps.
func (s *Server) limitStreams(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := s.clientKey(r)
		ok, why := s.streams.acquire(key)
		if !ok {
			w.Header().Set("Retry-After", "10")
			http.Error(w, why+"; the page reloads itself instead.", http.StatusServiceUnavailable)
			return
		}
		defer s.streams.release(key)
		next(w, r)
	}
}
