package web

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// gatedPair is two go-smtp submission servers on loopback whose greetings
// wait until the test opens their gates: a try-all of both can be seen
// with no row finished, then one, then both, each step decided by the
// test rather than by a clock.
type gatedPair struct {
	fast, slow         *goSMTP
	openFast, openSlow func()
}

func startGatedPair(t *testing.T) gatedPair {
	t.Helper()
	fastGate, slowGate := make(chan struct{}), make(chan struct{})
	return gatedPair{
		fast:     startGatedGoSMTP(t, "fast.test", "alice", "pw", fastGate),
		slow:     startGatedGoSMTP(t, "slow.test", "alice", "pw", slowGate),
		openFast: func() { close(fastGate) },
		openSlow: func() { close(slowGate) },
	}
}

// config is a dashboard that may probe the pair, trusts both servers'
// certificates, and tries the fast one first. The step timeout is far
// longer than any test waits with a gate shut.
func (p gatedPair) config() (Config, attempt.Config) {
	cfg := Config{}
	loopbackOK(&cfg)
	return cfg, attempt.Config{StepTimeout: 5 * time.Minute, RootCAs: p.fast.Roots, ExtraRoots: p.slow.Roots,
		TryCombos: []discover.Combo{{Port: p.fast.Port, Security: probe.SecurityStartTLS}, {Port: p.slow.Port, Security: probe.SecurityStartTLS}}}
}

// startTryAll posts the try-all form and returns the group's page and id.
func (e *testEnv) startTryAll(t *testing.T, host string) (loc, id string) {
	t.Helper()
	resp, body := e.postForm("/try", url.Values{"host": {host}})
	loc = resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/try/") {
		t.Fatalf("POST /try = %d to %q\n%s", resp.StatusCode, loc, body)
	}
	return loc, strings.TrimPrefix(loc, "/try/")
}

// rowStates are the data-state of each row of a try-all page, by port.
func rowStates(body string) map[int]string {
	out := map[int]string{}
	for _, m := range regexp.MustCompile(`<tr[^>]* data-state="([a-z]+)" data-port="(\d+)"`).FindAllStringSubmatch(body, -1) {
		p, _ := strconv.Atoi(m[2])
		out[p] = m[1]
	}
	return out
}

const noscriptRefresh = `<noscript><meta http-equiv="refresh" content="2"></noscript>`

