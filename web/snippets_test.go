package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
	"github.com/smtpdoctor/smtpdoctor/probe/snippet"
)

// sandboxEnv is a dashboard with the sandbox on, as `smtpdoctor serve`
// runs it on loopback.
func sandboxEnv(t *testing.T) (*testEnv, *sandbox.Sandbox) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sb, err := sandbox.Start(ctx)
	if err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	t.Cleanup(func() { sb.Close() })
	return newEnv(t, Config{Sandbox: sb}), sb
}

// runExample runs a sandbox example through the API and returns its id.
func runExample(t *testing.T, e *testEnv, sb *sandbox.Sandbox, key string) string {
	t.Helper()
	for _, ex := range sb.Examples() {
		if ex.Key != key {
			continue
		}
		body, _ := json.Marshal(map[string]any{
			"host": ex.Settings.Host, "port": ex.Settings.Port, "security": ex.Settings.Security, "user": ex.Settings.User,
			"mech": ex.Settings.Mech, "from": ex.Settings.From, "to": ex.Settings.To, "password": ex.Password,
		})
		resp, out := e.postJSON("/api/v1/probes?wait=30s", string(body))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: POST = %d %s", key, resp.StatusCode, out)
		}
		var res struct{ ID string }
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.ID == "" {
			t.Fatalf("%s: no id in %s (%v)", key, out, err)
		}
		return res.ID
	}
	t.Fatalf("no sandbox example %q", key)
	return ""
}

type snippetsJSON struct {
	URL      string `json:"url"`
	Working  bool   `json:"working"`
	Snippets []struct {
		Client, Language, Text, Group string
	} `json:"snippets"`
}

func TestSnippetsAPIAndPage(t *testing.T) {
	e, sb := sandboxEnv(t)
	id := runExample(t, e, sb, sandbox.ExampleImplicitTLS)

	resp, body := e.get("/api/v1/probes/" + id + "/snippets")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("GET snippets = %d %s", resp.StatusCode, body)
	}
	var got snippetsJSON
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Working || got.URL != e.http.URL+"/p/"+id {
		t.Errorf("working %v url %q", got.Working, got.URL)
	}
	byClient := map[string]string{}
	for _, s := range got.Snippets {
		if s.Client == "" || s.Language == "" || s.Text == "" {
			t.Errorf("incomplete snippet %+v", s)
		}
		byClient[s.Client] = s.Text
	}
	if len(byClient) != 20 {
		t.Errorf("%d snippets, want 20", len(byClient))
	}
	if !strings.Contains(byClient["nodemailer"], "secure: true") || !strings.Contains(byClient["django"], "EMAIL_USE_SSL = True") {
		t.Errorf("implicit TLS not spelt right:\n%s\n%s", byClient["nodemailer"], byClient["django"])
	}
	if strings.Contains(body, sandbox.DemoPassword) {
		t.Error("the snippets carry the password")
	}

	resp, one := e.get("/api/v1/probes/" + id + "/snippets?client=msmtp")
	if resp.StatusCode != http.StatusOK || strings.Count(one, `"client"`) != 1 || !strings.Contains(one, "tls_starttls off") {
		t.Errorf("?client=msmtp = %d %s", resp.StatusCode, one)
	}
	if resp, _ := e.get("/api/v1/probes/" + id + "/snippets?client=pine"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("?client=pine = %d, want 404", resp.StatusCode)
	}

	_, page := e.get("/p/" + id)
	for _, want := range []string{"Use these settings in…", `id="snippet-text-phpmailer"`, "PHPMailer::ENCRYPTION_SMTPS",
		"Reproduce it yourself", `data-copy-from="snippet-text-swaks"`, "Copy as ticket text", `id="ticket-text"`} {
		if !strings.Contains(page, want) {
			t.Errorf("permalink lacks %q", want)
		}
	}
	if strings.Contains(page, sandbox.DemoPassword) {
		t.Error("the permalink shows the password")
	}
}

// A failure has nothing to configure, but its conversation can be replayed.
func TestFailureOffersReplaysOnly(t *testing.T) {
	e, sb := sandboxEnv(t)
	id := runExample(t, e, sb, sandbox.ExampleWrongPassword)
	_, body := e.get("/api/v1/probes/" + id + "/snippets")
	var got snippetsJSON
	json.Unmarshal([]byte(body), &got)
	var clients []string
	for _, s := range got.Snippets {
		clients = append(clients, s.Client)
	}
	if got.Working || strings.Join(clients, ",") != "swaks,openssl,curl" {
		t.Errorf("working %v, clients %v: want the three replays only", got.Working, clients)
	}
	_, page := e.get("/p/" + id)
	if strings.Contains(page, "Use these settings in") || !strings.Contains(page, "Reproduce it yourself") {
		t.Error("a failure offers configuration, or no replay")
	}
}

