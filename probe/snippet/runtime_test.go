package snippet_test

// Every snippet that can run on this machine is run here against the
// sandbox's demo servers on loopback, with the client people would use:
// it must send through the working examples and fail, with the server's
// 535, against the wrong password, and what the client printed then must
// explain (smtpdoctor explain) to the probe's own diagnosis. clientRuns
// below lists every client, and says for each one that is not executed
// why not.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
	"github.com/smtpdoctor/smtpdoctor/probe/explain"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
	"github.com/smtpdoctor/smtpdoctor/probe/snippet"
)

// clientRun says how one client's snippet is executed, or why it is not.
type clientRun struct {
	client string
	// notExecuted is why the snippet does not run here; empty when it does.
	notExecuted string
	// run executes the snippet text in dir with the given environment and
	// returns everything the client printed.
	run func(t *testing.T, dir, text string, env []string) (output string, err error)
	// succeeded and rejected read the output (and exit error) of a run.
	succeeded func(out string, err error) bool
	// rejected must hold for the wrong password: the client reports the
	// server's refusal of the credentials, not some other failure.
	rejected func(out string, err error) bool
	// explainable: smtpdoctor explain reads the client's error output
	// (the wrong password's) to the same diagnosis as the probe's.
	explainable bool
	// knownToFail names the cases the release installed here cannot do
	// as the snippet says (the snippet names the release that can), with
	// the reason. Such a case must still fail, so the test notices when
	// the installed release catches up.
	knownToFail map[string]string
	// oauthRejected, when set, replaces rejected for a wrong OAuth token:
	// a client that does not answer the server's error challenge (RFC
	// 7628 §3.2.3) never sees the 535 that follows it.
	oauthRejected func(out string, err error) bool
}

// saysErrorChallenge is a client that stops at the server's error
// challenge, a 334 with base64 JSON ("eyJ" is the start of `{"`), and
// reports it.
func saysErrorChallenge(out string, err error) bool {
	return err != nil && strings.Contains(out, "334 eyJ")
}

func exitedOK(_ string, err error) bool { return err == nil }

// plaintextCase is the case without TLS or login, against the MX server.
const plaintextCase = "plaintext, no login"

// says535 is how most clients report a refused login: the server's reply
// (535 5.7.8 in the sandbox, RFC 4954 §6) in their error output.
func says535(out string, err error) bool { return err != nil && strings.Contains(out, "535") }

// nodeModules is where .ci/run installs Nodemailer with npm.
func nodeModules() string {
	if d := os.Getenv("SMTPDOCTOR_NODE_MODULES"); d != "" {
		return d
	}
	return "/opt/smtpdoctor-node/node_modules"
}

const phpMailerAutoload = "/usr/share/php/libphp-phpmailer/autoload.php"

