package web

import (
	"context"
	"time"

	"github.com/go-chi/httprate"

	"github.com/smtpdoctor/smtpdoctor/store"
)

// sharedCounter keeps httprate's per-client counts in the database, so that
// several replicas behind one load balancer allow a client ProbeRate
// starts a minute in all, not ProbeRate per replica.
type sharedCounter struct {
	st     *store.Store
	window time.Duration
}

var _ httprate.LimitCounter = (*sharedCounter)(nil)

// counterTimeout bounds one count; a database that does not answer in time
// fails the request rather than hanging it.
const counterTimeout = 5 * time.Second

func (c *sharedCounter) Config(_ int, window time.Duration) { c.window = window }

func (c *sharedCounter) Increment(key string, currentWindow time.Time) error {
	return c.IncrementBy(key, currentWindow, 1)
}

func (c *sharedCounter) IncrementBy(key string, currentWindow time.Time, amount int) error {
	ctx, cancel := context.WithTimeout(context.Background(), counterTimeout)
	defer cancel()
	return c.st.AddHits(ctx, "probe-rate:"+key, currentWindow, amount)
}

func (c *sharedCounter) Get(key string, currentWindow, previousWindow time.Time) (int, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), counterTimeout)
	defer cancel()
	cur, prev, err := c.st.Hits(ctx, "probe-rate:"+key, currentWindow, previousWindow)
	return int(cur), int(prev), err
}