// GET /p/{id}.md is the ticket text; the .json export and the API carry
// absolute links.
func TestTicketTextAndAbsoluteLinks(t *testing.T) {
	e, sb := sandboxEnv(t)
	id := runExample(t, e, sb, sandbox.ExampleWrongPassword)
	resp, md := e.get("/p/" + id + ".md")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/markdown") {
		t.Fatalf("GET .md = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"**Verdict:** failure", string(probe.CodeAuthCredentialsRejected), "S: 535 5.7.8",
		"Full report: " + e.http.URL + "/p/" + id, "works only on the machine that ran the test"} {
		if !strings.Contains(md, want) {
			t.Errorf("ticket lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "password 16 characters") || strings.Contains(md, "not-the-password") {
		t.Errorf("ticket carries the password or its length:\n%s", md)
	}
	for _, path := range []string{"/p/" + id + ".json", "/api/v1/probes/" + id} {
		_, body := e.get(path)
		var res struct {
			URL       string `json:"url"`
			Diagnosis struct {
				Links []struct{ URL string }
			}
		}
		if err := json.Unmarshal([]byte(body), &res); err != nil {
			t.Fatal(err)
		}
		if res.URL != e.http.URL+"/p/"+id {
			t.Errorf("%s: url %q", path, res.URL)
		}
		for _, l := range res.Diagnosis.Links {
			if !strings.HasPrefix(l.URL, "http") {
				t.Errorf("%s: relative link %q", path, l.URL)
			}
		}
	}
}

// A test that did not sign in (as try-all's rows) still leads to
// snippets, with a placeholder username and a warning that the login is
// untested.
func TestSnippetsWithoutLogin(t *testing.T) {
	e, sb := sandboxEnv(t)
	sub, _ := sb.Addr(sandbox.ServerSubmission)
	body := `{"host":"` + sub.Addr().String() + `","port":` + strconv.Itoa(int(sub.Port())) + `,"security":"starttls"}`
	resp, out := e.postJSON("/api/v1/probes?wait=30s", body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST = %d %s", resp.StatusCode, out)
	}
	var res struct{ ID string }
	json.Unmarshal([]byte(out), &res)
	_, page := e.get("/p/" + res.ID)
	if !strings.Contains(page, "This test did not sign in") || !strings.Contains(page, "YOUR-USERNAME") {
		t.Errorf("no untested-login warning or placeholder on the page")
	}
}

// The best row of "try all ports" leads to the snippets of its attempt.
func TestTryAllBestRowLeadsToSnippets(t *testing.T) {
	sb, err := sandbox.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	imp, _ := sb.Addr(sandbox.ServerImplicit)
	sub, _ := sb.Addr(sandbox.ServerSubmission)
	cfg := Config{Sandbox: sb}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, attempt.Config{TryCombos: []discover.Combo{
		{Port: int(imp.Port()), Security: probe.SecurityTLS},
		{Port: int(sub.Port()), Security: probe.SecurityStartTLS},
	}})
	resp, body := e.postFollow("/try", url.Values{"host": {"127.0.0.1"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /try = %d\n%s", resp.StatusCode, body)
	}
	m := regexp.MustCompile(`href="/p/([A-Za-z0-9_-]+)#snippets-h">Use these settings in…`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the best row does not lead to its snippets:\n%s", body)
	}
	_, page := e.get("/p/" + m[1])
	if !strings.Contains(page, `id="snippets-h"`) || !strings.Contains(page, "mail.WithSSL()") || !strings.Contains(page, snippet.PlaceholderUser) {
		t.Error("the best row's permalink has no snippets for implicit TLS with a placeholder login")
	}
}

func TestAPIListHasAbsoluteLinks(t *testing.T) {
	e, sb := sandboxEnv(t)
	id := runExample(t, e, sb, sandbox.ExampleWorking)
	_, body := e.get("/api/v1/probes")
	var list struct {
		Probes []struct{ ID, URL string } `json:"probes"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Probes) != 1 {
		t.Fatalf("list %s: %v", body, err)
	}
	if p := list.Probes[0]; p.ID != id || p.URL != e.http.URL+"/p/"+id {
		t.Errorf("listed %+v, want the absolute permalink of %s", p, id)
	}
}

// With --public-url, the ticket, the snippets and the JSON export link to
// it, and the ticket does not call the link local.
func TestLinksFollowThePublicURL(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sb, err := sandbox.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	pub, err := ParsePublicURL("https://smtpdoctor.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, Config{Sandbox: sb, PublicURL: pub})
	id := runExample(t, e, sb, sandbox.ExampleWrongPassword)
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/p/"+id+".md", nil)
	req.Host = "smtpdoctor.example.com"
	_, md := e.do(req)
	if !strings.Contains(md, "Full report: https://smtpdoctor.example.com/p/"+id) || strings.Contains(md, "only on the machine") {
		t.Errorf("ticket links:\n%s", md)
	}
	req, _ = http.NewRequest(http.MethodGet, e.http.URL+"/p/"+id+".json", nil)
	req.Host = "smtpdoctor.example.com"
	_, js := e.do(req)
	if !strings.Contains(js, `"url": "https://smtpdoctor.example.com/p/`+id+`"`) {
		t.Errorf("JSON export url is not the public one:\n%.400s", js)
	}
}
