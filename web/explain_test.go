package web

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/explain"
)

// pastedDebugLog is a PHPMailer SMTPDebug log as people paste it, with
// the username and password lines in base64 (as in
// https://github.com/PHPMailer/PHPMailer/issues/1394) and the password
// again in a settings line.
func pastedDebugLog(user, password string) string {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	return "$mail->Password = '" + password + "';\n" +
		"2018-03-28 07:28:15\tConnection: opening to smtp.example.net:587, timeout=300, options=array (\n" +
		"2018-03-28 07:28:15\tSERVER -> CLIENT: 220 smtp.example.net ESMTP Postfix\n" +
		"2018-03-28 07:28:15\tCLIENT -> SERVER: EHLO app.example.org\n" +
		"2018-03-28 07:28:15\tSERVER -> CLIENT: 250-smtp.example.net\n250-STARTTLS\n250 AUTH PLAIN LOGIN\n" +
		"2018-03-28 07:28:15\tCLIENT -> SERVER: STARTTLS\n" +
		"2018-03-28 07:28:15\tSERVER -> CLIENT: 220 2.0.0 Ready to start TLS\n" +
		"2018-03-28 07:28:15\tCLIENT -> SERVER: EHLO app.example.org\n" +
		"2018-03-28 07:28:15\tSERVER -> CLIENT: 250-smtp.example.net\n250 AUTH PLAIN LOGIN\n" +
		"2018-03-28 07:28:15\tCLIENT -> SERVER: AUTH LOGIN\n" +
		"2018-03-28 07:28:15\tSERVER -> CLIENT: 334 VXNlcm5hbWU6\n" +
		"2018-03-28 07:28:15\tCLIENT -> SERVER: " + b64(user) + "\n" +
		"2018-03-28 07:28:15\tSERVER -> CLIENT: 334 UGFzc3dvcmQ6\n" +
		"2018-03-28 07:28:15\tCLIENT -> SERVER: " + b64(password) + "\n" +
		"2018-03-28 07:28:15\tSERVER -> CLIENT: 535 5.7.8 Error: authentication failed: authentication failure\n"
}

// postPaste posts text through the paste box as a browser does
// (multipart/form-data).
func (e *testEnv) postPaste(text string) (*http.Response, string) {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("text", text)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/explain", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return e.do(req)
}

func TestExplainThroughPageAndAPI(t *testing.T) {
	e := newEnv(t, Config{})
	const user, password = "ann@example.org", "Sup3r-Secret-Pw!"
	text := pastedDebugLog(user, password)

	// The paste box: 303 to the permalink, which reads as an explanation.
	resp, _ := e.postPaste(text)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/p/") {
		t.Fatalf("POST /explain = %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/p/")
	resp, page := e.get("/p/" + id)
	checkCSPClean(t, "explain permalink", resp, page)
	for _, want := range []string{"Pasted text about smtp.example.net:587", "Read from pasted text", "auth.credentials_rejected",
		"Probe this server", `href="/?from=` + id + `"`, "input.redacted", "input.text_only", "[redacted"} {
		if !strings.Contains(page, htmlEscape(want)) && !strings.Contains(page, want) {
			t.Errorf("permalink lacks %q", want)
		}
	}
	stored, err := e.store.Get(t.Context(), id)
	if err != nil || stored.Kind != probe.KindExplain || stored.Settings.Host != "smtp.example.net" || stored.Settings.Port != 587 ||
		stored.Settings.User != user || stored.Settings.Security != probe.SecurityStartTLS {
		t.Errorf("stored: kind %q settings %+v, err %v", stored.Kind, stored.Settings, err)
	}

	// "Probe this server" fills in the form with what the text revealed.
	_, form := e.get("/?from=" + id)
	for _, want := range []string{`value="smtp.example.net"`, `value="587"`, `value="` + user + `"`, `value="starttls" selected`, "read from the pasted text"} {
		if !strings.Contains(form, want) {
			t.Errorf("the prefilled form lacks %q", want)
		}
	}

	// The API: 200 with the result JSON and its id.
	body, _ := json.Marshal(map[string]string{"text": text})
	resp, out := e.postJSON("/api/v1/explain", string(body))
	var res probe.Result
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(out), &res) != nil || res.ID == "" || res.Kind != probe.KindExplain ||
		res.Diagnosis == nil || res.Diagnosis.Code != probe.CodeAuthCredentialsRejected {
		t.Fatalf("POST /api/v1/explain = %d %s", resp.StatusCode, out)
	}
	if !strings.Contains(out, `"kind":"explain"`) {
		t.Errorf("the result JSON lacks \"kind\": %s", out)
	}
	if _, got := e.get("/api/v1/probes/" + res.ID); !strings.Contains(got, `"kind":"explain"`) {
		t.Errorf("GET /api/v1/probes/{id} = %s", got)
	}

	// History and the API list filter by kind.
	e.storedAttempt(nil) // an ordinary probe, not to be listed
	_, list := e.get("/api/v1/probes?kind=explain")
	var listed apiList
	if err := json.Unmarshal([]byte(list), &listed); err != nil || len(listed.Probes) != 2 {
		t.Errorf("GET /api/v1/probes?kind=explain = %s", list)
	}
	for _, p := range listed.Probes {
		if p.Kind != probe.KindExplain {
			t.Errorf("listed a %s", p.Kind)
		}
	}
	_, hist := e.get("/history?kind=explain")
	if !strings.Contains(hist, "2 in all") || !strings.Contains(hist, "pasted text") {
		t.Errorf("history?kind=explain does not show the two explanations")
	}
	if resp, _ := e.get("/history?kind=bogus"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("history?kind=bogus = %d", resp.StatusCode)
	}

	// No secret anywhere: pages, JSON, exports, history, logs, database
	// and its WAL.
	var everything strings.Builder
	for _, p := range []string{"/p/" + id, "/p/" + id + ".json", "/p/" + id + ".txt", "/p/" + res.ID, "/api/v1/probes/" + res.ID,
		"/api/v1/probes?kind=explain", "/history?kind=explain", "/history.csv?kind=explain", "/?from=" + id} {
		resp, b := e.get(p)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", p, resp.StatusCode)
		}
		everything.WriteString(b)
	}
	everything.WriteString(out)
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
	for _, s := range []string{password, base64.StdEncoding.EncodeToString([]byte(password)), base64.StdEncoding.EncodeToString([]byte(user))} {
		if strings.Contains(all, s) {
			t.Errorf("the secret (as %q) leaked", s)
		}
	}
	if !strings.Contains(all, "auth.credentials_rejected") {
		t.Error("the leak check read nothing")
	}
}