// Without JavaScript a running try-all's page reloads itself, as a probe's
// permalink does, and each reload shows the rows as they are: none
// finished, then the fast one with its diagnosis and evidence while the
// slow one still waits for its greeting, then the verdict, with no more
// reloading.
func TestTryAllPageWithoutJavaScript(t *testing.T) {
	p := startGatedPair(t)
	cfg, ac := p.config()
	e := newEnvWith(t, cfg, ac)
	loc, id := e.startTryAll(t, "127.0.0.1")

	resp, body := e.get(loc)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET %s = %d, Cache-Control %q", loc, resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	checkCSPClean(t, loc, resp, body)
	for _, want := range []string{noscriptRefresh, "Trying 2 ports on 127.0.0.1 at once", `id="cancel"`,
		`data-events="/try/` + id + `/events"`} {
		if !strings.Contains(body, want) {
			t.Errorf("running try-all page lacks %q", want)
		}
	}
	states := rowStates(body)
	if len(states) != 2 || states[p.fast.Port] == "done" || states[p.slow.Port] == "done" {
		t.Errorf("rows before any server greeted: %v, want two, none done", states)
	}
	if strings.Contains(body, `class="best"`) || strings.Contains(body, "Use 127.0.0.1 port") {
		t.Error("a best row before the try-all finished")
	}

	p.openFast()
	g, err := e.attempts.Group(t.Context(), id)
	if err != nil || len(g.IDs) != 2 {
		t.Fatalf("group %+v, %v", g, err)
	}
	if _, done, err := e.attempts.Wait(t.Context(), g.IDs[0]); err != nil || !done {
		t.Fatalf("wait for the fast row: %v, %v", done, err)
	}
	_, body = e.get(loc)
	states = rowStates(body)
	if states[p.fast.Port] != "done" || states[p.slow.Port] != "running" {
		t.Errorf("rows with the fast server answered: %v, want it done and the slow one running", states)
	}
	for _, want := range []string{noscriptRefresh, `<span class="title">Everything worked</span>`,
		`href="/p/` + g.IDs[0] + `">Evidence</a>`, `href="/p/` + g.IDs[1] + `">Follow this one</a>`,
		"waiting for the greeting, ", " of 300 s"} {
		if !strings.Contains(body, want) {
			t.Errorf("page with one row done lacks %q", want)
		}
	}

	p.openSlow()
	e.waitGroup(id)
	resp, body = e.get(loc)
	if strings.Contains(body, "http-equiv=\"refresh\"") || strings.Contains(body, `id="cancel"`) || strings.Contains(body, "data-events") {
		t.Error("the finished try-all still reloads itself or offers Cancel")
	}
	if resp.Header.Get("Cache-Control") != "private, no-cache" {
		t.Errorf("finished try-all: Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	headline := "Use 127.0.0.1 port " + strconv.Itoa(p.fast.Port) + " with STARTTLS"
	if !strings.Contains(body, headline) || strings.Count(body, `<tr class="best"`) != 1 {
		t.Errorf("finished page lacks the headline %q or one best row", headline)
	}
	if states = rowStates(body); states[p.fast.Port] != "done" || states[p.slow.Port] != "done" {
		t.Errorf("rows at the end: %v", states)
	}

	// Its events, opened now, say so at once.
	_, events := e.get(loc + "/events")
	if !strings.Contains(events, "event: progress\n") || !strings.HasSuffix(events, "event: done\ndata: \n\n") {
		t.Errorf("events of a finished try-all:\n%s", events)
	}
	stored, err := e.store.TryGroup(t.Context(), id)
	if err != nil || stored.Running || stored.Matrix.Best != 0 || stored.Matrix.Rows[0].Title != "Everything worked" {
		t.Errorf("stored group: %+v, %v", stored, err)
	}
}

// Cancel stops every row of a running try-all, as it stops one test: the
// page then gives the verdict, each row is kept as cancelled, and the
// group says so.
func TestTryAllCancel(t *testing.T) {
	a, b := tarpit(t), tarpit(t)
	cfg := Config{}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, attempt.Config{StepTimeout: 5 * time.Minute,
		TryCombos: []discover.Combo{{Port: a.Port, Security: probe.SecurityStartTLS}, {Port: b.Port, Security: probe.SecurityTLS}}})
	loc, id := e.startTryAll(t, a.Host)
	resp, _ := e.postForm(loc+"/cancel", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != loc {
		t.Fatalf("POST %s/cancel = %d to %q", loc, resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := e.get(loc)
	if !strings.Contains(body, "You cancelled this try-all") || strings.Contains(body, noscriptRefresh) {
		t.Errorf("cancelled try-all page lacks its headline, or still reloads")
	}
	if n := strings.Count(body, "<code>"+string(probe.CodeProbeCancelled)+"</code>"); n != 2 {
		t.Errorf("%d rows say they were cancelled, want 2", n)
	}
	g, err := e.store.TryGroup(t.Context(), id)
	if err != nil || g.Running || !g.Cancelled {
		t.Fatalf("stored group %+v, %v", g, err)
	}
	for _, rid := range g.IDs {
		if r, err := e.store.Get(t.Context(), rid); err != nil || r.Status != probe.StatusInterrupted {
			t.Errorf("row %s: %v, %v", rid, r.Status, err)
		}
	}
	// Cancelling it again is no error: the finished try-all is shown.
	if resp, _ := e.postForm(loc+"/cancel", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("second cancel = %d", resp.StatusCode)
	}
}

// A try-all whose replica stopped before storing its end (its rows were
// then marked interrupted) is not shown as running for ever: once every
// row has ended, its page gives the verdict it can, and says why.
func TestTryAllLeftRunningEnds(t *testing.T) {
	e := newEnv(t, Config{})
	started := time.Now().UTC().Add(-time.Minute)
	rowID := attempt.NewID()
	r := probe.Result{ID: rowID, Status: probe.StatusInterrupted, Kind: probe.KindProbe, StartedAt: started,
		Settings: probe.Settings{Host: "mail.example.com", Port: 587, Security: probe.SecurityStartTLS, Mech: probe.MechAuto},
		Failure:  &probe.Failure{Step: probe.StepGreeting, Code: probe.CodeProbeInterrupted, Err: "the dashboard stopped"}}
	if err := e.store.Save(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	g := discover.Group{ID: attempt.NewID(), StartedAt: started, Input: "mail.example.com", Running: true,
		Matrix: discover.Matrix{Host: "mail.example.com", Best: -1, Rows: []discover.Row{{Port: 587, Security: probe.SecurityStartTLS}}},
		IDs:    []string{rowID}}
	if err := e.store.SaveTryGroup(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	_, body := e.get("/try/" + g.ID)
	if !strings.Contains(body, "The dashboard stopped before this try-all finished") || strings.Contains(body, noscriptRefresh) {
		t.Errorf("a try-all left running is shown as:\n%s", body)
	}
	if s := rowStates(body); s[587] != "done" {
		t.Errorf("rows %v", s)
	}
}

// Two replicas share a PostgreSQL database: a try-all run by A, opened on
// B, follows it the same way. B's page shows A's rows as they run, and B's
// event stream, fed by NOTIFY, carries the first row's result and ends
// with "done" once A has stored the group's end.
func TestTryAllFollowedOnAnotherReplica(t *testing.T) {
	dsn := storetest.Postgres(t)
	p := startGatedPair(t)
	cfg, ac := p.config()
	a := newEnvAt(t, dsn, cfg, ac, nil)
	b := newEnvAt(t, dsn, cfg, ac, nil)
	loc, _ := a.startTryAll(t, "127.0.0.1")

	_, body := b.get(loc)
	if !strings.Contains(body, noscriptRefresh) || !strings.Contains(body, "Trying 2 ports") {
		t.Errorf("replica B does not show A's try-all as running")
	}
	if s := rowStates(body); len(s) != 2 || s[p.fast.Port] == "done" || s[p.slow.Port] == "done" {
		t.Errorf("replica B's rows before any greeting: %v", s)
	}

	// A bound for the stream, not a timed assertion: a stream that never
	// hears of A's writes fails here instead of hanging the suite.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.http.URL+loc+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := bufio.NewReader(resp.Body)
	// next reads one event: its name and its data.
	next := func() (string, string) {
		t.Helper()
		var name string
		var data []string
		for {
			line, err := events.ReadString('\n')
			if err != nil {
				t.Fatalf("replica B's stream ended without done: %v", err)
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "" && name != "":
				return name, strings.Join(data, "\n")
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			}
		}
	}
	if name, data := next(); name != "progress" || rowStates(data)[p.fast.Port] == "done" {
		t.Fatalf("first event %q: %v", name, rowStates(data))
	}

	p.openFast()
	for {
		name, data := next()
		if name == "done" {
			t.Fatal("done before the slow server greeted")
		}
		if s := rowStates(data); s[p.fast.Port] == "done" {
			if s[p.slow.Port] == "done" {
				t.Fatal("the slow row ended before its server greeted")
			}
			if !strings.Contains(data, "Everything worked") {
				t.Errorf("the fast row on replica B lacks its diagnosis:\n%s", data)
			}
			break
		}
	}
	p.openSlow()
	var last string
	for {
		name, data := next()
		if name == "done" {
			break
		}
		last = data
	}
	if s := rowStates(last); s[p.fast.Port] != "done" || s[p.slow.Port] != "done" {
		t.Errorf("replica B's last rows: %v", s)
	}
	_, body = b.get(loc)
	if !strings.Contains(body, "Use 127.0.0.1 port "+strconv.Itoa(p.fast.Port)) {
		t.Error("replica B's page lacks the verdict")
	}
}