var clientRuns = []clientRun{
	{client: "python", explainable: true, run: runFile("send.py", "python3"), succeeded: exitedOK, rejected: says535},
	{client: "nodemailer", explainable: true, run: runNodemailer, succeeded: exitedOK, rejected: says535},
	{client: "phpmailer", explainable: true, run: runPHPMailer, succeeded: exitedOK, rejected: says535},
	{client: "go", explainable: true, run: runGo(false), succeeded: exitedOK, rejected: says535},
	{client: "go-mail", explainable: true, run: runGo(true), succeeded: exitedOK, rejected: says535},
	{client: "msmtp", explainable: true, run: runMsmtp, succeeded: exitedOK, rejected: says535},
	{client: "swaks", explainable: true, run: runFile("replay.sh", "bash", "swaks"), succeeded: exitedOK, rejected: says535},
	// curl prints no reply text without -v (which would print the AUTH
	// exchange); its exit status 67 is CURLE_LOGIN_DENIED, the refused login.
	{client: "curl", explainable: true, run: runFile("send.sh", "bash", "curl"), succeeded: exitedOK, rejected: func(out string, err error) bool {
		var ee *exec.ExitError
		return errors.As(err, &ee) && ee.ExitCode() == 67 && strings.Contains(out, "Login denied")
	}},
	{client: "openssl", explainable: true, run: runFile("replay.sh", "bash", "openssl"), succeeded: exitedOK, rejected: says535},

	{client: "django", explainable: true, run: runDjango, succeeded: exitedOK, rejected: says535},
	{client: "symfony", explainable: true, run: runSymfony, succeeded: exitedOK, rejected: says535, oauthRejected: saysErrorChallenge, knownToFail: map[string]string{
		plaintextCase: "auto_tls=false is Symfony 7.1's; Debian's Mailer 5.4 ignores it, upgrades with STARTTLS and, with no CA to trust for a plaintext server, fails to verify the sandbox certificate",
	}},
	{client: "rails", explainable: true, run: runRails, succeeded: exitedOK, rejected: says535, knownToFail: map[string]string{
		plaintextCase: "the mail gem 2.7.1 (Rails 6.1) never turns off net-smtp 0.3's automatic STARTTLS, so enable_starttls_auto: false still upgrades and fails to verify the sandbox certificate (fixed in mail 2.8)",
	}},
	{client: "jakarta-mail", explainable: true, run: runJakartaMail, succeeded: exitedOK, rejected: says535, oauthRejected: saysErrorChallenge},
	{client: "laravel", notExecuted: "needs a Laravel application (laravel/framework from Composer); Debian has no Laravel package"},
	{client: "mailkit", notExecuted: "needs the .NET SDK and MailKit from NuGet; Debian 12 packages neither"},
	{client: "spring-boot", notExecuted: "needs a Spring Boot application (spring-boot-starter-mail from Maven Central); Debian has no Spring Boot package"},
	{client: "wordpress", notExecuted: "the constants are read only by the WP Mail SMTP plugin, which Debian does not package (its wordpress 6.1 would also need a web server and a MySQL database)"},
	{client: "postfix", notExecuted: "reconfigures the machine's Postfix (root, a reload); the shared test Postfix must not be touched"},
	{client: "thunderbird", notExecuted: "manual settings for a desktop program"},
	{client: "outlook", notExecuted: "manual settings for a desktop program"},
}

// TestEveryClientIsListed keeps the table honest: a new client must say
// whether it runs here.
func TestEveryClientIsListed(t *testing.T) {
	var listed []string
	for _, r := range clientRuns {
		listed = append(listed, r.client)
		if (r.run == nil) == (r.notExecuted == "") {
			t.Errorf("%s: either a way to run it or a reason it is not executed, not both or neither", r.client)
		}
	}
	for _, c := range snippet.Clients() {
		if !slices.Contains(listed, c) {
			t.Errorf("client %q is not in clientRuns: say how it runs, or why it does not", c)
		}
	}
	for _, c := range listed {
		if !slices.Contains(snippet.Clients(), c) {
			t.Errorf("clientRuns lists %q, which snippet.Clients does not know", c)
		}
	}
}

// requireReal turns a missing runtime into a failure in CI.
func missing(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("SMTPDOCTOR_REQUIRE_REAL") != "" {
		t.Fatalf("SMTPDOCTOR_REQUIRE_REAL is set but %s (.ci/run installs it)", what)
	}
	t.Skipf("%s; skipping (.ci/run installs it)", what)
}

func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, fmt.Sprintf("there is no %s on PATH", name))
	}
	return p
}

// runFile writes the snippet to name and runs it with the interpreter;
// tools are other programs the snippet calls.
func runFile(name, interpreter string, tools ...string) func(*testing.T, string, string, []string) (string, error) {
	return func(t *testing.T, dir, text string, env []string) (string, error) {
		for _, tool := range tools {
			needTool(t, tool)
		}
		bin := needTool(t, interpreter)
		path := filepath.Join(dir, name)
		writeFile(t, path, text)
		return command(t, dir, env, bin, path)
	}
}

func runNodemailer(t *testing.T, dir, text string, env []string) (string, error) {
	node := needTool(t, "node")
	mods := nodeModules()
	if _, err := os.Stat(filepath.Join(mods, "nodemailer", "package.json")); err != nil {
		missing(t, "Nodemailer is not installed in "+mods)
	}
	// An ES module finds packages in node_modules beside it (NODE_PATH
	// does not apply to import), so the directory gets a link to them.
	if err := os.Symlink(mods, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "send.mjs")
	writeFile(t, path, text)
	return command(t, dir, env, node, path)
}

