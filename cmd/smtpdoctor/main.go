// Command smtpdoctor tells people exactly why SMTP authentication fails and
// what to do about it. `smtpdoctor serve` (the default) runs the dashboard;
// `smtpdoctor probe HOST[:PORT]` runs the same probe from the command line.
// The README's "Interface contract" section is the interface it keeps.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], env{os.Getenv}, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// env is the process environment, passed down so tests need not touch the
// real one.
type env struct{ get func(string) string }

// run dispatches to a subcommand. It returns an *exitError for a probe that
// ran but failed (exit 1), a usageError for bad arguments (exit 2), and any
// other error for internal trouble (exit 2).
func run(ctx context.Context, args []string, e env, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, e, stdout, stderr)
	case "probe":
		return probeCommand(ctx, args, e, stdin, stdout, stderr)
	case "migrate-db":
		return migrateDB(ctx, args, stdout, stderr)
	case "explain":
		return explainCommand(args, e, stdin, stdout, stderr)
	case "rotate-key":
		return rotateKey(ctx, args, e, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return usageError{fmt.Sprintf("unknown command %q: use serve, probe, explain, rotate-key or migrate-db", cmd)}
	}
}

const usage = `smtpdoctor: why does SMTP authentication fail, and what fixes it?

  smtpdoctor                       run the dashboard (same as "smtpdoctor serve")
  smtpdoctor serve [flags]         run the dashboard; "smtpdoctor serve -h" lists the flags
  smtpdoctor probe [flags] HOST[:PORT]
                                   probe one server from the command line;
                                   "smtpdoctor probe -h" lists the flags
  smtpdoctor migrate-db --from ./smtpdoctor.db --to postgres://...
                                   copy the history into another database,
                                   verified by row counts and checksums
  smtpdoctor explain [--json] [FILE|-]
                                   diagnose pasted text (an error, a debug log,
                                   a server log) without connecting anywhere
  smtpdoctor rotate-key --old FILE --new FILE [--db FILE]
                                   re-encrypt the secrets monitors keep under a new key
`

// usageError is a mistake in how the command was called: exit status 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// failedProbe is a probe that ran to its end with outcome failure: exit 1,
// with nothing more to print (the report said it all).
var errFailedProbe = errors.New("the probe failed")

func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errFailedProbe):
		return 1
	}
	var u usageError
	if errors.As(err, &u) {
		fmt.Fprintf(stderr, "smtpdoctor: %s\n", u.msg)
		return 2
	}
	fmt.Fprintf(stderr, "smtpdoctor: %v\n", err)
	return 2
}
