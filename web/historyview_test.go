package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// The history row: the diagnosis title and one line of the server's reply
// with its code, a Security column, no User column when nobody signed in,
// no raw Go error; a search for the basic code finds the reply; the CSV
// carries the code too.
func TestHistoryRowsReadRight(t *testing.T) {
	e := newEnv(t, Config{})
	refusedID := e.storedAttempt(func(r *probe.Result) {
		r.Settings.User = ""
		r.Diagnosis.Code, r.Diagnosis.Title = probe.CodeNetRefused, "Connection refused"
		r.Failure = &probe.Failure{Step: probe.StepConnect, Err: "dial tcp 192.0.2.1:587: connect: connection refused"}
	})
	rejectedID := e.storedAttempt(func(r *probe.Result) {
		r.Settings.User = ""
		r.Settings.Security = probe.SecurityTLS
		r.Settings.Port = 465
		r.Failure = &probe.Failure{Step: probe.StepAuth, Reply: 535, Enhanced: "5.7.8",
			Lines: []string{"5.7.8 Username and Password not accepted. For more information, go to", "5.7.8  https://support.google.com/mail/?p=BadCredentials"}}
	})

	_, body := e.get("/history")
	if !strings.Contains(body, "535 5.7.8 Username and Password not accepted. For more information, go to</span>") {
		t.Errorf("the reply line with its code is missing")
	}
	if strings.Contains(body, "dial tcp") {
		t.Errorf("a raw Go error is in the history; it belongs on the permalink")
	}
	if !strings.Contains(body, `<th scope="col">Security</th>`) || !strings.Contains(body, "SSL/TLS (implicit)") {
		t.Errorf("no Security column")
	}
	if strings.Contains(body, `<th scope="col">User</th>`) {
		t.Errorf("an empty User column is shown")
	}
	for _, f := range []string{`id="f-since" name="since" type="date"`, `id="f-until" name="until" type="date"`} {
		if !strings.Contains(body, f) {
			t.Errorf("no date input: %s", f)
		}
	}

	_, body = e.get("/history?q=535")
	if !strings.Contains(body, rejectedID) || strings.Contains(body, refusedID) {
		t.Errorf("searching 535 does not find just the 535 reply")
	}

	e.storedAttempt(nil) // one with a user: the column comes back
	if _, body = e.get("/history"); !strings.Contains(body, `<th scope="col">User</th>`) {
		t.Errorf("the User column is hidden though a test has a user")
	}

	_, csv := e.get("/history.csv?q=535")
	if !strings.Contains(csv, `,"535 5.7.8 Username and Password not accepted`) {
		t.Errorf("the CSV reply lacks its code:\n%s", csv)
	}
}

// A filter that cannot be read comes back as the form with the message
// beside the field, not a whole-page error.
func TestHistoryFilterErrorInline(t *testing.T) {
	e := newEnv(t, Config{})
	e.storedAttempt(nil)
	resp, body := e.get("/history?since=last+tuesday&host=smtp.example.com")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
	if !strings.Contains(body, `<span class="field-error" id="e-since" role="alert">want a date such as 2026-01-31</span>`) {
		t.Errorf("no message beside the From field:\n%s", body)
	}
	if !strings.Contains(body, `name="host" type="text" value="smtp.example.com"`) {
		t.Errorf("the other filters were not kept")
	}
	if !strings.Contains(body, "Fix the filter above to see the tests.") || !strings.Contains(body, "<h1>Past tests</h1>") {
		t.Errorf("not the history page")
	}
}