func runPHPMailer(t *testing.T, dir, text string, env []string) (string, error) {
	php := needTool(t, "php")
	if _, err := os.Stat(phpMailerAutoload); err != nil {
		missing(t, "Debian's libphp-phpmailer is not installed")
	}
	// The snippet loads Composer's vendor/autoload.php; here that file
	// hands over to Debian's PHPMailer.
	writeFile(t, filepath.Join(dir, "vendor", "autoload.php"), "<?php require '"+phpMailerAutoload+"';\n")
	path := filepath.Join(dir, "send.php")
	writeFile(t, path, text)
	return command(t, dir, env, php, path)
}

func runMsmtp(t *testing.T, dir, text string, env []string) (string, error) {
	bin := needTool(t, "msmtp")
	cfg := filepath.Join(dir, "msmtprc")
	writeFile(t, cfg, text)
	if err := os.Chmod(cfg, 0o600); err != nil { // msmtp refuses a config others can read
		t.Fatal(err)
	}
	msg := filepath.Join(dir, "message.txt")
	writeFile(t, msg, "Subject: smtpdoctor test\n\nfrom the msmtp snippet\n")
	cmd := exec.Command(bin, "-C", cfg, "-a", "smtpdoctor", "friend@"+sandbox.Domain)
	in, err := os.Open(msg)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	cmd.Stdin = in
	return output(t, cmd, dir, env)
}

// runGo runs the Go snippet as a module of its own with go run. go-mail
// comes from the module cache, which .ci/run fills; the proxy is off here,
// so a test never reaches outside the machine.
func runGo(goMail bool) func(*testing.T, string, string, []string) (string, error) {
	return func(t *testing.T, dir, text string, env []string) (string, error) {
		goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goBin); err != nil {
			goBin = needTool(t, "go")
		}
		mod := "module snippettest\n\ngo 1.26\n"
		if goMail {
			mod += "\nrequire github.com/wneessen/go-mail v0.8.1\n"
		}
		writeFile(t, filepath.Join(dir, "go.mod"), mod)
		writeFile(t, filepath.Join(dir, "main.go"), text)
		// The test's HOME is a fresh directory; the build and module
		// caches stay the real ones, or every run would build the
		// standard library anew.
		goEnv, err := exec.Command(goBin, "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
		if err != nil {
			t.Fatalf("go env: %v", err)
		}
		if f := strings.Fields(string(goEnv)); len(f) == 3 {
			env = append(env, "GOCACHE="+f[0], "GOMODCACHE="+f[1], "GOPATH="+f[2])
		}
		env = append(env, "GOPROXY=off", "GOFLAGS=-mod=mod", "GOSUMDB=off", "GOTOOLCHAIN=local", "GOWORK=off")
		if goMail {
			if out, err := command(t, dir, env, goBin, "mod", "tidy"); err != nil {
				missing(t, "go-mail v0.8.1 is not in the module cache ("+strings.TrimSpace(out)+")")
			}
		}
		return command(t, dir, env, goBin, "run", ".")
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func command(t *testing.T, dir string, env []string, name string, args ...string) (string, error) {
	return output(t, exec.Command(name, args...), dir, env)
}

// output runs cmd with a deadline, so a client that hangs fails the test
// instead of stalling it.
func output(t *testing.T, cmd *exec.Cmd, dir string, env []string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
	c.Stdin = cmd.Stdin
	c.Dir = dir
	c.Env = env
	var buf bytes.Buffer
	c.Stdout, c.Stderr = &buf, &buf
	err := c.Run()
	return buf.String(), err
}

// baseEnv is the test's environment without any secret of its own, so
// the only password a snippet can find is the one the test gives it.
func baseEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, snippet.PasswordEnv+"=") || strings.HasPrefix(kv, snippet.TokenEnv+"=") ||
			strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "SWAKS_OPT_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home)
}

// workingInput probes a sandbox example the way the dashboard does and
// reads the snippet input from the result, so the settings the snippets
// run with are the ones a permalink would show.
func workingInput(t *testing.T, sb *sandbox.Sandbox, key, caFile string) snippet.Input {
	t.Helper()
	i := slices.IndexFunc(sb.Examples(), func(e sandbox.Example) bool { return e.Key == key })
	if i < 0 {
		t.Fatalf("no sandbox example %q", key)
	}
	ex := sb.Examples()[i]
	res := probe.Run(t.Context(), ex.Settings, probe.Secret{Password: ex.Password}, probe.Options{RootCAs: sb.RootCAs(), StepTimeout: 10 * time.Second})
	diagnosis.Diagnose(&res)
	in, ok := snippet.FromResult(&res)
	if !ok {
		t.Fatalf("example %s did not work: %s %v", key, res.Outcome, res.Diagnosis)
	}
	in.CAFile = caFile
	return in
}

