package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Pasted text explained (kind explain) is written the same way, with a
// heading that says nothing was connected to, the log's aggregate when the
// text was a server log, and what the text can say about TLS.

func writeExplainedHeading(w io.Writer, r probe.Result, o Options, p Palette) {
	e := probe.Escape
	s := r.Settings
	fmt.Fprintf(w, "%ssmtpdoctor explain%s", p.Bold, p.Reset)
	if s.Host != "" {
		fmt.Fprintf(w, "  %s", e(s.Host))
		if s.Port != 0 {
			fmt.Fprintf(w, ":%d", s.Port)
		}
	}
	if s.User != "" {
		fmt.Fprintf(w, "  as %s", e(s.User))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%sread from pasted text; nothing was connected to", p.Dim)
	if !r.StartedAt.IsZero() {
		fmt.Fprintf(w, " (%s)", r.StartedAt.UTC().Format("2006-01-02 15:04:05 MST"))
	}
	fmt.Fprintf(w, "%s\n", p.Reset)
	if o.Link != "" {
		fmt.Fprintf(w, "%s\n", e(o.Link))
	}
}

func writeExplainedTLS(w io.Writer, t *probe.TLSInfo, p Palette) {
	if t == nil {
		return
	}
	how := "STARTTLS succeeded"
	if t.Mode == "implicit" {
		how = "implicit TLS was used"
	}
	fmt.Fprintf(w, "\n%sTLS%s  %s; its version and certificate are not in the text (a probe shows them)\n", p.Bold, p.Reset, how)
}

// writeLogSummary writes a server log's aggregate: the accounts and
// addresses that fail most, the reasons, and failures over time as bars.
func writeLogSummary(w io.Writer, s *probe.LogSummary, p Palette) {
	if s == nil {
		return
	}
	e := probe.Escape
	fmt.Fprintf(w, "\n%sLog summary%s  %d lines, %d failed logins, %d that worked", p.Bold, p.Reset, s.Lines, s.Failures, s.Successes)
	if !s.First.IsZero() {
		fmt.Fprintf(w, ", %s to %s", s.First.UTC().Format("2006-01-02 15:04:05"), s.Last.UTC().Format("2006-01-02 15:04:05"))
	}
	fmt.Fprintln(w)
	table := func(title string, rows []probe.LogRow, total int, partner string) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(w, "  %s (%d in all)\n", title, total)
		for _, r := range rows {
			fmt.Fprintf(w, "    %6d  %-40s", r.Count, e(r.Key))
			if partner != "" && r.Distinct > 0 {
				fmt.Fprintf(w, "  %d %s", r.Distinct, partner)
			}
			if !r.First.IsZero() {
				fmt.Fprintf(w, "  %s – %s", r.First.UTC().Format("01-02 15:04"), r.Last.UTC().Format("01-02 15:04"))
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
		fmt.Fprintf(w, "  Failed logins per %s\n", BucketWords(s.BucketSeconds))
		for _, b := range s.Histogram {
			bar := 0
			if most > 0 {
				bar = (b.Count*40 + most - 1) / most
			}
			fmt.Fprintf(w, "    %s %5d %s\n", b.Start.UTC().Format("01-02 15:04"), b.Count, strings.Repeat("#", bar))
		}
	}
}

// BucketWords names a histogram bucket's length: "5 minutes", "hour".
func BucketWords(seconds int64) string {
	d := time.Duration(seconds) * time.Second
	plural := func(n int, unit string) string {
		if n == 1 {
			return unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/time.Minute), "minute")
}
