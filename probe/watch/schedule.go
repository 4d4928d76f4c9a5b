package watch

import (
	"container/heap"
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Scheduler keeps every monitor's next due time in a min-heap and hands out
// monitors as they come due. With ten thousand monitors a tick costs a heap
// pop (log n), not a scan; one timer sleeps until the earliest due time and
// is reset whenever an earlier one arrives.
//
// A monitor handed out is no longer in the heap: the caller decides its
// next due time (NextDue) and Sets it again, usually at once, so a slow run
// never delays the schedule and a monitor is never run twice at the same
// time by the scheduler alone.
type Scheduler struct {
	mu   sync.Mutex
	h    dueHeap
	byID map[string]*dueItem
	wake chan struct{}
}

// NewScheduler returns an empty scheduler.
func NewScheduler() *Scheduler {
	return &Scheduler{byID: map[string]*dueItem{}, wake: make(chan struct{}, 1)}
}

// Set schedules id at due, replacing any due time it had.
func (s *Scheduler) Set(id string, due time.Time) {
	s.mu.Lock()
	if it, ok := s.byID[id]; ok {
		it.due = due
		heap.Fix(&s.h, it.index)
	} else {
		it := &dueItem{id: id, due: due}
		s.byID[id] = it
		heap.Push(&s.h, it)
	}
	first := s.h[0].id == id
	s.mu.Unlock()
	if first {
		s.poke()
	}
}

// Remove unschedules id (a deleted monitor).
func (s *Scheduler) Remove(id string) {
	s.mu.Lock()
	if it, ok := s.byID[id]; ok {
		heap.Remove(&s.h, it.index)
		delete(s.byID, id)
	}
	s.mu.Unlock()
}

// Due returns id's due time, if it is scheduled.
func (s *Scheduler) Due(id string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it, ok := s.byID[id]; ok {
		return it.due, true
	}
	return time.Time{}, false
}

// Len is how many monitors are scheduled.
func (s *Scheduler) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.h)
}

func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run hands each monitor to fire as it comes due, in due order, until ctx
// ends. fire runs on Run's goroutine and must not block: it starts the run
// elsewhere and Sets the next due time.
func (s *Scheduler) Run(ctx context.Context, fire func(id string, due time.Time)) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		var wait time.Duration
		for {
			s.mu.Lock()
			if len(s.h) == 0 {
				wait = time.Hour
				s.mu.Unlock()
				break
			}
			it := s.h[0]
			now := time.Now()
			if it.due.After(now) {
				wait = it.due.Sub(now)
				s.mu.Unlock()
				break
			}
			heap.Pop(&s.h)
			delete(s.byID, it.id)
			s.mu.Unlock()
			fire(it.id, it.due)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-timer.C:
		}
	}
}

// NextDue is a monitor's next due time after the run that was due at due:
// one interval on, moved by up to ±2% (at most 15 s) so that monitors made
// together drift apart instead of running in lockstep. If that time has
// passed already (runs fell behind), it is made up as after a restart
// (Resume), so a backlog is spread rather than fired at once.
func NextDue(due time.Time, interval time.Duration, now time.Time) time.Time {
	next := due.Add(interval).Add(jitter(interval))
	if next.Before(now) {
		return Resume(next, interval, now)
	}
	return next
}

// Resume is the due time of a stored next run after a restart: kept if it
// is still ahead; if it passed while the process was stopped, spread over
// the next interval (capped at ten minutes), so that ten thousand monitors
// restarted together do not all run in the same second.
func Resume(stored time.Time, interval time.Duration, now time.Time) time.Time {
	if !stored.Before(now) {
		return stored
	}
	spread := min(interval, 10*time.Minute)
	return now.Add(time.Duration(rand.Int64N(int64(spread))))
}

// FirstDue is when a new (or edited) monitor runs first: right away, give
// or take a second, so whoever made it sees a result.
func FirstDue(now time.Time) time.Time {
	return now.Add(time.Duration(rand.Int64N(int64(time.Second))))
}

func jitter(interval time.Duration) time.Duration {
	j := min(interval/50, 15*time.Second)
	if j <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(2*j))) - j
}

type dueItem struct {
	id    string
	due   time.Time
	index int
}

type dueHeap []*dueItem

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if h[i].due.Equal(h[j].due) {
		return h[i].id < h[j].id
	}
	return h[i].due.Before(h[j].due)
}
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *dueHeap) Push(x any) {
	it := x.(*dueItem)
	it.index = len(*h)
	*h = append(*h, it)
}
func (h *dueHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	it.index = -1
	return it
}
