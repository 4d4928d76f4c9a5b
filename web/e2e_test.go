package web

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
)

const (
	testUser     = "alice@example.com"
	testPassword = "Tr0ub4dor&3-correct-horse"
	wrongPass    = "wrong-Pa55word-staple"
)

// secretForms are the password and the encodings in which it crosses the
// wire: raw, AUTH PLAIN's base64 of "\x00user\x00pass" (RFC 4616), and
// AUTH LOGIN's base64 of the password alone.
func secretForms(user, pass string) []string {
	return []string{
		pass,
		base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass)),
		base64.StdEncoding.EncodeToString([]byte(user + "\x00" + user + "\x00" + pass)),
		base64.StdEncoding.EncodeToString([]byte(pass)),
	}
}

// readEvents reads an SSE stream to its "done" event and returns the
// data of every "progress" event.
func (e *testEnv) readEvents(id string) []string {
	e.t.Helper()
	resp, err := http.Get(e.http.URL + "/p/" + id + "/events")
	if err != nil {
		e.t.Fatalf("GET events: %v", err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		e.t.Fatalf("events Content-Type = %q", ct)
	}
	var progress []string
	var name string
	var data []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		case line == "":
			if name == "done" {
				return progress
			}
			if name == "progress" {
				progress = append(progress, strings.Join(data, "\n"))
			}
			name, data = "", nil
		}
	}
	e.t.Fatalf("event stream ended without done: %v", sc.Err())
	return nil
}

func TestWholePathFormAndAPI(t *testing.T) {
	srv := startGoSMTP(t, "mx.test", testUser, testPassword)
	cfg, ac := Config{}, attempt.Config{ExtraRoots: srv.Roots}
	loopbackOK(&cfg)
	e := newEnvWith(t, cfg, ac)
	port := strconv.Itoa(srv.Port)

	// 1. The form, with the wrong password.
	resp, _ := e.postForm("/probes", url.Values{
		"host": {srv.Host}, "port": {port}, "security": {"starttls"}, "user": {testUser}, "password": {wrongPass},
	})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /probes = %d, want 303", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	id, ok := attempt.ParseID(strings.TrimPrefix(loc, "/p/"))
	if !strings.HasPrefix(loc, "/p/") || !ok {
		t.Fatalf("redirect to %q", loc)
	}
	progress := e.readEvents(id)
	if len(progress) == 0 || !strings.Contains(strings.Join(progress, ""), "<table") {
		t.Errorf("the event stream sent no step fragment: %q", progress)
	}

	resp, page := e.get(loc)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", loc, resp.StatusCode)
	}
	stored, err := e.store.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("stored attempt: %v", err)
	}
	if stored.Status != probe.StatusDone || stored.Diagnosis == nil || stored.Diagnosis.Code != "auth.credentials_rejected" {
		t.Fatalf("stored = status %s diagnosis %+v", stored.Status, stored.Diagnosis)
	}
	for _, want := range []string{stored.Diagnosis.Title, stored.Diagnosis.Summary, "EHLO", "STARTTLS", "535", "test-machine", testUser} {
		if !strings.Contains(page, htmlEscape(want)) {
			t.Errorf("permalink lacks %q", want)
		}
	}
	for _, want := range []string{"<ol>", `class="badge failure"`, `<ol class="transcript mono">`, `href="/?from=` + id + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("permalink lacks %q", want)
		}
	}
	if len(stored.Diagnosis.Remediation) == 0 || !strings.Contains(page, htmlEscape(stored.Diagnosis.Remediation[0])) {
		t.Errorf("permalink lacks the remediation")
	}
	if _, hist := e.get("/history"); !strings.Contains(hist, `href="/p/`+id+`"`) {
		t.Errorf("history does not link to the attempt")
	}
	if _, hist := e.get("/history?outcome=success"); strings.Contains(hist, `href="/p/`+id+`"`) {
		t.Errorf("history filter outcome=success shows a failure")
	}

	// 2. The API, with the right password, waiting for the result.
	body, _ := json.Marshal(map[string]any{"host": srv.Host, "port": srv.Port, "security": "starttls", "user": testUser, "password": testPassword})
	resp, out := e.postJSON("/api/v1/probes?wait=30s", string(body))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v1/probes?wait = %d: %s", resp.StatusCode, out)
	}
	var res probe.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("decode result: %v", err)
	}
	if res.ID == "" || res.Status != probe.StatusDone || res.Diagnosis == nil || res.Diagnosis.Code != "ok" || res.Outcome != probe.OutcomeSuccess {
		t.Fatalf("API result = id %q status %s outcome %s diagnosis %+v", res.ID, res.Status, res.Outcome, res.Diagnosis)
	}
	resp, out = e.get("/api/v1/probes/" + res.ID)
	var got struct{ ID string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(out), &got) != nil || got.ID != res.ID {
		t.Errorf("GET /api/v1/probes/{id} = %d %s", resp.StatusCode, out)
	}
	// Without wait: 202 and where to look.
	resp, out = e.postJSON("/api/v1/probes", string(body))
	var started apiStarted
	if resp.StatusCode != http.StatusAccepted || json.Unmarshal([]byte(out), &started) != nil || started.ID == "" ||
		!strings.HasSuffix(started.URL, "/p/"+started.ID) {
		t.Errorf("POST /api/v1/probes = %d %s", resp.StatusCode, out)
	}
	e.readEvents(started.ID) // let it finish before the secret checks
	_, list := e.get("/api/v1/probes?host=" + srv.Host + "&limit=10")
	var listed apiList
	if err := json.Unmarshal([]byte(list), &listed); err != nil || len(listed.Probes) != 3 {
		t.Errorf("GET /api/v1/probes = %s (%v)", list, err)
	}

	// 3. No secret anywhere: pages, JSON, exports, logs, database files.
	var everything strings.Builder
	for _, p := range []string{"/p/" + id, "/p/" + id + ".json", "/p/" + id + ".txt", "/p/" + res.ID, "/p/" + res.ID + ".json",
		"/p/" + res.ID + ".txt", "/api/v1/probes/" + res.ID, "/api/v1/probes", "/history", "/history.csv", "/?from=" + id} {
		resp, b := e.get(p)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", p, resp.StatusCode)
		}
		everything.WriteString(b)
	}
	everything.WriteString(out)
	everything.WriteString(strings.Join(progress, ""))
	e.attempts.Shutdown(t.Context())
	e.srv.Shutdown(t.Context())
	everything.WriteString(e.logs.String())
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(e.dbPath + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		everything.Write(b)
	}
	all := everything.String()
	for _, pass := range []string{testPassword, wrongPass} {
		for _, s := range secretForms(testUser, pass) {
			if strings.Contains(all, s) {
				t.Errorf("the secret (as %q) leaked", s)
			}
		}
	}
	if !strings.Contains(e.logs.String(), "probe finished") {
		t.Errorf("the log captured nothing; the leak check would be empty")
	}
}

func htmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
	return r.Replace(s)
}
