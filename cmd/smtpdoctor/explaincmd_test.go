package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/explain"
)

// A PHPMailer debug log with the password's base64 in it, as people paste
// them (https://github.com/PHPMailer/PHPMailer/issues/1394 has one).
func pastedLog(password string) string {
	return "2018-03-28 07:28:15\tConnection: opening to ssl://smtp.gmail.com:465, timeout=300, options=array (\n" +
		"2018-03-28 07:28:15\tSERVER -> CLIENT: 220 smtp.gmail.com ESMTP a63sm4132349wrc.22 - gsmtp\n" +
		"2018-03-28 07:28:15\tCLIENT -> SERVER: EHLO example.org\n" +
		"2018-03-28 07:28:15\tSERVER -> CLIENT: 250-smtp.gmail.com at your service\n250 AUTH LOGIN PLAIN\n" +
		"2018-03-28 07:28:15\tCLIENT -> SERVER: AUTH LOGIN\n" +
		"2018-03-28 07:28:15\tSERVER -> CLIENT: 334 VXNlcm5hbWU6\n" +
		"2018-03-28 07:28:15\tCLIENT -> SERVER: " + base64.StdEncoding.EncodeToString([]byte("ann@example.org")) + "\n" +
		"2018-03-28 07:28:15\tSERVER -> CLIENT: 334 UGFzc3dvcmQ6\n" +
		"2018-03-28 07:28:15\tCLIENT -> SERVER: " + base64.StdEncoding.EncodeToString([]byte(password)) + "\n" +
		"2018-03-28 07:28:15\tSERVER -> CLIENT: 535-5.7.8 Username and Password not accepted. Learn more at\n535 5.7.8 https://support.google.com/mail/?p=BadCredentials a63sm4132349wrc.22 - gsmtp\n"
}

func runExplain(t *testing.T, stdin string, args ...string) cliRun {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"explain"}, args...), env{func(string) string { return "" }}, strings.NewReader(stdin), &out, &errOut)
	code := exitCode(err, &errOut)
	return cliRun{out.String(), errOut.String(), code}
}

func TestExplainFileJSON(t *testing.T) {
	const password = "Pr1vate-Pa55word"
	file := filepath.Join(t.TempDir(), "debug.log")
	if err := os.WriteFile(file, []byte(pastedLog(password)), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runExplain(t, "", "--json", file)
	if r.code != 1 {
		t.Errorf("exit %d, want 1 (a failure); stderr %s", r.code, r.stderr)
	}
	var res probe.Result
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if res.Diagnosis == nil || res.Diagnosis.Code != probe.CodeAuthCredentialsRejected {
		t.Errorf("diagnosis %+v", res.Diagnosis)
	}
	if res.Settings.Host != "smtp.gmail.com" || res.Settings.Port != 465 || res.Settings.Security != probe.SecurityTLS || res.Settings.User != "ann@example.org" {
		t.Errorf("settings %+v", res.Settings)
	}
	for _, k := range contractKeys {
		if !strings.Contains(r.stdout, `"`+k+`"`) {
			t.Errorf("JSON lacks %q", k)
		}
	}
	assertNoSecret(t, password, "ann@example.org", r.stdout+r.stderr)
}

func TestExplainStdinReport(t *testing.T) {
	const password = "An0ther-Secret!"
	r := runExplain(t, pastedLog(password), "-")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	for _, want := range []string{"smtpdoctor explain  smtp.gmail.com:465  as ann@example.org", "FAILURE", "[auth.credentials_rejected]", "[input.redacted, info]", "[redacted: password]"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	assertNoSecret(t, password, "ann@example.org", r.stdout+r.stderr)
}

func TestExplainServerLogSummary(t *testing.T) {
	var log strings.Builder
	for i := range 20 {
		log.WriteString("Nov 14 09:0" + string(rune('0'+i%10)) + ":00 mail postfix/smtpd[7]: warning: unknown[198.51.100." + string(rune('1'+i%5)) + "]: SASL LOGIN authentication failed: UGFzc3dvcmQ6\n")
	}
	r := runExplain(t, log.String())
	if r.code != 0 {
		t.Errorf("exit %d, want 0: password guessing that fails is a warning", r.code)
	}
	for _, want := range []string{"[log.brute_force]", "Log summary", "Addresses (5 in all)", "Failed logins per"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestExplainUsageErrors(t *testing.T) {
	big := strings.Repeat("x", explain.MaxInput+1)
	for _, c := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"empty", "  \n", nil, "is empty"},
		{"too long", big, nil, "the most explain reads"},
		{"two files", "", []string{"a", "b"}, "one FILE"},
		{"missing file", "", []string{filepath.Join(t.TempDir(), "nope.log")}, "cannot read"},
		{"not recognised", "my mail is broken, help\n", nil, "nothing in the text was recognised"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runExplain(t, c.stdin, c.args...)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, c.want)
			}
		})
	}
}
