package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/explain"
	"github.com/smtpdoctor/smtpdoctor/probe/report"
)

// explainCommand diagnoses pasted text (an error message, a client's debug
// log, a mail server's log) read from FILE or standard input. It connects
// nowhere; the exit status is the probe's: 0 success or warning, 1
// failure, 2 usage (text nothing recognised included).
func explainCommand(args []string, e env, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("smtpdoctor explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON instead of the report")
	color := fs.String("color", "auto", "colour the report: auto (on a terminal), always or never")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: smtpdoctor explain [--json] [FILE|-]\n\n"+
			"Reads an error message, a mail library's debug output or a mail server's log\n"+
			"(from FILE, or standard input) and says what went wrong. Connects nowhere.\n\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nUnderstood:\n  %s\n", strings.Join(explain.Formats(), "\n  "))
	}
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return usageError{err.Error()}
	}
	if len(rest) > 1 {
		return usageError{"explain reads one FILE (or - for standard input), for example: smtpdoctor explain mail.log"}
	}
	text, err := readPasted(rest, stdin)
	if err != nil {
		return err
	}

	res := explain.Explain(text)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("write the result: %w", err)
		}
	} else if err := report.Write(stdout, res, report.Options{Color: useColor(*color, stdout, e)}); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	switch {
	case res.Diagnosis != nil && res.Diagnosis.Code == probe.CodeInputUnrecognized:
		return usageError{"nothing in the text was recognised (the formats understood are listed above and in \"smtpdoctor explain -h\")"}
	case res.Outcome == probe.OutcomeFailure:
		return errFailedProbe
	}
	return nil
}

// readPasted reads the text from the file named, or standard input, and
// refuses what explain cannot read whole.
func readPasted(rest []string, stdin io.Reader) (string, error) {
	var r io.Reader = stdin
	name := "standard input"
	if len(rest) == 1 && rest[0] != "-" {
		f, err := os.Open(rest[0])
		if err != nil {
			return "", usageError{fmt.Sprintf("cannot read %s: %v", rest[0], err)}
		}
		defer f.Close()
		r, name = f, rest[0]
	}
	b, err := io.ReadAll(io.LimitReader(r, explain.MaxInput+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > explain.MaxInput {
		return "", usageError{fmt.Sprintf("%s is longer than %d KiB, the most explain reads: give it the part around the failure (for a log, its end: tail -c %d FILE | smtpdoctor explain)", name, explain.MaxInput>>10, explain.MaxInput)}
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", usageError{fmt.Sprintf("%s is empty: paste the error message, the mail library's debug output or the server's log", name)}
	}
	return string(b), nil
}
