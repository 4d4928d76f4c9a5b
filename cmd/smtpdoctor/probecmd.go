package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
	"github.com/smtpdoctor/smtpdoctor/probe/report"
	"github.com/smtpdoctor/smtpdoctor/probe/snippet"
)

// probeFlags are the `smtpdoctor probe` flags (README.md, "Interface
// contract").
type probeFlags struct {
	security     string
	user         string
	passwordFile string
	mech         string
	from, to     string
	helo         string
	caFile       string
	timeout      time.Duration
	total        time.Duration
	json         bool
	send         bool
	color        string
	tryAll       bool
	discover     bool
	snippet      string
}

func probeCommand(ctx context.Context, args []string, e env, stdin io.Reader, stdout, stderr io.Writer) error {
	var f probeFlags
	fs := flag.NewFlagSet("smtpdoctor probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.security, "security", "auto", "auto, starttls, tls (implicit TLS, port 465) or none")
	fs.StringVar(&f.user, "user", "", "SMTP AUTH username; without it no AUTH is attempted")
	fs.StringVar(&f.passwordFile, "password-file", "", "read the password (or OAuth token) from this file; also env SMTPDOCTOR_PASSWORD, else asked on the terminal")
	fs.StringVar(&f.mech, "mech", "auto", "auto, plain, login, cram-md5, xoauth2 or oauthbearer (the last two take an access token as the password)")
	fs.StringVar(&f.from, "from", "", "also test MAIL FROM with this address")
	fs.StringVar(&f.to, "to", "", "also test RCPT TO with this address")
	fs.StringVar(&f.helo, "helo", "", "EHLO name (default: this machine's FQDN, never localhost)")
	fs.StringVar(&f.caFile, "ca-file", e.get("SMTPDOCTOR_CA_FILE"), "extra trusted CA certificates (PEM), for internal CAs")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "deadline for each step: the connect and every reply")
	fs.DurationVar(&f.total, "total-timeout", 60*time.Second, "deadline for the whole probe")
	fs.BoolVar(&f.json, "json", false, "print the result as JSON instead of the report")
	fs.BoolVar(&f.send, "send", false, "after RCPT TO, also send a clearly marked test message (DATA)")
	fs.BoolVar(&f.tryAll, "try-all", false, "probe 465/tls, 587, 25 and 2525 with STARTTLS at once and show which answer, offer STARTTLS and AUTH (logs in once, on the best)")
	fs.BoolVar(&f.discover, "discover", false, "treat the argument as an email address or domain: find its servers (SRV, known providers, MX), then try them; implied by an argument with @")
	fs.StringVar(&f.color, "color", "auto", "colour the report: auto (on a terminal), always or never")
	fs.StringVar(&f.snippet, "snippet", "", "when the probe works, print the configuration that worked for this client on standard output (the report goes to standard error): "+strings.Join(snippet.Clients(), ", "))
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: smtpdoctor probe [flags] HOST[:PORT]\n\n")
		fs.PrintDefaults()
	}
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return usageError{err.Error()}
	}
	if len(rest) != 1 {
		return usageError{"probe needs exactly one HOST[:PORT], for example: smtpdoctor probe --user you@example.com smtp.example.com:587"}
	}
	discovering := f.discover || strings.Contains(rest[0], "@")
	target := rest[0]
	if discovering || f.tryAll {
		// The host is found or its ports are all tried: settle the flags
		// against a placeholder target, then the real one is used below.
		target = "placeholder.invalid"
	}
	settings, secret, err := probeSettings(f, target, func() (probe.Secret, error) {
		return readSecret(f.passwordFile, e, stdin, stderr)
	})
	if err != nil {
		return usageError{err.Error()}
	}
	if f.snippet != "" {
		if !slices.Contains(snippet.Clients(), f.snippet) {
			return usageError{fmt.Sprintf("--snippet %q: choose one of %s", f.snippet, strings.Join(snippet.Clients(), ", "))}
		}
		if discovering || f.tryAll {
			return usageError{"--snippet works with one probe of one server; drop --try-all/--discover, or probe the best server they found"}
		}
	}
	extra, err := extraPool(f.caFile)
	if err != nil {
		return usageError{err.Error()}
	}

	opts := probe.Options{
		ExtraRoots:   extra,
		StepTimeout:  f.timeout,
		TotalTimeout: f.total,
		Origin:       probe.Hostname(),
	}
	if discovering || f.tryAll {
		outcome, err := tryAll(ctx, f, rest[0], discovering, secret, opts, stdout, useColor(f.color, stdout, e))
		if err != nil {
			return err
		}
		if outcome == probe.OutcomeFailure {
			return errFailedProbe
		}
		return nil
	}
	res := probe.Run(ctx, settings, secret, opts)
	secret = probe.Secret{}
	diagnosis.Diagnose(&res)

	out := stdout
	if f.snippet != "" {
		// The snippet alone on standard output, so that it can go
		// straight into a file; the report is for the person watching.
		stdout = stderr
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("write the result: %w", err)
		}
	} else {
		if err := report.Write(stdout, res, report.Options{Color: useColor(f.color, stdout, e)}); err != nil {
			return fmt.Errorf("write the report: %w", err)
		}
	}
	if f.snippet != "" {
		if err := writeSnippet(out, stderr, f.snippet, f.caFile, &res); err != nil {
			return err
		}
	}
	if res.Outcome == probe.OutcomeFailure {
		return errFailedProbe
	}
	return nil
}

