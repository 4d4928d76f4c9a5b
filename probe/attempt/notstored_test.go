package attempt_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// fullStore refuses every write while full is set, as a full disk does.
type fullStore struct {
	*store.Store
	full atomic.Bool
}

func (f *fullStore) Save(ctx context.Context, r probe.Result) error {
	if f.full.Load() {
		return errors.New("database or disk is full (13)")
	}
	return f.Store.Save(ctx, r)
}

func (f *fullStore) CreateIfAbsent(ctx context.Context, r probe.Result) error {
	if f.full.Load() {
		return errors.New("database or disk is full (13)")
	}
	return f.Store.CreateIfAbsent(ctx, r)
}

// Start never hands out an id that is not stored: with the store full it
// fails with ErrNotStored, waiting or not.
func TestStartRefusesWhatCannotBeStored(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	fs := &fullStore{Store: openStore(t)}
	l := newLifecycle(t, fs, attempt.Config{})
	fs.full.Store(true)
	for _, wait := range []time.Duration{0, 10 * time.Second} {
		s, err := l.Start(t.Context(), attempt.Request{Settings: plain(srv), Wait: wait})
		if !errors.Is(err, attempt.ErrNotStored) || s.ID != "" {
			t.Errorf("Start (wait %v) on a full store = %+v, %v; want ErrNotStored and no id", wait, s, err)
		}
	}
}

// An attempt whose final write fails (the disk filled while it ran) is
// served from memory as finished, and stored by itself once the store
// takes writes again.
func TestFinishedAttemptIsStoredOnceTheStoreRecovers(t *testing.T) {
	gate := make(chan struct{})
	srv := smtptest.Start(t, smtptest.Script{Hook: func(s *smtptest.Session, line string) bool {
		if strings.HasPrefix(strings.ToUpper(line), "EHLO") {
			<-gate
		}
		return false
	}})
	fs := &fullStore{Store: openStore(t)}
	l := newLifecycle(t, fs, attempt.Config{})
	s, err := l.Start(t.Context(), attempt.Request{Settings: plain(srv)})
	if err != nil {
		t.Fatal(err)
	}
	fs.full.Store(true)
	close(gate)
	r, done, err := l.Wait(t.Context(), s.ID)
	if err != nil || !done || r.Status != probe.StatusDone {
		t.Fatalf("Wait = %q %v %v", r.Status, done, err)
	}
	if got, err := l.Get(t.Context(), s.ID); err != nil || got.Status != probe.StatusDone {
		t.Errorf("while the store is full, Get = %q, %v; want the finished result from memory", got.Status, err)
	}
	if stored, _ := fs.Store.Get(t.Context(), s.ID); stored.Status == probe.StatusDone {
		t.Fatalf("the final write went through although the store was full")
	}
	fs.full.Store(false)
	deadline := time.Now().Add(20 * time.Second)
	for {
		stored, err := fs.Store.Get(t.Context(), s.ID)
		if err == nil && stored.Status == probe.StatusDone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the finished attempt never reached the store: %q, %v", stored.Status, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
