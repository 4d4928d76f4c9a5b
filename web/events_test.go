package web

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
)

// The event stream delivers step fragments while the probe still runs:
// against a server that never greets, the greeting step shows up as
// running, rendered by the same component as the page.
func TestEventsStreamWhileRunning(t *testing.T) {
	tp := tarpit(t)
	cfg, ac := Config{}, attempt.Config{StepTimeout: 30 * time.Second}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, ac)
	resp, _ := e.postForm("/probes", formFor(tp.Host, tp.Port))
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/p/")

	stream, err := http.Get(e.http.URL + "/p/" + id + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	sc := bufio.NewScanner(stream.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	var event string
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "event: ") {
			event = strings.TrimPrefix(line, "event: ")
			if event == "done" {
				t.Fatal("the stream ended before the probe did")
			}
		}
		if event == "progress" && strings.Contains(line, "Greeting") {
			if !strings.Contains(line, `<span class="badge running">running</span>`) {
				t.Errorf("the greeting step is not shown running: %s", line)
			}
			return
		}
	}
	t.Fatalf("no step fragment arrived: %v", sc.Err())
}

func TestEventsForAFinishedAttempt(t *testing.T) {
	e := newEnv(t, Config{})
	id := e.storedAttempt(nil)
	resp, body := e.get("/p/" + id + "/events")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "event: done") {
		t.Errorf("events of a finished attempt = %d %q", resp.StatusCode, body)
	}
}
