package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/static"
)

func TestStaticAssetsCacheBusted(t *testing.T) {
	e := newEnv(t, Config{})
	url := static.URL("app.css")
	if !strings.Contains(url, "?v=") {
		t.Fatalf("URL(app.css) = %q", url)
	}
	resp, body := e.get(url)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(body, "prefers-color-scheme") {
		t.Errorf("GET %s = %d %q %q", url, resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Type"))
	}
	if resp, _ := e.get("/static/app.css?v=stale"); strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("a stale hash is cached for a year")
	}
	if resp, _ := e.get("/static/nope.js"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown asset = %d", resp.StatusCode)
	}
}

func TestPermalinkWeight(t *testing.T) {
	e := newEnv(t, Config{})
	id := e.storedAttempt(nil)
	_, page := e.get("/p/" + id)
	before, _, _ := strings.Cut(page, `<ol class="transcript`)
	total := len(before) + static.Size("app.css") + static.Size("app.js")
	if total > 60<<10 {
		t.Errorf("permalink page before the transcript, with CSS and JS, is %d bytes (limit 60 KiB)", total)
	}
}

func TestRerunFillsFormButNotPassword(t *testing.T) {
	e := newEnv(t, Config{})
	id := e.storedAttempt(func(r *probe.Result) {
		r.Settings.Host, r.Settings.Port, r.Settings.Security, r.Settings.HELO = "mail.example.org", 465, probe.SecurityTLS, "me.example"
	})
	resp, body := e.get("/?from=" + id)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /?from= = %d", resp.StatusCode)
	}
	for _, want := range []string{`value="mail.example.org"`, `value="465"`, `<option value="tls" selected>`, `value="me.example"`, "enter it again"} {
		if !strings.Contains(body, want) {
			t.Errorf("re-run form lacks %q", want)
		}
	}
	if resp, _ := e.get("/?from=nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("bad from id = %d", resp.StatusCode)
	}
}

func TestDeleteAttempt(t *testing.T) {
	e := newEnv(t, Config{})
	id := e.storedAttempt(nil)
	resp, _ := e.postForm("/p/"+id+"/delete", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete = %d", resp.StatusCode)
	}
	if resp, _ := e.get("/p/" + id); resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleted permalink = %d", resp.StatusCode)
	}
	if resp, _ := e.postForm("/p/"+id+"/delete", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("second delete = %d", resp.StatusCode)
	}
}

func TestExports(t *testing.T) {
	e := newEnv(t, Config{})
	id := e.storedAttempt(nil)
	resp, body := e.get("/p/" + id + ".json")
	var r probe.Result
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &r) != nil || r.ID != id || r.Diagnosis.Code != "auth.credentials_rejected" {
		t.Errorf(".json = %d %s", resp.StatusCode, body)
	}
	resp, body = e.get("/p/" + id + ".txt")
	for _, want := range []string{"auth.credentials_rejected", "1. Check the password.", "S: 220 smtp.example.com ESMTP", "/p/" + id} {
		if !strings.Contains(body, want) {
			t.Errorf(".txt lacks %q", want)
		}
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf(".txt Content-Type %q", resp.Header.Get("Content-Type"))
	}
}

func TestHistoryFiltersPagingAndCSV(t *testing.T) {
	e := newEnv(t, Config{})
	base := time.Now().UTC().Add(-time.Hour)
	var ids []string
	for i := range 5 {
		ids = append(ids, e.storedAttempt(func(r *probe.Result) {
			r.StartedAt = base.Add(time.Duration(i) * time.Minute)
			if i%2 == 0 {
				r.Outcome = probe.OutcomeSuccess
				r.Diagnosis = &probe.Diagnosis{Code: "ok", Title: "It works"}
				r.Settings.User = "=cmd|' /C calc'!A0"
			}
		}))
	}
	_, body := e.get("/history?limit=2")
	if !strings.Contains(body, `href="/p/`+ids[4]+`"`) || strings.Contains(body, `href="/p/`+ids[2]+`"`) {
		t.Errorf("first page is not the newest two")
	}
	if !strings.Contains(body, "5 in all") {
		t.Errorf("counts missing")
	}
	i := strings.Index(body, `rel="next"`)
	j := strings.LastIndex(body[:i], `href="`)
	older := strings.ReplaceAll(body[j+len(`href="`):i-2], "&amp;", "&")
	_, body = e.get(older)
	if !strings.Contains(body, `href="/p/`+ids[2]+`"`) || strings.Contains(body, `href="/p/`+ids[4]+`"`) {
		t.Errorf("older page %s is wrong", older)
	}
	_, body = e.get("/history?outcome=failure")
	if strings.Contains(body, `href="/p/`+ids[0]+`"`) || !strings.Contains(body, `href="/p/`+ids[1]+`"`) {
		t.Errorf("outcome filter")
	}
	if resp, _ := e.get("/history?outcome=bogus"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad outcome = %d", resp.StatusCode)
	}
	if resp, _ := e.get("/history?cursor=garbage"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad cursor = %d", resp.StatusCode)
	}
	resp, body := e.get("/history.csv?code=ok")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("csv: %v", err)
	}
	if len(rows) != 4 || rows[0][0] != "id" {
		t.Errorf("csv rows = %d", len(rows))
	}
	for _, row := range rows[1:] {
		if strings.HasPrefix(row[5], "=") {
			t.Errorf("csv cell %q starts a formula", row[5])
		}
	}
}

func TestWhatChangedSinceLastSuccess(t *testing.T) {
	e := newEnv(t, Config{})
	t0 := time.Now().UTC().Add(-2 * time.Hour)
	okID := e.storedAttempt(func(r *probe.Result) {
		r.StartedAt, r.Outcome = t0, probe.OutcomeSuccess
		r.Diagnosis = &probe.Diagnosis{Code: "ok", Title: "It works"}
		r.Auth = &probe.AuthInfo{OfferedAfterTLS: []string{"PLAIN", "LOGIN"}, Succeeded: true}
		r.TLS = &probe.TLSInfo{Version: "TLS 1.3", Chain: []probe.Certificate{{SHA256: "aaaa", NotAfter: t0.Add(24 * time.Hour)}}}
	})
	badID := e.storedAttempt(func(r *probe.Result) {
		r.Auth = &probe.AuthInfo{OfferedAfterTLS: []string{"LOGIN"}}
		r.TLS = &probe.TLSInfo{Version: "TLS 1.2", Chain: []probe.Certificate{{SHA256: "bbbb", NotAfter: t0.Add(48 * time.Hour)}}}
	})
	_, page := e.get("/p/" + badID)
	for _, want := range []string{"What changed since it last worked", `href="/p/` + okID + `"`, "no longer: PLAIN", "TLS 1.2", "bbbb"} {
		if !strings.Contains(page, want) {
			t.Errorf("permalink lacks %q", want)
		}
	}
}