func TestExplainServerLogPermalink(t *testing.T) {
	e := newEnv(t, Config{})
	var log strings.Builder
	for i := range 30 {
		fmt.Fprintf(&log, "Nov 14 09:%02d:00 mail postfix/submission/smtpd[%d]: warning: unknown[198.51.100.%d]: SASL LOGIN authentication failed: UGFzc3dvcmQ6\n", i, 100+i, i%6)
	}
	resp, _ := e.postPaste(log.String())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /explain = %d", resp.StatusCode)
	}
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/p/")
	resp, page := e.get("/p/" + id)
	checkCSPClean(t, "log permalink", resp, page)
	for _, want := range []string{"log.brute_force", "What the log says", "Addresses they fail from", "198.51.100.0", `id="log-histogram"`, "<rect"} {
		if !strings.Contains(page, want) {
			t.Errorf("log permalink lacks %q", want)
		}
	}
	if n := strings.Count(page, `<rect class="bar"`); n < 2 {
		t.Errorf("%d histogram bars", n)
	}
	_, txt := e.get("/p/" + id + ".txt")
	if !strings.Contains(txt, "Log summary  30 lines, 30 failed logins") {
		t.Errorf("the text export lacks the log summary:\n%s", txt)
	}
}

func TestExplainRefusals(t *testing.T) {
	e := newEnv(t, Config{})
	big := strings.Repeat("x", explain.MaxInput+1)
	for _, c := range []struct {
		name   string
		resp   func() (*http.Response, string)
		status int
		want   string
	}{
		{"empty paste", func() (*http.Response, string) { return e.postPaste("   ") }, http.StatusBadRequest, "Paste something first"},
		{"too long paste", func() (*http.Response, string) { return e.postPaste(big) }, http.StatusRequestEntityTooLarge, "longer than 1024 KiB"},
		{"urlencoded paste", func() (*http.Response, string) {
			return e.postForm("/explain", url.Values{"text": {"535 5.7.8 Authentication failed"}})
		}, http.StatusSeeOther, ""},
		{"empty API text", func() (*http.Response, string) { return e.postJSON("/api/v1/explain", `{"text": ""}`) }, http.StatusBadRequest, `is empty`},
		{"unknown API field", func() (*http.Response, string) { return e.postJSON("/api/v1/explain", `{"txt": "x"}`) }, http.StatusBadRequest, "unknown field"},
		{"too long API text", func() (*http.Response, string) {
			b, _ := json.Marshal(map[string]string{"text": big})
			return e.postJSON("/api/v1/explain", string(b))
		}, http.StatusRequestEntityTooLarge, "longer than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := c.resp()
			if resp.StatusCode != c.status || !strings.Contains(body, c.want) {
				t.Errorf("= %d %.300s; want %d and %q", resp.StatusCode, body, c.status, c.want)
			}
		})
	}
	// Text nothing recognises is explained too: as not recognised.
	resp, out := e.postJSON("/api/v1/explain", `{"text": "my mail is broken, please help"}`)
	if resp.StatusCode != http.StatusOK || !strings.Contains(out, `"code":"input.unrecognized"`) {
		t.Errorf("unrecognised text = %d %s", resp.StatusCode, out)
	}
	m := regexp.MustCompile(`"id":"([A-Za-z0-9_-]{20,})"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no id in %s", out)
	}
	_, page := e.get("/p/" + m[1])
	if !strings.Contains(page, "Nothing in this text was recognised") || !strings.Contains(page, "Postfix mail log") || strings.Contains(page, "Where it failed") {
		t.Error("the permalink of unrecognised text does not list the formats understood, or shows a failed step")
	}
}