func TestSnippetsRunAgainstTheSandbox(t *testing.T) {
	sb, err := sandbox.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	caFile := filepath.Join(t.TempDir(), "sandbox-ca.pem")
	writeFile(t, caFile, string(sb.CertificatePEM()))

	starttls := workingInput(t, sb, sandbox.ExampleWorking, caFile)
	implicit := workingInput(t, sb, sandbox.ExampleImplicitTLS, caFile)
	if starttls.Security != probe.SecurityStartTLS || implicit.Security != probe.SecurityTLS {
		t.Fatalf("examples resolved to %s and %s, want starttls and tls", starttls.Security, implicit.Security)
	}
	// The MX server takes mail for its own domain without a login, in
	// plaintext too: the "none" forms (ignoreTLS, SMTPAutoTLS = false,
	// tls off, ...) must send there without TLS.
	mx, _ := sb.Addr(sandbox.ServerMX)
	plaintext := snippet.Input{Host: mx.Addr().String(), Port: int(mx.Port()), Security: probe.SecurityNone,
		From: "someone@example.com", To: "friend@" + sandbox.Domain}

	for _, r := range clientRuns {
		if r.run == nil {
			continue
		}
		t.Run(r.client, func(t *testing.T) {
			cases := []struct {
				name     string
				in       snippet.Input
				password string
				wantOK   bool
			}{
				{sandbox.ExampleWorking, starttls, sandbox.DemoPassword, true},
				{sandbox.ExampleImplicitTLS, implicit, sandbox.DemoPassword, true},
				// The wrong-password example is the working settings
				// with a password the server refuses.
				{sandbox.ExampleWrongPassword, starttls, "not-the-password", false},
			}
			if r.client != "openssl" { // s_client speaks only TLS
				cases = append(cases, struct {
					name     string
					in       snippet.Input
					password string
					wantOK   bool
				}{plaintextCase, plaintext, "", true})
			}
			for _, c := range cases {
				s, err := snippet.For(r.client, c.in)
				if err != nil {
					t.Fatal(err)
				}
				if c.password != "" && strings.Contains(s.Text, c.password) {
					t.Fatalf("%s: the snippet holds the password", c.name)
				}
				dir := t.TempDir()
				env := append(baseEnv(dir), snippet.PasswordEnv+"="+c.password)
				out, err := r.run(t, dir, s.Text, env)
				if c.password != "" && strings.Contains(out, c.password) {
					t.Errorf("%s: the client printed the password:\n%s", c.name, out)
				}
				if why, ok := r.knownToFail[c.name]; ok {
					if r.succeeded(out, err) {
						t.Errorf("%s: %s sent, but knownToFail says it cannot (%s): remove it from there", c.name, r.client, why)
					}
					t.Logf("%s: not run as the snippet says: %s", c.name, why)
					continue
				}
				if c.wantOK && !r.succeeded(out, err) {
					t.Errorf("%s: %s did not send (%v):\n%s\nsnippet:\n%s", c.name, r.client, err, out, s.Text)
				}
				if !c.wantOK && !r.rejected(out, err) {
					t.Errorf("%s: %s did not report the refused login (%v):\n%s", c.name, r.client, err, out)
				}
				if !c.wantOK && r.explainable {
					// The client's own error output, pasted into
					// smtpdoctor, explains to the probe's diagnosis.
					res := explain.Explain(out)
					diagnosis.Diagnose(&res)
					if res.Diagnosis == nil || res.Diagnosis.Code != probe.CodeAuthCredentialsRejected {
						t.Errorf("%s: the %s output explains to %v, want %s:\n%s", c.name, r.client, res.Diagnosis, probe.CodeAuthCredentialsRejected, out)
					}
				}
			}
		})
	}
}

// namesOAuth is output that shows a token was sent: the server's error
// challenge (base64 JSON, "eyJ" is the start of `{"`) or a token
// mechanism's name.
var namesOAuth = regexp.MustCompile(`334 eyJ|(?i)xoauth2|oauthbearer`)

