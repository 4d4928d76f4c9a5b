package web

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

func TestRetentionPrunesOldAttempts(t *testing.T) {
	e := newEnv(t, Config{Retention: 24 * time.Hour})
	old := e.storedAttempt(func(r *probe.Result) { r.StartedAt = time.Now().Add(-48 * time.Hour) })
	recent := e.storedAttempt(nil)
	e.srv.prune(context.Background())
	if _, err := e.store.Get(context.Background(), old); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an attempt past retention survived: %v", err)
	}
	if _, err := e.store.Get(context.Background(), recent); err != nil {
		t.Errorf("a recent attempt was pruned: %v", err)
	}
}

func TestNewRefusesHalfBasicAuth(t *testing.T) {
	e := newEnv(t, Config{})
	if _, err := New(Config{BasicUser: "admin"}, e.store, e.attempts); err == nil {
		t.Error("basic auth without a hash accepted")
	}
	if _, err := New(Config{}, nil, e.attempts); err == nil {
		t.Error("nil store accepted")
	}
}