// parseInterleaved lets flags come before or after HOST, as people type them
// (`smtpdoctor probe smtp.example.com --user me`); the flag package alone
// stops at the first argument that is not a flag.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// probeSettings reads the flags and the HOST[:PORT] argument the way the
// dashboard reads its form (probe.ParseSettings): the same aliases, the same
// refusals in the same words, the same default ports. The password is read
// only when there is a user, and checked like every other field.
func probeSettings(f probeFlags, target string, password func() (probe.Secret, error)) (probe.Settings, probe.Secret, error) {
	in := probe.Input{
		Host: target, Security: f.security, User: f.user, Mech: f.mech,
		From: f.from, To: f.to, HELO: f.helo, Send: f.send,
	}
	if f.user != "" && !probe.HasControl(f.user) {
		sec, err := password()
		if err != nil {
			return probe.Settings{}, probe.Secret{}, err
		}
		in.Password = sec.Password
	}
	set, sec, fe := probe.ParseSettings(in)
	if fe != nil {
		return set, sec, flagErrors(fe)
	}
	return set, sec, nil
}

// flagNames are the command line's names for probe.Input's fields.
var flagNames = map[string]string{
	"host": "HOST", "port": "PORT", "security": "--security", "user": "--user", "password": "the password",
	"mech": "--mech", "from": "--from", "to": "--to", "helo": "--helo",
}

// flagErrors says what is wrong in the command line's words: the flag,
// then the same text the dashboard shows beside its field.
func flagErrors(fe probe.FieldErrors) error {
	var msgs []string
	for _, field := range []string{"host", "port", "security", "user", "password", "mech", "from", "to", "helo"} {
		if msg, ok := fe[field]; ok {
			msgs = append(msgs, flagNames[field]+" "+msg)
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}

// readSecret finds the password without it ever being a flag value (flags
// show up in ps and shell history): env, then file, then the terminal.
func readSecret(file string, e env, stdin io.Reader, stderr io.Writer) (probe.Secret, error) {
	if pw := e.get("SMTPDOCTOR_PASSWORD"); pw != "" {
		return probe.Secret{Password: pw}, nil
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return probe.Secret{}, fmt.Errorf("read --password-file: %w", err)
		}
		// One trailing newline is the file's, not the password's.
		pw := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		return probe.Secret{Password: pw}, nil
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password (not echoed): ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return probe.Secret{}, fmt.Errorf("read the password from the terminal: %w", err)
		}
		return probe.Secret{Password: string(b)}, nil
	}
	return probe.Secret{}, errors.New("--user needs a password: set SMTPDOCTOR_PASSWORD, use --password-file FILE, or run on a terminal to be asked")
}

// writeSnippet prints the named client's configuration for the settings
// that worked. A probe that did not work has nothing to copy: that is an
// error saying so, and the exit status is a failure.
func writeSnippet(w, stderr io.Writer, client, caFile string, res *probe.Result) error {
	in, ok := snippet.FromResult(res)
	if !ok {
		fmt.Fprintf(stderr, "\nNo %s snippet: nothing worked that a client could copy; the report above says why.\n", client)
		return errFailedProbe
	}
	if caFile != "" {
		if abs, err := filepath.Abs(caFile); err == nil {
			caFile = abs
		}
		in.CAFile = caFile
	}
	s, err := snippet.For(client, in)
	if err != nil {
		return fmt.Errorf("make the %s snippet: %w", client, err)
	}
	if _, err := io.WriteString(w, s.Text); err != nil {
		return fmt.Errorf("write the snippet: %w", err)
	}
	return nil
}
