package web

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/report"
)

// Two attempts are compared in two places: the permalink of a failure shows
// what changed since the server last worked (often the fastest route to
// the cause: "the certificate changed yesterday", "AUTH PLAIN is no longer
// offered"), and /compare shows any two attempts side by side. Both read
// the same facets, so a fact is extracted and compared in one place.

// facet is one comparable fact about an attempt.
type facet struct {
	What  string
	Group string
	// Since marks the facets "what changed since it last worked" shows:
	// what the server showed, not what the user asked. SinceOnly ones
	// (the effective capabilities, before or after TLS) are left off the
	// compare page, which shows both sides of TLS separately.
	Since, SinceOnly bool
	// Comparable says whether two attempts both got far enough for the
	// "since" diff to compare this fact. Nil: always.
	Comparable func(a, b probe.Result) bool
	// Value is the fact as text, or Set the fact as a set (capabilities,
	// mechanisms): sets differ by members, whatever their order.
	Value func(probe.Result) string
	Set   func(probe.Result) []string
}

func bothServer(a, b probe.Result) bool { return a.Server != nil && b.Server != nil }
func bothAuth(a, b probe.Result) bool   { return a.Auth != nil && b.Auth != nil }

// eitherTLS: losing (or gaining) TLS is itself the change.
func eitherTLS(a, b probe.Result) bool { return a.TLS != nil || b.TLS != nil }

func certSHA(r probe.Result) string {
	return leaf(r.TLS, func(c probe.Certificate) string { return c.SHA256 })
}

func certExpiry(r probe.Result) string {
	return leaf(r.TLS, func(c probe.Certificate) string { return fmtTime(c.NotAfter) })
}

// facets in the order the compare page shows them.
var facets = []facet{
	{What: "Server", Group: "Settings", Value: func(r probe.Result) string { return target(r.Settings) }},
	{What: "Security", Group: "Settings", Since: true, Value: func(r probe.Result) string { return securityLabel(r.Settings.Security) }},
	{What: "Username", Group: "Settings", Since: true, Value: func(r probe.Result) string { return r.Settings.User }},
	{What: "Mechanism", Group: "Settings", Value: func(r probe.Result) string { return string(r.Settings.Mech) }},
	{What: "Sender", Group: "Settings", Since: true, Value: func(r probe.Result) string { return r.Settings.From }},
	{What: "Recipient", Group: "Settings", Since: true, Value: func(r probe.Result) string { return r.Settings.To }},
	{What: "EHLO name", Group: "Settings", Value: func(r probe.Result) string { return r.Settings.HELO }},
	{What: "From machine", Group: "Settings", Value: func(r probe.Result) string { return r.Origin }},

	{What: "Outcome", Group: "Verdict", Value: func(r probe.Result) string { return string(cmp.Or(r.Outcome, probe.Outcome(r.Status))) }},
	{What: "Diagnosis", Group: "Verdict", Since: true, Value: diagCode},
	{What: "Failed at", Group: "Verdict", Value: func(r probe.Result) string {
		if r.Failure == nil {
			return ""
		}
		return stepLabel(r.Failure.Step)
	}},
	{What: "Server said", Group: "Verdict", Value: func(r probe.Result) string {
		if r.Failure == nil {
			return ""
		}
		return strings.Join(r.Failure.Lines, " / ")
	}},

	{What: "Greeting banner", Group: "Server", Since: true, Comparable: bothServer, Value: func(r probe.Result) string {
		if r.Server == nil {
			return ""
		}
		return strings.Join(r.Server.Banner, " / ")
	}},
	{What: "Server address", Group: "Server", Since: true, Comparable: bothServer, Value: func(r probe.Result) string {
		if r.Server == nil {
			return ""
		}
		return r.Server.Address
	}},
	{What: "EHLO capabilities", Group: "Server", Since: true, SinceOnly: true, Comparable: bothServer, Set: func(r probe.Result) []string {
		if r.Server == nil {
			return nil
		}
		return exts(r.Server)
	}},
	{What: "EHLO before TLS", Group: "Server", Set: func(r probe.Result) []string {
		if r.Server == nil {
			return nil
		}
		return r.Server.Extensions
	}},
	{What: "EHLO after TLS", Group: "Server", Set: func(r probe.Result) []string {
		if r.Server == nil {
			return nil
		}
		return r.Server.ExtensionsTLS
	}},
	{What: "AUTH mechanisms offered", Group: "Server", Since: true, SinceOnly: true, Comparable: bothAuth, Set: func(r probe.Result) []string {
		if r.Auth == nil {
			return nil
		}
		return mechs(r.Auth)
	}},
	{What: "AUTH before TLS", Group: "Server", Set: func(r probe.Result) []string {
		if r.Auth == nil {
			return nil
		}
		return r.Auth.OfferedBeforeTLS
	}},
	{What: "AUTH after TLS", Group: "Server", Set: func(r probe.Result) []string {
		if r.Auth == nil {
			return nil
		}
		return r.Auth.OfferedAfterTLS
	}},

	{What: "TLS version", Group: "TLS", Since: true, Comparable: eitherTLS, Value: func(r probe.Result) string { return tlsVersion(r.TLS) }},
	{What: "Certificate verified", Group: "TLS", Value: func(r probe.Result) string {
		switch {
		case r.TLS == nil:
			return ""
		case r.TLS.Verified:
			return "yes"
		}
		return "no: " + r.TLS.VerifyError
	}},
	{What: "Certificate (SHA-256)", Group: "TLS", Since: true, Comparable: eitherTLS, Value: certSHA},
	{What: "Certificate expires", Group: "TLS", Since: true, Comparable: eitherTLS, Value: certExpiry},
}

