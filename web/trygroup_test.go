package web

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
)

// srvResolver answers discovery's lookups for one domain the way a domain
// that publishes RFC 6186 records does: _submission._tcp points at a host
// on a port, and there is no MX. Other domains do not exist.
type srvResolver struct {
	domain, target string
	port           uint16
}

func (r srvResolver) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	if name != r.domain || service != "submission" {
		return "", nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return "", []*net.SRV{{Target: r.target + ".", Port: r.port, Priority: 0, Weight: 1}}, nil
}

func (r srvResolver) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// sandboxTryEnv is a dashboard whose try-all maps the usual ports to the
// sandbox's, and whose discovery finds localhost (from /etc/hosts: no DNS
// query leaves the machine) on srvPort for example.test; 0 is the
// sandbox's submission port. closed maps the usual ports to closed ones
// instead.
func sandboxTryEnv(t *testing.T, srvPort int, closed bool) (*testEnv, *sandbox.Sandbox) {
	t.Helper()
	sb, err := sandbox.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	port := func(name string) int {
		ap, _ := sb.Addr(name)
		return int(ap.Port())
	}
	if srvPort == 0 {
		srvPort = port(sandbox.ServerSubmission)
	}
	cfg := Config{Sandbox: sb, DiscoverResolver: srvResolver{domain: "example.test", target: "localhost", port: uint16(srvPort)}}
	loopbackOK(&cfg)
	ac := attempt.Config{TryCombos: []discover.Combo{
		{Port: port(sandbox.ServerImplicit), Security: probe.SecurityTLS},
		{Port: port(sandbox.ServerSubmission), Security: probe.SecurityStartTLS},
	}}
	if closed {
		ac.TryCombos = []discover.Combo{{Port: closedPort(t), Security: probe.SecurityTLS}, {Port: closedPort(t), Security: probe.SecurityStartTLS}}
	}
	return newEnvWith(t, cfg, ac), sb
}

// An email address typed into the main form's host field starts with
// discovery and ends on the try-all's own page, which is a GET permalink
// that still answers after the dashboard restarts (read from the store).
func TestEmailAddressStartsDiscoveryAndTryAll(t *testing.T) {
	e, _ := sandboxTryEnv(t, closedPort(t), true)
	resp, _ := e.postForm("/probes", url.Values{"host": {"alice@example.test"}, "port": {"587"}, "security": {"auto"}, "password": {"secret-pw-1"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/try/") {
		t.Fatalf("POST /probes with an address = %d to %q, want 303 to /try/{id}", resp.StatusCode, resp.Header.Get("Location"))
	}
	loc := resp.Header.Get("Location")
	e.waitGroup(strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/try/"))
	resp, body := e.get(loc)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", loc, resp.StatusCode)
	}
	checkCSPClean(t, loc, resp, body)
	for _, want := range []string{
		"Servers found for example.test", "<code>localhost:", "from the domain&#39;s _submission SRV record",
		"Started from <code>alice@example.test</code>", "The password was not used",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("try-all page lacks %q", want)
		}
	}
	if strings.Contains(body, "secret-pw-1") {
		t.Error("the password is on the page")
	}
	// Nothing listens on any port tried: the headline says so instead of
	// talking about TLS.
	if !strings.Contains(body, "Nothing answered at all: none of the") {
		t.Errorf("no honest headline when nothing answered:\n%s", body)
	}
	id := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/try/")
	g, err := e.store.TryGroup(t.Context(), id)
	if err != nil || g.Input != "alice@example.test" || g.Discovery == nil || len(g.IDs) != len(g.Matrix.Rows) {
		t.Errorf("stored group %+v, %v", g, err)
	}
}

// A host that answers: the try-all of the sandbox gets a best row,
// evidence links, and a permalink.
func TestTryAllGroupPermalink(t *testing.T) {
	e, _ := sandboxTryEnv(t, 0, false)
	resp, _ := e.postForm("/try", url.Values{"host": {"127.0.0.1"}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/try/") {
		t.Fatalf("POST /try = %d to %q", resp.StatusCode, loc)
	}
	e.waitGroup(strings.TrimPrefix(loc, "/try/"))
	_, body := e.get(loc)
	for _, want := range []string{`<tr class="best"`, "Use 127.0.0.1 port ", "Link to this try-all:", ">Evidence</a>"} {
		if !strings.Contains(body, want) {
			t.Errorf("group page lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`href="/p/([A-Za-z0-9_-]+)">Evidence`).FindStringSubmatch(body); m == nil {
		t.Error("no evidence link")
	}
	if resp, _ := e.get("/try/AAAAAAAAAAAAAAAAAAAAAA"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown group = %d", resp.StatusCode)
	}
}
