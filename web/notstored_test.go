package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// fullStore fails every write while full is set, as SQLite does on a full
// disk.
type fullStore struct {
	*store.Store
	full atomic.Bool
}

var errDiskFull = errors.New("database or disk is full (13)")

func (f *fullStore) Save(ctx context.Context, r probe.Result) error {
	if f.full.Load() {
		return errDiskFull
	}
	return f.Store.Save(ctx, r)
}

func (f *fullStore) CreateIfAbsent(ctx context.Context, r probe.Result) error {
	if f.full.Load() {
		return errDiskFull
	}
	return f.Store.CreateIfAbsent(ctx, r)
}

// When the database cannot be written, starting a test answers 503 saying
// so, with no id: never 200 or 202 with an id that then 404s. Once it can
// be written again, tests are stored as before.
func TestNoIDForAnAttemptThatWasNotStored(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	fs := &fullStore{}
	cfg := Config{}
	loopbackOK(&cfg)
	e := newEnvWrapped(t, cfg, attempt.Config{}, func(st *store.Store) attempt.Store { fs.Store = st; return fs })
	body := `{"host":"127.0.0.1","port":` + strconv.Itoa(srv.Port) + `,"security":"none"}`

	fs.full.Store(true)
	for _, path := range []string{"/api/v1/probes?wait=10s", "/api/v1/probes"} {
		resp, raw := e.postJSON(path, body)
		var out struct{ ID, Error string }
		json.Unmarshal([]byte(raw), &out)
		if resp.StatusCode != http.StatusServiceUnavailable || out.ID != "" || !strings.Contains(out.Error, "could not store") {
			t.Errorf("POST %s with the database full = %d %s; want 503 saying the store failed, no id", path, resp.StatusCode, raw)
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("POST %s: 503 without Retry-After", path)
		}
	}
	resp, raw := e.postJSON("/api/v1/explain", `{"text":"535 5.7.8 Username and Password not accepted."}`)
	if resp.StatusCode != http.StatusServiceUnavailable || strings.Contains(raw, `"id"`) {
		t.Errorf("explain with the database full = %d %s; want 503 and no id", resp.StatusCode, raw)
	}
	resp, page := e.postForm("/probes", formFor(srv.Host, srv.Port))
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(page, "could not store") {
		t.Errorf("form POST with the database full = %d", resp.StatusCode)
	}

	fs.full.Store(false)
	resp, raw = e.postJSON("/api/v1/probes?wait=10s", body)
	var done struct{ ID string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(raw), &done) != nil || done.ID == "" {
		t.Fatalf("POST once the database can be written = %d %s", resp.StatusCode, raw)
	}
	if _, err := e.store.Get(t.Context(), done.ID); err != nil {
		t.Errorf("the acknowledged attempt is not stored: %v", err)
	}
}
