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
	} else {
		p := useColor(*color, stdout, e)
		fmt.Fprintf(stdout, "%ssmtpdoctor explain%s", p.bold, p.reset)
		if s := res.Settings; s.Host != "" {
			fmt.Fprintf(stdout, "  %s", clean(s.Host))
			if s.Port != 0 {
				fmt.Fprintf(stdout, ":%d", s.Port)
			}
		}
		if u := res.Settings.User; u != "" {
			fmt.Fprintf(stdout, "  as %s", clean(u))
		}
		fmt.Fprintf(stdout, "\n%sread from pasted text; nothing was connected to%s\n\n", p.dim, p.reset)
		writeReportBody(stdout, res, p)
		writeLogSummary(stdout, res.LogSummary, p)
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

// writeLogSummary prints a server log's aggregate: the accounts and
// addresses that fail most, and failures over time as a bar chart.
func writeLogSummary(w io.Writer, s *probe.LogSummary, p palette) {
	if s == nil {
		return
	}
	fmt.Fprintf(w, "\n%sLog summary%s  %d lines, %d failed logins, %d logins that worked", p.bold, p.reset, s.Lines, s.Failures, s.Successes)
	if !s.First.IsZero() {
		fmt.Fprintf(w, ", %s to %s", s.First.Format("2006-01-02 15:04:05"), s.Last.Format("2006-01-02 15:04:05"))
	}
	fmt.Fprintln(w)
	table := func(title string, rows []probe.LogRow, total int, partner string) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(w, "  %s (%d in all)\n", title, total)
		for _, r := range rows {
			fmt.Fprintf(w, "    %6d  %-40s", r.Count, clean(r.Key))
			if partner != "" && r.Distinct > 0 {
				fmt.Fprintf(w, "  %d %s", r.Distinct, partner)
			}
			if !r.First.IsZero() {
				fmt.Fprintf(w, "  %s – %s", r.First.Format("01-02 15:04"), r.Last.Format("01-02 15:04"))
			}
			fmt.Fprintln(w)
		}
	}
	table("Accounts", s.Accounts, s.AccountsTotal, "addresses")
	table("Addresses", s.Addresses, s.AddressesTotal, "accounts")
	table("Reasons", s.Reasons, len(s.Reasons), "")
	table("Other lines", s.Other, len(s.Other), "")
	if len(s.Histogram) > 1 {
		most := 0
		for _, b := range s.Histogram {
			most = max(most, b.Count)
		}
		fmt.Fprintf(w, "  Failed logins per %s\n", bucketWords(s.BucketSeconds))
		for _, b := range s.Histogram {
			bar := 0
			if most > 0 {
				bar = (b.Count*40 + most - 1) / most
			}
			fmt.Fprintf(w, "    %s %5d %s\n", b.Start.Format("01-02 15:04"), b.Count, strings.Repeat("#", bar))
		}
	}
}

func bucketWords(seconds int64) string {
	switch {
	case seconds%86400 == 0:
		return fmt.Sprintf("%d day(s)", seconds/86400)
	case seconds%3600 == 0:
		return fmt.Sprintf("%d hour(s)", seconds/3600)
	}
	return fmt.Sprintf("%d minute(s)", seconds/60)
}
