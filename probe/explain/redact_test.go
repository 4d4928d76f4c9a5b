package explain

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

var testNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// assertAbsent fails when any secret, or a base64 form of it, appears in
// the result's JSON.
func assertAbsent(t *testing.T, res probe.Result, secrets ...string) {
	t.Helper()
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		for _, form := range []string{s, b64(s), base64.RawStdEncoding.EncodeToString([]byte(s))} {
			if strings.Contains(string(js), form) {
				t.Errorf("%q (a form of a secret) is in the result JSON", form)
			}
		}
	}
}

func hasFinding(res probe.Result, c probe.Code) bool {
	return slices.ContainsFunc(res.Findings, func(f probe.Finding) bool { return f.Code == c })
}

func TestRedactsEverySecretShape(t *testing.T) {
	plain := b64("\x00alice@example.com\x00Tr0ub4dor&3")
	xoauth := b64("user=alice@example.com\x01auth=Bearer ya29.a0AfH6SMBxLongGoogleAccessToken0123456789\x01\x01")
	cases := []struct {
		name    string
		text    string
		secrets []string
		user    string
	}{
		{"AUTH PLAIN inline", "C: EHLO x\nS: 250 AUTH PLAIN\nC: AUTH PLAIN " + plain + "\nS: 535 5.7.8 Authentication failed\n",
			[]string{"Tr0ub4dor&3", plain}, "alice@example.com"},
		{"AUTH PLAIN after 334", "C: AUTH PLAIN\nS: 334 \nC: " + plain + "\nS: 535 5.7.8 Authentication failed\n",
			[]string{"Tr0ub4dor&3", plain}, "alice@example.com"},
		{"AUTH LOGIN username and password lines",
			"CLIENT -> SERVER: AUTH LOGIN\nSERVER -> CLIENT: 334 VXNlcm5hbWU6\nCLIENT -> SERVER: " + b64("bob@example.org") +
				"\nSERVER -> CLIENT: 334 UGFzc3dvcmQ6\nCLIENT -> SERVER: " + b64("correct horse battery") + "\nSERVER -> CLIENT: 535 5.7.8 Error: authentication failed\n",
			[]string{"correct horse battery", b64("bob@example.org")}, "bob@example.org"},
		{"the password repeated elsewhere in the text",
			" -> AUTH LOGIN\n<-  334 VXNlcm5hbWU6\n -> " + b64("carol") + "\n<-  334 UGFzc3dvcmQ6\n -> " + b64("hunter2hunter2") + "\n<** 535 5.7.8 bad\n*** password was hunter2hunter2\n",
			[]string{"hunter2hunter2"}, "carol"},
		{"XOAUTH2 token", "C: AUTH XOAUTH2 " + xoauth + "\nS: 535 5.7.8 Username and Password not accepted\n",
			[]string{"ya29.a0AfH6SMBxLongGoogleAccessToken0123456789", xoauth}, "alice@example.com"},
		{"bearer header", "Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345\n535 5.7.8 Authentication failed\n",
			[]string{"abcdefghijklmnopqrstuvwxyz012345"}, ""},
		{"URL with credentials", "Error: connect ECONNREFUSED 10.0.0.1:587 (smtp://mailer:S3cretPass!@smtp.example.com:587)\n",
			[]string{"S3cretPass!"}, ""},
		{"password settings", "MAIL_PASSWORD=pa55word-xyz\n$mail->Password = 'another-secret';\npass: \"third-secret\"\n535 5.7.8 Authentication failed\n",
			[]string{"pa55word-xyz", "another-secret", "third-secret"}, ""},
		{"Dovecot verbose password", "Mar 04 13:54:28 auth-worker(13549): Info: sql(info,141.98.80.134): unknown user (given password: zebra-9981)\n",
			[]string{"zebra-9981"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, _ := explain(c.text, testNow)
			assertAbsent(t, res, c.secrets...)
			if !hasFinding(res, probe.CodeInputRedacted) {
				t.Errorf("no input.redacted finding; findings %v", res.Findings)
			}
			if res.Settings.User != c.user {
				t.Errorf("user %q, want %q", res.Settings.User, c.user)
			}
		})
	}
}

func TestMaskedLinesAreNotCountedAsSecrets(t *testing.T) {
	text := "CLIENT -> SERVER: AUTH LOGIN\nSERVER -> CLIENT: 334 VXNlcm5hbWU6\nCLIENT -> SERVER: <credentials hidden>\n" +
		"SERVER -> CLIENT: 334 UGFzc3dvcmQ6\nCLIENT -> SERVER: <credentials hidden>\nSERVER -> CLIENT: 535 5.7.8 Username and Password not accepted\n"
	res, _ := explain(text, testNow)
	if hasFinding(res, probe.CodeInputRedacted) {
		t.Errorf("text the library had already masked was reported as redacted: %v", res.Findings)
	}
	if res.Diagnosis.Code != probe.CodeAuthCredentialsRejected {
		t.Errorf("diagnosis %s", res.Diagnosis.Code)
	}
}
