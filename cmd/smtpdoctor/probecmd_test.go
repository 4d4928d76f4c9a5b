package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
)

// startSandbox runs the demo servers the dashboard offers; the CLI tests
// probe them like a user would.
func startSandbox(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(context.Background())
	if err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

func example(t *testing.T, sb *sandbox.Sandbox, key string) sandbox.Example {
	t.Helper()
	for _, ex := range sb.Examples() {
		if ex.Key == key {
			return ex
		}
	}
	t.Fatalf("sandbox has no example %q", key)
	return sandbox.Example{}
}

type cliRun struct {
	stdout, stderr string
	code           int
}

func runCLI(t *testing.T, environ map[string]string, args ...string) cliRun {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, env{func(k string) string { return environ[k] }}, strings.NewReader(""), &out, &errOut)
	code := exitCode(err, &errOut)
	return cliRun{out.String(), errOut.String(), code}
}

// The JSON keys the interface contract (README) promises scripts.
var contractKeys = []string{"status", "outcome", "settings", "diagnosis", "findings", "steps", "transcript"}

func TestProbeJSONWorkingAccount(t *testing.T) {
	sb := startSandbox(t)
	ex := example(t, sb, sandbox.ExampleWorking)
	s := ex.Settings
	r := runCLI(t, map[string]string{"SMTPDOCTOR_PASSWORD": ex.Password},
		"probe", "--json", "--security", string(s.Security), "--user", s.User, "--from", s.From, "--to", s.To,
		s.Host+":"+strconv.Itoa(s.Port))
	// The sandbox certificate is not in the system roots, so the probe
	// carries on unverified: everything worked, with a warning. Exit 0.
	if r.code != 0 {
		t.Fatalf("exit %d, want 0; stderr: %s\nstdout: %s", r.code, r.stderr, r.stdout)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	for _, k := range contractKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("result JSON lacks %q", k)
		}
	}
	var res struct {
		Status    string `json:"status"`
		Outcome   string `json:"outcome"`
		Diagnosis struct{ Code string }
		Findings  []struct{ Code string }
		Settings  map[string]any
	}
	json.Unmarshal([]byte(r.stdout), &res)
	if res.Status != "done" || res.Outcome != "warning" {
		t.Errorf("status %q outcome %q, want done/warning (untrusted sandbox certificate)", res.Status, res.Outcome)
	}
	codes := []string{res.Diagnosis.Code}
	for _, f := range res.Findings {
		codes = append(codes, f.Code)
	}
	if !contains(codes, "tls.cert_untrusted") {
		t.Errorf("codes %v lack tls.cert_untrusted", codes)
	}
	if _, ok := res.Settings["password"]; ok {
		t.Errorf("settings carry a password field")
	}
	for _, k := range []string{"host", "port", "security", "user", "mech", "from", "to", "helo"} {
		if _, ok := res.Settings[k]; !ok {
			t.Errorf("settings lack the contract's %q", k)
		}
	}
	assertNoSecret(t, ex.Password, ex.Settings.User, r.stdout+r.stderr)
}

func TestProbeWrongPasswordExitsOne(t *testing.T) {
	sb := startSandbox(t)
	ex := example(t, sb, sandbox.ExampleWrongPassword)
	s := ex.Settings
	r := runCLI(t, map[string]string{"SMTPDOCTOR_PASSWORD": ex.Password},
		"probe", "--color", "never", "--security", string(s.Security), "--user", s.User, s.Host+":"+strconv.Itoa(s.Port))
	if r.code != 1 {
		t.Fatalf("exit %d, want 1; stdout: %s", r.code, r.stdout)
	}
	for _, want := range []string{"FAILURE", "auth.credentials_rejected", "What to do", "1. ", "Transcript", "535"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("--color never printed escape sequences")
	}
	assertNoSecret(t, ex.Password, s.User, r.stdout+r.stderr)
}

