package web

import (
	"context"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// walkStore records, for every write, the call stack that made it.
type walkStore struct {
	*store.Store
	mu     sync.Mutex
	writes []walkWrite
}

type walkWrite struct {
	r      probe.Result
	frames []string // innermost first
}

func (w *walkStore) record(r probe.Result) {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var names []string
	for {
		f, more := frames.Next()
		names = append(names, f.Function)
		if !more {
			break
		}
	}
	w.mu.Lock()
	w.writes = append(w.writes, walkWrite{r, names})
	w.mu.Unlock()
}

func (w *walkStore) Save(ctx context.Context, r probe.Result) error {
	w.record(r)
	return w.Store.Save(ctx, r)
}

func (w *walkStore) CreateIfAbsent(ctx context.Context, r probe.Result) error {
	w.record(r)
	return w.Store.CreateIfAbsent(ctx, r)
}

const (
	webPkg     = "github.com/smtpdoctor/smtpdoctor/web."
	attemptPkg = "github.com/smtpdoctor/smtpdoctor/probe/attempt."
)

// checkStraight asserts that every write of the attempt id went straight
// down: from the store back to the lifecycle without passing through web,
// and from the lifecycle on only to web's handler that called it (or to
// nothing, in the lifecycle's own goroutine). fromHandler says some write
// is made while the handler waits (a start's queued row, a try-all's
// rows), which shows the recorded stacks are the real call paths. It
// returns the last write.
func (w *walkStore) checkStraight(t *testing.T, fromHandler bool, match func(probe.Result) bool) probe.Result {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	var last probe.Result
	n := 0
	for _, wr := range w.writes {
		if !match(wr.r) {
			continue
		}
		n++
		last = wr.r
		seenAttempt := false
		for _, f := range wr.frames {
			switch {
			case strings.HasPrefix(f, attemptPkg):
				seenAttempt = true
			case strings.HasPrefix(f, webPkg) && !seenAttempt:
				t.Errorf("a write reached the store from web without the lifecycle: %v", wr.frames)
			}
		}
		if !seenAttempt {
			t.Errorf("a write did not come from the lifecycle: %v", wr.frames)
		}
		// Below the lifecycle, web may appear only as the handler that
		// called it: one contiguous run of frames, never web → attempt
		// → web → attempt.
		inWeb, leftWeb := false, false
		for i := len(wr.frames) - 1; i >= 0; i-- {
			isWeb := strings.HasPrefix(wr.frames[i], webPkg)
			if isWeb && leftWeb {
				t.Errorf("the walk returned into web: %v", wr.frames)
			}
			if inWeb && !isWeb && strings.HasPrefix(wr.frames[i], attemptPkg) {
				leftWeb = true
			}
			inWeb = inWeb || isWeb
		}
	}
	if n == 0 {
		t.Fatal("nothing was written")
	}
	if fromHandler && !sawHandler(w.writes, match) {
		t.Error("no write was made while a web handler was on the stack: the stacks are not what they seem")
	}
	return last
}

// A password-less setting typed into the form, the API or the try-all
// goes handler → lifecycle → probe → store, with no return into web.
func TestSettingsWalkStraightToTheStore(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{})
	ws := &walkStore{}
	cfg := Config{}
	loopbackOK(&cfg)
	ac := attempt.Config{TryCombos: []discover.Combo{{Port: srv.Port, Security: probe.SecurityNone}}}
	e := newEnvWrapped(t, cfg, ac, func(st *store.Store) attempt.Store { ws.Store = st; return ws })
	lc := e.attempts

	helo := "walk-" + strconv.Itoa(srv.Port) + ".example"
	want := func(r probe.Result) bool { return r.Settings.HELO == helo }

	resp, _ := e.postForm("/probes", url.Values{"host": {srv.Host}, "port": {strconv.Itoa(srv.Port)}, "security": {"none"}, "helo": {helo}})
	if resp.StatusCode != 303 {
		t.Fatalf("form = %d", resp.StatusCode)
	}
	waitDone(t, lc, strings.TrimPrefix(resp.Header.Get("Location"), "/p/"))
	r := ws.checkStraight(t, true, want)
	if r.Status != probe.StatusDone || len(r.Steps) == 0 || r.Settings.Host != srv.Host || r.Settings.Port != srv.Port {
		t.Errorf("form's attempt as stored: status %q, %d steps, settings %+v", r.Status, len(r.Steps), r.Settings)
	}

	helo = "api-" + helo
	resp, body := e.postJSON("/api/v1/probes?wait=10s", `{"host":"`+srv.Host+`","port":`+strconv.Itoa(srv.Port)+`,"security":"none","helo":"`+helo+`"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("api = %d %s", resp.StatusCode, body)
	}
	// Waited for and finished in time: written once, by the lifecycle.
	if r := ws.checkStraight(t, false, want); r.Status != probe.StatusDone || len(r.Steps) == 0 {
		t.Errorf("API's attempt as stored: status %q, %d steps", r.Status, len(r.Steps))
	}

	resp, _ = e.postFollow("/try", url.Values{"host": {srv.Host}})
	if resp.StatusCode != 200 {
		t.Fatalf("try-all = %d", resp.StatusCode)
	}
	if r := ws.checkStraight(t, true, func(r probe.Result) bool { return r.Settings.Port == srv.Port && r.Settings.HELO == "" }); r.Status != probe.StatusDone || len(r.Steps) == 0 {
		t.Errorf("try-all's attempt as stored: status %q, %d steps", r.Status, len(r.Steps))
	}
}

func waitDone(t *testing.T, lc *attempt.Lifecycle, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, done, err := lc.Wait(ctx, id); !done || err != nil {
		t.Fatalf("attempt %s did not finish: %v", id, err)
	}
}

// sawHandler reports whether some write (the queued one of a start, say)
// was made with web's handler below the lifecycle, which shows the stacks
// recorded are the real call paths.
func sawHandler(writes []walkWrite, match func(probe.Result) bool) bool {
	for _, wr := range writes {
		if !match(wr.r) {
			continue
		}
		for _, f := range wr.frames {
			if strings.HasPrefix(f, webPkg) {
				return true
			}
		}
	}
	return false
}