// oauthClients are the executed clients whose snippet has an OAuth form,
// with the mechanisms that form speaks. swaks has none; the others send
// XOAUTH2 whatever the server prefers.
var oauthClients = map[string][]probe.Mechanism{
	"python":     {probe.MechXOAUTH2, probe.MechOAUTHBEARER},
	"go":         {probe.MechXOAUTH2, probe.MechOAUTHBEARER},
	"msmtp":      {probe.MechXOAUTH2, probe.MechOAUTHBEARER},
	"curl":       {probe.MechXOAUTH2, probe.MechOAUTHBEARER},
	"openssl":    {probe.MechXOAUTH2, probe.MechOAUTHBEARER},
	"nodemailer": {probe.MechXOAUTH2},
	"phpmailer":  {probe.MechXOAUTH2},
	"go-mail":    {probe.MechXOAUTH2},
	// Django's own backend logs in with passwords only; its OAuth form
	// is a backend of its own that sends either.
	"django":       {probe.MechXOAUTH2, probe.MechOAUTHBEARER},
	"symfony":      {probe.MechXOAUTH2},
	"jakarta-mail": {probe.MechXOAUTH2},
}

// The OAuth forms, against a server that takes one token: the right token
// sends, a wrong one ends in the server's 535 after its error challenge.
func TestOAuthSnippetsRun(t *testing.T) {
	srv := startOAuthServer(t)
	for _, r := range clientRuns {
		mechs, ok := oauthClients[r.client]
		if !ok {
			continue
		}
		t.Run(r.client, func(t *testing.T) {
			for _, mech := range mechs {
				in := snippet.Input{Host: "127.0.0.1", Port: srv.addr.Port, Security: probe.SecurityStartTLS, Mech: mech,
					User: oauthUser, From: oauthUser, To: "friend@example.com", CAFile: srv.caFile}
				s, err := snippet.For(r.client, in)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range []struct {
					token  string
					wantOK bool
				}{{oauthToken, true}, {"expired-token", false}} {
					dir := t.TempDir()
					env := append(baseEnv(dir), snippet.TokenEnv+"="+c.token)
					out, err := r.run(t, dir, s.Text, env)
					if c.wantOK && !r.succeeded(out, err) {
						t.Errorf("%s, right token: did not send (%v):\n%s\nsnippet:\n%s", mech, err, out, s.Text)
					}
					rejected := r.rejected
					if r.oauthRejected != nil {
						rejected = r.oauthRejected
					}
					if !c.wantOK && !rejected(out, err) {
						t.Errorf("%s, wrong token: did not report the refusal (%v):\n%s", mech, err, out)
					}
					if !c.wantOK && r.explainable {
						// The client's error output, pasted into
						// smtpdoctor, says the token was refused when
						// the output shows a token was sent (the error
						// challenge, or the mechanism named); when it
						// shows only the 535, the login was refused.
						want := probe.CodeAuthCredentialsRejected
						if namesOAuth.MatchString(out) {
							want = probe.CodeAuthOAuthTokenInvalid
						}
						res := explain.Explain(out)
						diagnosis.Diagnose(&res)
						if res.Diagnosis == nil || res.Diagnosis.Code != want {
							t.Errorf("%s, wrong token: the %s output explains to %v, want %s:\n%s", mech, r.client, res.Diagnosis, want, out)
						}
					}
				}
			}
		})
	}
}

