package attempt

import (
	"context"
	"fmt"
	"time"
)

// Shutdown refuses new attempts, lets those in flight finish until ctx is
// done, then cancels them: each saves itself as interrupted (diagnosis
// probe.interrupted: the dashboard stopped, the server did not time out),
// and whatever still claims to be queued or running in the store is marked
// interrupted too.
func (l *Lifecycle) Shutdown(ctx context.Context) error {
	l.mu.Lock()
	l.closing = true
	l.mu.Unlock()
	finished := make(chan struct{})
	go func() {
		l.wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		l.cancel()
		return nil
	case <-ctx.Done():
	}
	l.cancel()
	// Cancelled probes end within moments; wait a little for their own
	// interrupted writes, which carry the diagnosis.
	select {
	case <-finished:
	case <-time.After(3 * time.Second):
	}
	mctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := l.cfg.Store.MarkInterrupted(mctx)
	if err != nil {
		return fmt.Errorf("attempt: shutdown: %w", err)
	}
	if n > 0 {
		l.log.Warn("marked unfinished attempts interrupted", "count", n)
	}
	return nil
}
