package web

import (
	"regexp"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Everything a permalink shows travels: to a colleague, a provider's
// support, a public issue. Attempts recorded before the probe stopped
// keeping them may still hold a secret's length ("password 16
// characters") or the dashboard's own DNS resolver ("lookup x on
// 10.0.0.53:53"); forSharing takes both out of every page, stream and
// export of an attempt.
var (
	secretLength    = regexp.MustCompile(`\b(password|token) \d+ characters\b`)
	resolverAddress = regexp.MustCompile(` on (?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):53\b`)
)

func shareText(s string) string {
	s = secretLength.ReplaceAllString(s, "$1 withheld")
	return resolverAddress.ReplaceAllString(s, "")
}

// forSharing returns r with its shown text scrubbed as above. It copies
// what it changes: r may be a live snapshot other readers share.
func forSharing(r probe.Result) probe.Result {
	if len(r.Transcript) > 0 {
		t := make([]probe.Line, len(r.Transcript))
		for i, l := range r.Transcript {
			l.Text = shareText(l.Text)
			t[i] = l
		}
		r.Transcript = t
	}
	if len(r.Steps) > 0 {
		st := make([]probe.Step, len(r.Steps))
		for i, s := range r.Steps {
			s.Detail = shareText(s.Detail)
			st[i] = s
		}
		r.Steps = st
	}
	if r.Failure != nil {
		f := *r.Failure
		f.Command, f.Err = shareText(f.Command), shareText(f.Err)
		r.Failure = &f
	}
	if r.Diagnosis != nil {
		d := *r.Diagnosis
		d.Summary = shareText(d.Summary)
		r.Diagnosis = &d
	}
	return r
}