// A password pasted with a line break is refused before anything connects.
func TestProbeRefusesControlCharactersInPassword(t *testing.T) {
	sb := startSandbox(t)
	ex := example(t, sb, sandbox.ExampleWrongPassword)
	s := ex.Settings
	r := runCLI(t, map[string]string{"SMTPDOCTOR_PASSWORD": "Secret-pw\r\n"},
		"probe", "--security", string(s.Security), "--user", s.User, s.Host+":"+strconv.Itoa(s.Port))
	if r.code != 2 || !strings.Contains(r.stderr, "carriage return") {
		t.Errorf("exit %d, stderr %q; want 2 naming the carriage return", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "Secret-pw") {
		t.Errorf("the refusal repeats the password")
	}
}

func TestProbeFlagsAfterHost(t *testing.T) {
	sb := startSandbox(t)
	ex := example(t, sb, sandbox.ExampleNoAuth)
	s := ex.Settings
	r := runCLI(t, map[string]string{"SMTPDOCTOR_PASSWORD": "whatever"},
		"probe", s.Host+":"+strconv.Itoa(s.Port), "--json", "--security", string(s.Security), "--user", "someone@example.com")
	if r.code != 1 || !strings.Contains(r.stdout, `"auth.not_offered"`) {
		t.Fatalf("exit %d, want 1 with auth.not_offered; stdout: %s stderr: %s", r.code, r.stdout, r.stderr)
	}
}

func TestProbeUsageErrorsExitTwo(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no host", nil, []string{"probe"}, "HOST"},
		{"two hosts", nil, []string{"probe", "a.example", "b.example"}, "exactly one"},
		{"bad security", nil, []string{"probe", "--security", "ssl3", "a.example"}, "--security choose auto, starttls, tls (SSL/TLS) or none"},
		{"bad port", nil, []string{"probe", "a.example:99999"}, "1 to 65535"},
		{"user without password", nil, []string{"probe", "--user", "me", "a.example"}, "SMTPDOCTOR_PASSWORD"},
		{"injection in user", map[string]string{"SMTPDOCTOR_PASSWORD": "x"}, []string{"probe", "--user", "me\r\nRCPT TO:<x>", "a.example"}, "line break"},
		{"send without addresses", nil, []string{"probe", "--send", "a.example"}, "--to to send a test message, enter a recipient"},
		{"unknown command", nil, []string{"frobnicate"}, "unknown command"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, c.env, c.args...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr %q does not say %q", r.stderr, c.want)
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	var sink bytes.Buffer
	for _, c := range []struct {
		err  error
		want int
	}{{nil, 0}, {errFailedProbe, 1}, {usageError{"x"}, 2}, {errors.New("boom"), 2}} {
		if got := exitCode(c.err, &sink); got != c.want {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

// assertNoSecret fails when the password, or the base64 forms AUTH PLAIN
// and LOGIN would put on the wire, appear in out.
func assertNoSecret(t *testing.T, password, user, out string) {
	t.Helper()
	forms := map[string]string{
		"password":     password,
		"PLAIN base64": base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + password)),
		"LOGIN base64": base64.StdEncoding.EncodeToString([]byte(password)),
	}
	for name, f := range forms {
		if f != "" && strings.Contains(out, f) {
			t.Errorf("output contains the %s", name)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestProbeSettingsPunycodesIDNHosts(t *testing.T) {
	noPassword := func() (probe.Secret, error) { return probe.Secret{}, nil }
	s, _, err := probeSettings(probeFlags{security: "auto", mech: "auto"}, "mail.bücher.example:587", noPassword)
	if err != nil {
		t.Fatal(err)
	}
	if s.Host != "mail.xn--bcher-kva.example" || s.Port != 587 {
		t.Errorf("host %q port %d", s.Host, s.Port)
	}
	if _, _, err := probeSettings(probeFlags{security: "auto", mech: "auto"}, "bad_host!.example", noPassword); err == nil {
		t.Errorf("an invalid host name was accepted")
	}
}
