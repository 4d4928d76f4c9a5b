package web

import (
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// "What changed" compares what was typed in as well as what the server
// showed, and says that passwords cannot be compared.
func TestWhatChangedIncludesSettings(t *testing.T) {
	e := newEnv(t, Config{})
	t0 := time.Now().UTC().Add(-2 * time.Hour)
	e.storedAttempt(func(r *probe.Result) {
		r.StartedAt, r.Outcome = t0, probe.OutcomeSuccess
		r.Diagnosis = &probe.Diagnosis{Code: probe.CodeOK, Title: "It works"}
		r.Settings.From, r.Settings.To = "alice@example.com", "bob@example.net"
	})
	badID := e.storedAttempt(func(r *probe.Result) {
		r.Settings.Security = probe.SecurityNone
		r.Settings.User = "alice@example.com"
		r.Settings.From, r.Settings.To = "alice@other.example", "bob@example.net"
	})
	_, page := e.get("/p/" + badID)
	for _, want := range []string{
		"<tr><td>Security</td><td><code>STARTTLS</code></td><td><code>none (plaintext)</code></td></tr>",
		"<tr><td>Username</td><td><code>alice</code></td><td><code>alice@example.com</code></td></tr>",
		"<tr><td>Sender</td><td><code>alice@example.com</code></td><td><code>alice@other.example</code></td></tr>",
		"passwords are never stored, so they cannot be compared",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("permalink lacks %q", want)
		}
	}
	if strings.Contains(page, "<tr><td>Recipient</td>") {
		t.Errorf("an unchanged recipient is listed as a change")
	}

	// Nothing differs: the section still says the password is what is left.
	sameID := e.storedAttempt(func(r *probe.Result) {
		r.StartedAt = time.Now().UTC()
		r.Settings.From, r.Settings.To = "alice@example.com", "bob@example.net"
	})
	_, page = e.get("/p/" + sameID)
	if !strings.Contains(page, "Nothing else that can be compared changed") {
		i := strings.Index(page, "What changed")
		t.Errorf("no word on the password when nothing else changed: %.900s", page[max(i, 0):])
	}
}
