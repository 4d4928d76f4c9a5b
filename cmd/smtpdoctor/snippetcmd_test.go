package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
)

// --snippet prints the configuration that worked on standard output, alone,
// with the sandbox's CA file in it; the report goes to standard error.
func TestProbeSnippetPrintsWorkingConfiguration(t *testing.T) {
	sb := startSandbox(t)
	ex := example(t, sb, sandbox.ExampleWorking)
	s := ex.Settings
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, sb.CertificatePEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, map[string]string{"SMTPDOCTOR_PASSWORD": ex.Password},
		"probe", "--snippet", "python", "--ca-file", ca, "--color", "never", "--security", "auto", "--user", s.User,
		"--from", s.From, "--to", s.To, s.Host+":"+strconv.Itoa(s.Port))
	if r.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"s.starttls(context=context)",                         // auto resolved to what the probe did: STARTTLS
		"host, port = \"127.0.0.1\", " + strconv.Itoa(s.Port), // the server that worked
		"ssl.create_default_context(cafile=\"" + ca + "\")",
		`os.environ["SMTP_PASSWORD"]`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("snippet lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "Everything worked") || strings.Contains(r.stdout, "Transcript") {
		t.Errorf("the report belongs on stderr, the snippet alone on stdout:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	assertNoSecret(t, ex.Password, s.User, r.stdout+r.stderr)
}

func TestProbeSnippetAfterFailureExitsOne(t *testing.T) {
	sb := startSandbox(t)
	ex := example(t, sb, sandbox.ExampleWrongPassword)
	s := ex.Settings
	r := runCLI(t, map[string]string{"SMTPDOCTOR_PASSWORD": ex.Password},
		"probe", "--snippet", "nodemailer", "--color", "never", "--security", string(s.Security), "--user", s.User, s.Host+":"+strconv.Itoa(s.Port))
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "No nodemailer snippet") || !strings.Contains(r.stderr, "535") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestProbeSnippetNames(t *testing.T) {
	r := runCLI(t, nil, "probe", "--snippet", "pine", "smtp.example.com")
	if r.code != 2 || !strings.Contains(r.stderr, "nodemailer") || !strings.Contains(r.stderr, "thunderbird") {
		t.Errorf("unknown client: exit %d, stderr %s", r.code, r.stderr)
	}
	r = runCLI(t, nil, "probe", "-h")
	if !strings.Contains(r.stderr, "-snippet") || !strings.Contains(r.stderr, "phpmailer, symfony, laravel") {
		t.Errorf("-h does not list the snippet clients:\n%s", r.stderr)
	}
}
