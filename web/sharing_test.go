package web

import (
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// An attempt stored before the probe stopped recording them still shows
// no secret length and no resolver address on its page or its exports.
func TestSharedPagesHideSecretLengthAndResolver(t *testing.T) {
	e := newEnv(t, Config{})
	id := e.storedAttempt(func(r *probe.Result) {
		r.Transcript = []probe.Line{
			{Dir: probe.DirClient, Text: `AUTH PLAIN [redacted: authzid="", user="alice", password 16 characters]`},
			{Dir: probe.DirNote, Text: "smtp.example.invalid does not exist in DNS (lookup smtp.example.invalid on 10.255.255.53:53: no such host)"},
		}
		r.Failure = &probe.Failure{Step: probe.StepAuth, Command: `AUTH PLAIN [redacted: authzid="", user="alice", password 16 characters]`, Reply: 535}
	})
	for _, path := range []string{"/p/" + id, "/p/" + id + ".json", "/p/" + id + ".txt", "/api/v1/probes/" + id} {
		_, body := e.get(path)
		if strings.Contains(body, "16 characters") || strings.Contains(body, "10.255.255.53") {
			t.Errorf("%s shows a secret's length or the resolver's address", path)
		}
		if !strings.Contains(body, "password withheld") {
			t.Errorf("%s lost the redaction note", path)
		}
	}
}
