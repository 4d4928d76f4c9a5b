package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// A public permalink opened without access shows that attempt alone: not
// the id of the server's previous test (the compare link), not its last
// success ("what changed"), nothing that leads to another attempt.
func TestSharedPermalinkRevealsOnlyItself(t *testing.T) {
	hash, _ := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	e := newEnv(t, Config{BasicUser: "admin", BasicHash: string(hash), PublicPermalinks: true})
	earlier := e.storedAttempt(func(r *probe.Result) {
		r.StartedAt = time.Now().UTC().Add(-time.Hour)
		r.Outcome = probe.OutcomeSuccess
		r.Diagnosis = &probe.Diagnosis{Code: probe.CodeOK, Severity: probe.SeverityInfo, Title: "It works", Summary: "ok"}
		r.Settings.User = "someone-else@example.com"
	})
	shared := e.storedAttempt(func(r *probe.Result) { r.Settings.Security = probe.SecurityTLS })

	// Signed in, the page leads to the earlier test (the check below
	// would pass vacuously if it never did).
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/p/"+shared, nil)
	req.SetBasicAuth("admin", "s3cret")
	resp, page := e.do(req)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, earlier) || !strings.Contains(page, "/compare") {
		t.Fatalf("signed-in permalink = %d, lacks the earlier test %s or the compare link", resp.StatusCode, earlier)
	}

	for _, path := range []string{"/p/" + shared, "/p/" + shared + ".txt", "/p/" + shared + ".json", "/p/" + shared + "/events", "/api/v1/probes/" + shared} {
		resp, body := e.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("shared %s = %d", path, resp.StatusCode)
			continue
		}
		for _, leak := range []string{earlier, "someone-else", "/compare", "What changed", "?from=", "/delete"} {
			if strings.Contains(body, leak) {
				t.Errorf("shared %s shows %q to someone without access", path, leak)
			}
		}
	}
}
