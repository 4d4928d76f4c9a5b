package main

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// The same pasted text says the same thing through every door: the paste
// box (a multipart form, through the real router), POST /api/v1/explain
// and `smtpdoctor explain --json`: the same diagnosis, findings and
// settings, and the explanation is stored as kind explain.
func TestSameTextSameExplanationThroughEveryDoor(t *testing.T) {
	d := startDashboard(t)
	corpus, err := filepath.Glob("../../probe/explain/testdata/corpus/*.txt")
	if err != nil || len(corpus) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, name := range []string{"phpmailer-gmail-465-plain-base64", "postfix-crowdsec-bruteforce", "dotnet-tenant-smtp-auth-disabled", "nodemailer-etimedout-465"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("../../probe/explain/testdata/corpus", name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			_, text, _ := strings.Cut(string(raw), "\n--\n")

			cli := explainViaCLI(t, text)
			api := d.explainViaAPI(text)
			form := d.explainViaForm(text)
			for door, r := range map[string]probe.Result{"API": api, "form": form} {
				if r.Kind != probe.KindExplain || r.Status != probe.StatusDone {
					t.Errorf("%s: kind %q status %q", door, r.Kind, r.Status)
				}
				if got, want := summary(r), summary(cli); got != want {
					t.Errorf("%s says %s\nthe CLI says %s", door, got, want)
				}
			}
		})
	}
}

// summary is what must agree between doors: diagnosis, findings and
// settings (not the id, time or origin).
func summary(r probe.Result) string {
	var codes []string
	for _, f := range r.Findings {
		codes = append(codes, string(f.Code))
	}
	slices.Sort(codes)
	d := ""
	if r.Diagnosis != nil {
		d = string(r.Diagnosis.Code) + " " + r.Diagnosis.Title
	}
	s, _ := json.Marshal(r.Settings)
	return d + " " + strings.Join(codes, ",") + " " + string(s) + " " + string(r.Outcome)
}

func explainViaCLI(t *testing.T, text string) probe.Result {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"explain", "--json", "-"}, env{func(string) string { return "" }}, strings.NewReader(text), &out, &errOut)
	if code := exitCode(err, &errOut); code > 1 {
		t.Fatalf("smtpdoctor explain exited %d: %s", code, errOut.String())
	}
	var r probe.Result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("CLI JSON: %v\n%s", err, out.String())
	}
	return r
}

func (d *dashboard) explainViaAPI(text string) probe.Result {
	d.t.Helper()
	body, _ := json.Marshal(map[string]string{"text": text})
	resp, err := http.Post(d.url+"/api/v1/explain", "application/json", bytes.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	var r probe.Result
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&r) != nil || r.ID == "" {
		d.t.Fatalf("POST /api/v1/explain = %d", resp.StatusCode)
	}
	return r
}

func (d *dashboard) explainViaForm(text string) probe.Result {
	d.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("text", text)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, d.url+"/explain", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", d.url)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/p/") {
		d.t.Fatalf("POST /explain = %d, Location %q", resp.StatusCode, loc)
	}
	r, err := d.store.Get(context.Background(), strings.TrimPrefix(loc, "/p/"))
	if err != nil {
		d.t.Fatal(err)
	}
	return r
}
