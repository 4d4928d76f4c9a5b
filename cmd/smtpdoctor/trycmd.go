package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
	"github.com/smtpdoctor/smtpdoctor/probe/report"
)

// tryReport is the JSON of `probe --try-all` and of an email address given
// instead of a host: what discovery found, the port matrix, and the one
// login made on the best combination.
type tryReport struct {
	Discovery *discover.Discovery `json:"discovery,omitempty"`
	Matrix    discover.Matrix     `json:"matrix"`
	Login     *probe.Result       `json:"login,omitempty"`
}

// tryAll maps a host's submission ports at once (465/tls, 587, 25, 2525 with
// STARTTLS), or, given an email address or a bare domain with --discover,
// first finds the host through SRV records, the provider table and MX.
func tryAll(ctx context.Context, f probeFlags, target string, discovering bool, secret probe.Secret, opts probe.Options, stdout io.Writer, color bool) (probe.Outcome, error) {
	p := report.PaletteFor(color)
	var rep tryReport
	host := target
	combos := discover.DefaultCombos()
	if discovering {
		d, err := discover.Discover(ctx, nil, target)
		if err != nil {
			return "", usageError{fmt.Sprintf("find the mail servers of %q: %v", target, err)}
		}
		rep.Discovery = &d
		first := -1
		for i, c := range d.Candidates {
			if c.Submission {
				first = i
				break
			}
		}
		if first < 0 {
			if !f.json {
				writeDiscovery(stdout, d, p)
			}
			return probe.OutcomeFailure, fmt.Errorf("%w: no submission server found for %s", errFailedProbe, d.Domain)
		}
		host = d.Candidates[first].Host
		// The candidates' own ports and modes first, then the usual ones.
		var own []discover.Combo
		for _, c := range d.Candidates {
			if c.Host == host && c.Submission {
				own = append(own, discover.Combo{Port: c.Port, Security: c.Security})
			}
		}
		combos = mergeCombos(own, combos)
	}
	rep.Matrix = discover.TryAll(ctx, host, f.user, secret, discover.TryOptions{Probe: opts, Combos: combos})
	rep.Login = rep.Matrix.Login

	outcome := probe.OutcomeFailure
	switch {
	case rep.Login != nil:
		outcome = rep.Login.Outcome
	case rep.Matrix.Best >= 0:
		outcome = probe.OutcomeSuccess
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return outcome, enc.Encode(rep)
	}
	if rep.Discovery != nil {
		writeDiscovery(stdout, *rep.Discovery, p)
	}
	writeMatrix(stdout, rep.Matrix, p)
	if rep.Login != nil {
		fmt.Fprintf(stdout, "\n%sLogin on the best combination%s\n\n", p.Bold, p.Reset)
		return outcome, report.Write(stdout, *rep.Login, report.Options{Color: color})
	}
	return outcome, nil
}

func mergeCombos(first, then []discover.Combo) []discover.Combo {
	out := append([]discover.Combo(nil), first...)
	for _, c := range then {
		dup := false
		for _, o := range out {
			dup = dup || o.Port == c.Port
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}

func writeDiscovery(w io.Writer, d discover.Discovery, p report.Palette) {
	fmt.Fprintf(w, "%sMail servers for %s%s\n", p.Bold, probe.Escape(d.Domain), p.Reset)
	for _, c := range d.Candidates {
		kind := "submission"
		if !c.Submission {
			kind = "MX, usually no AUTH"
		}
		fmt.Fprintf(w, "  %s:%d %-8s %-22s %s  %s%s%s\n", probe.Escape(c.Host), c.Port, c.Security, c.Source, kind, p.Dim, probe.Escape(c.Note), p.Reset)
	}
	for _, n := range d.Notes {
		fmt.Fprintf(w, "  note: %s\n", probe.Escape(n))
	}
	fmt.Fprintln(w)
}

func writeMatrix(w io.Writer, m discover.Matrix, p report.Palette) {
	fmt.Fprintf(w, "%sPorts of %s%s\n", p.Bold, probe.Escape(m.Host), p.Reset)
	fmt.Fprintf(w, "  %-5s %-8s %-8s %-8s %-10s %-22s %-22s %s\n", "port", "mode", "answers", "STARTTLS", "TLS", "AUTH before TLS", "AUTH after TLS", "diagnosis")
	yn := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	for i, r := range m.Rows {
		tls := yn(r.TLS)
		if r.TLS && !r.TLSVerified {
			tls = "unverified"
		}
		mark := "  "
		if i == m.Best {
			mark = p.Green + "> " + p.Reset
		}
		fmt.Fprintf(w, "%s%-5d %-8s %-8s %-8s %-10s %-22s %-22s %s\n", mark, r.Port, r.Security, yn(r.Answered), yn(r.STARTTLS), tls,
			report.OrDash(strings.Join(r.AuthBeforeTLS, " ")), report.OrDash(strings.Join(r.AuthAfterTLS, " ")), r.Code)
	}
	if m.Best >= 0 {
		b := m.Rows[m.Best]
		fmt.Fprintf(w, "\nUse port %d with security %s.\n", b.Port, b.Security)
	} else {
		fmt.Fprintln(w, "\nNo port offered AUTH over TLS.")
	}
}
