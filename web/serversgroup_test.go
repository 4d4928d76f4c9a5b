package web

import (
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Servers are grouped by host, the host with a failing port first even
// when another host was tested later, each port with a re-test link, and
// a server tested once says "1 test".
func TestServersGroupedFailingFirst(t *testing.T) {
	e := newEnv(t, Config{})
	now := time.Now().UTC()
	e.storedAttempt(func(r *probe.Result) {
		r.Settings.Host, r.Settings.Port = "fine.example.org", 587
		r.StartedAt, r.Outcome = now.Add(-time.Minute), probe.OutcomeSuccess
		r.Diagnosis = &probe.Diagnosis{Code: probe.CodeOK, Title: "Everything worked"}
	})
	failing := e.storedAttempt(func(r *probe.Result) {
		r.Settings.Host, r.Settings.Port = "broken.example.org", 465
		r.StartedAt = now.Add(-time.Hour)
	})
	e.storedAttempt(func(r *probe.Result) {
		r.Settings.Host, r.Settings.Port = "broken.example.org", 587
		r.StartedAt, r.Outcome = now.Add(-2*time.Hour), probe.OutcomeSuccess
	})
	_, body := e.get("/servers")
	broken, fine := strings.Index(body, `<span class="host-name">broken.example.org</span>`), strings.Index(body, `<span class="host-name">fine.example.org</span>`)
	if broken < 0 || fine < 0 || broken > fine {
		t.Fatalf("hosts not grouped with the failing one first (broken at %d, fine at %d)", broken, fine)
	}
	if strings.Count(body, `class="host-name"`) != 2 {
		t.Errorf("want two host groups")
	}
	if !strings.Contains(body, `<span class="badge failure">1 failing</span>`) {
		t.Errorf("the failing host is not marked")
	}
	p465, p587 := strings.Index(body, "broken.example.org:465"), strings.Index(body, "broken.example.org:587")
	if p465 < 0 || p587 < 0 || p465 > p587 {
		t.Errorf("within a host the failing port should come first")
	}
	if !strings.Contains(body, `href="/?from=`+failing+`">Re-test broken.example.org:465</a>`) {
		t.Errorf("no re-test link for the failing port")
	}
	if !strings.Contains(body, ">1 test<") || strings.Contains(body, ">1 tests<") {
		t.Errorf(`want "1 test"`)
	}
}