// change is one difference between the last attempt that worked and a
// failing one.
type change struct {
	What, Before, After string
}

// diffResults compares what the server showed then (ok) and now (bad).
func diffResults(ok, bad probe.Result) []change {
	var out []change
	for _, f := range facets {
		if !f.Since || f.Comparable != nil && !f.Comparable(ok, bad) {
			continue
		}
		if f.Set != nil {
			gone, added := setDiff(f.Set(ok), f.Set(bad))
			if len(gone)+len(added) > 0 {
				out = append(out, change{What: f.What, Before: "no longer: " + report.OrDash(strings.Join(gone, ", ")),
					After: "new: " + report.OrDash(strings.Join(added, ", "))})
			}
			continue
		}
		if before, after := f.Value(ok), f.Value(bad); before != after {
			out = append(out, change{What: f.What, Before: report.OrDash(before), After: report.OrDash(after)})
		}
	}
	return out
}

// setDiff returns the members of before missing from after, and those of
// after missing from before.
func setDiff(before, after []string) (gone, added []string) {
	for _, b := range before {
		if !slices.Contains(after, b) {
			gone = append(gone, b)
		}
	}
	for _, a := range after {
		if !slices.Contains(before, a) {
			added = append(added, a)
		}
	}
	return gone, added
}

// compareRow is one line of the side-by-side comparison.
type compareRow struct {
	Group, What string
	A, B        string
	Differs     bool
	// OnlyA and OnlyB are, for sets, the members on one side only.
	OnlyA, OnlyB []string
}

// compareResults lines up every facet of two attempts, then the timing of
// each step either of them took.
func compareResults(a, b probe.Result) []compareRow {
	var out []compareRow
	for _, f := range facets {
		if f.SinceOnly {
			continue
		}
		row := compareRow{Group: f.Group, What: f.What}
		if f.Set != nil {
			sa, sb := f.Set(a), f.Set(b)
			row.A, row.B = strings.Join(sa, ", "), strings.Join(sb, ", ")
			row.OnlyA, row.OnlyB = setDiff(sa, sb)
			row.Differs = len(row.OnlyA)+len(row.OnlyB) > 0
		} else {
			row.A, row.B = f.Value(a), f.Value(b)
			row.Differs = row.A != row.B
		}
		if row.A == "" && row.B == "" {
			continue // neither attempt got that far, or neither asked
		}
		out = append(out, row)
	}
	out = append(out, compareRow{Group: "Steps", What: "Total time", A: fmtMS(a.DurationMS), B: fmtMS(b.DurationMS),
		Differs: muchSlower(a.DurationMS, b.DurationMS)})
	for _, name := range stepNames(a, b) {
		sa, sb := stepText(a, name), stepText(b, name)
		out = append(out, compareRow{Group: "Steps", What: stepLabel(name), A: sa, B: sb,
			Differs: stepStatus(a, name) != stepStatus(b, name) || muchSlower(stepMS(a, name), stepMS(b, name))})
	}
	return out
}

// muchSlower says whether two durations differ enough to point out: one
// at least twice the other and a second or more apart. Timings always
// differ by a few milliseconds; that is noise, a slow AUTH backend is not.
func muchSlower(a, b int64) bool {
	lo, hi := min(a, b), max(a, b)
	return hi-lo >= 1000 && hi >= 2*lo
}

func stepMS(r probe.Result, name string) int64 {
	if s := findStep(r, name); s != nil {
		return s.DurationMS
	}
	return 0
}

// stepNames is the union of the steps two attempts took, in order.
func stepNames(a, b probe.Result) []string {
	var names []string
	for _, r := range []probe.Result{a, b} {
		for _, s := range r.Steps {
			if !slices.Contains(names, s.Name) {
				names = append(names, s.Name)
			}
		}
	}
	return names
}

func findStep(r probe.Result, name string) *probe.Step {
	for i := range r.Steps {
		if r.Steps[i].Name == name {
			return &r.Steps[i]
		}
	}
	return nil
}

// stepStatus is a step's status, "" when it was not taken.
func stepStatus(r probe.Result, name string) string {
	if s := findStep(r, name); s != nil {
		return string(s.Status)
	}
	return ""
}

func stepText(r probe.Result, name string) string {
	s := findStep(r, name)
	if s == nil {
		return ""
	}
	return string(s.Status) + ", " + fmtMS(s.DurationMS) + " (at " + strconv.FormatInt(s.StartedMS, 10) + " ms)"
}

func exts(s *probe.ServerInfo) []string {
	if len(s.ExtensionsTLS) > 0 {
		return s.ExtensionsTLS
	}
	return s.Extensions
}

func mechs(a *probe.AuthInfo) []string {
	if len(a.OfferedAfterTLS) > 0 {
		return a.OfferedAfterTLS
	}
	return a.OfferedBeforeTLS
}

func tlsVersion(t *probe.TLSInfo) string {
	if t == nil {
		return "no TLS"
	}
	return t.Version
}

func leaf(t *probe.TLSInfo, f func(probe.Certificate) string) string {
	if t == nil || len(t.Chain) == 0 {
		return ""
	}
	return f(t.Chain[0])
}

func diagCode(r probe.Result) string {
	if r.Diagnosis == nil {
		return ""
	}
	return string(r.Diagnosis.Code)
}