// Every form of the Go snippets compiles and passes go vet: each security
// mode, each mechanism, with and without a CA file and a login. They are
// built together as one module, one package per form.
func TestGoSnippetsCompileInEveryForm(t *testing.T) {
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = needTool(t, "go")
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module forms\n\ngo 1.26\n\nrequire github.com/wneessen/go-mail v0.8.1\n")
	n := 0
	for _, client := range []string{"go", "go-mail"} {
		for _, sec := range []probe.Security{probe.SecurityTLS, probe.SecurityStartTLS, probe.SecurityNone} {
			for _, mech := range []probe.Mechanism{"", probe.MechPlain, probe.MechLogin, probe.MechCRAMMD5, probe.MechXOAUTH2, probe.MechOAUTHBEARER} {
				for _, ca := range []string{"", "/etc/ssl/private-ca.pem"} {
					in := snippet.Input{Host: "smtp.example.com", Port: 587, Security: sec, Mech: mech, User: "me@example.com", CAFile: ca}
					if mech == "" {
						in.User = "" // no login at all
					}
					s, err := snippet.For(client, in)
					if err != nil {
						t.Fatal(err)
					}
					n++
					writeFile(t, filepath.Join(dir, fmt.Sprintf("form%03d", n), "main.go"), s.Text)
				}
			}
		}
	}
	env := append(baseEnv(dir), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOSUMDB=off", "GOTOOLCHAIN=local", "GOWORK=off")
	goEnv, err := exec.Command(goBin, "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	if f := strings.Fields(string(goEnv)); len(f) == 3 {
		env = append(env, "GOCACHE="+f[0], "GOMODCACHE="+f[1], "GOPATH="+f[2])
	}
	if out, err := command(t, dir, env, goBin, "mod", "tidy"); err != nil {
		missing(t, "go-mail v0.8.1 is not in the module cache ("+strings.TrimSpace(out)+")")
	}
	if out, err := command(t, dir, env, goBin, "vet", "./..."); err != nil {
		t.Fatalf("%d forms of the Go snippets: go vet: %v\n%s", n, err, out)
	}
}

// syntaxChecks are the interpreters' own syntax checks, for the snippets
// whose every form cannot be run: prefix is what the text needs before it
// to be a whole file (wp-config.php lines are a fragment of PHP); many
// says the checker takes all the files at once.
var syntaxChecks = map[string]struct {
	ext, prefix string
	cmd         []string
	many        bool
}{
	"python":     {".py", "", []string{"python3", "-m", "py_compile"}, true},
	"django":     {".py", "", []string{"python3", "-m", "py_compile"}, true},
	"rails":      {".rb", "", []string{"ruby", "-c"}, false},
	"phpmailer":  {".php", "", []string{"php", "-l"}, false},
	"wordpress":  {".php", "<?php\n", []string{"php", "-l"}, false},
	"nodemailer": {".mjs", "", []string{"node", "--check"}, false},
	"swaks":      {".sh", "", []string{"bash", "-n"}, false},
	"openssl":    {".sh", "", []string{"bash", "-n"}, false},
	"curl":       {".sh", "", []string{"bash", "-n"}, false},
	"postfix":    {".sh", "", []string{"bash", "-n"}, false},
}

// Every form (security mode × mechanism × CA file × login, with quotes in
// the username) of the scripts passes its interpreter's syntax check.
func TestScriptSnippetsParseInEveryForm(t *testing.T) {
	for client, check := range syntaxChecks {
		t.Run(client, func(t *testing.T) {
			bin := needTool(t, check.cmd[0])
			dir := t.TempDir()
			var files []string
			for _, sec := range []probe.Security{probe.SecurityTLS, probe.SecurityStartTLS, probe.SecurityNone} {
				for _, mech := range []probe.Mechanism{"", probe.MechPlain, probe.MechLogin, probe.MechCRAMMD5, probe.MechXOAUTH2, probe.MechOAUTHBEARER} {
					for _, ca := range []string{"", "/etc/ssl/private-ca.pem"} {
						in := snippet.Input{Host: "smtp.example.com", Port: 587, Security: sec, Mech: mech, User: `me'"@example.com`, CAFile: ca}
						if mech == "" {
							in.User = ""
						}
						s, err := snippet.For(client, in)
						if err != nil {
							t.Fatal(err)
						}
						path := filepath.Join(dir, fmt.Sprintf("form%02d%s", len(files), check.ext))
						writeFile(t, path, check.prefix+s.Text)
						files = append(files, path)
					}
				}
			}
			if check.many {
				args := append(append([]string{}, check.cmd[1:]...), files...)
				if out, err := command(t, dir, baseEnv(dir), bin, args...); err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				return
			}
			// One shell runs the checker over every file and names the
			// first that fails.
			script := `for f in "$@"; do ` + strings.Join(check.cmd, " ") + ` "$f" >/dev/null || { echo "in $f"; cat "$f"; exit 1; }; done`
			if out, err := command(t, dir, baseEnv(dir), needTool(t, "bash"), append([]string{"-c", script, "check"}, files...)...); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
		})
	}
}
