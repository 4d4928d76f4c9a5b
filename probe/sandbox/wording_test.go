package sandbox_test

import (
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
)

// The "AUTH without TLS" card promised a 523 reply, but the probe never
// sends AUTH there: the server does not list it before STARTTLS. The card
// must describe what the transcript shows.
func TestRequiresTLSCardMatchesTheConversation(t *testing.T) {
	sb := startSandbox(t)
	ex := example(t, sb, sandbox.ExampleRequiresTLS)
	if strings.Contains(ex.Description, "523") {
		t.Errorf("the card promises a 523: %q", ex.Description)
	}
	r := probe.Run(t.Context(), ex.Settings, probe.Secret{Password: ex.Password}, probe.Options{RootCAs: sb.RootCAs()})
	for _, l := range r.Transcript {
		if l.Dir == probe.DirClient && strings.HasPrefix(l.Text, "AUTH") {
			t.Errorf("AUTH was sent, so the card should say what came back: %q", l.Text)
		}
	}
	if !strings.Contains(ex.Description, "lists AUTH only after STARTTLS") {
		t.Errorf("description %q", ex.Description)
	}
}

// The transcript's TLS note read "NOT verified (the certificate expired
// on … (valid from …)); carrying on": doubled parentheses.
func TestExpiredCertNoteReads(t *testing.T) {
	sb := startSandbox(t)
	ex := example(t, sb, sandbox.ExampleExpiredCert)
	r := probe.Run(t.Context(), ex.Settings, probe.Secret{Password: ex.Password}, probe.Options{RootCAs: sb.RootCAs()})
	diagnosis.Diagnose(&r)
	tr := transcript(r)
	if strings.Contains(tr, "))") {
		t.Errorf("doubled parentheses:\n%s", tr)
	}
	if !strings.Contains(tr, "certificate NOT verified: the certificate expired on ") {
		t.Errorf("no verification note:\n%s", tr)
	}
	if n := strings.Count(r.Diagnosis.Summary, "expired on"); n != 1 {
		t.Errorf("summary says the expiry %d times: %q", n, r.Diagnosis.Summary)
	}
}

func example(t *testing.T, sb *sandbox.Sandbox, key string) sandbox.Example {
	t.Helper()
	for _, ex := range sb.Examples() {
		if ex.Key == key {
			return ex
		}
	}
	t.Fatalf("no example %q", key)
	return sandbox.Example{}
}
