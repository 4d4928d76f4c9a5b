package report

import (
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Everything written goes through probe.Escape, even text the probe
// escaped when it captured it: a stored result, settings a person typed
// and diagnosis text must not reach a terminal raw either.

// lines is probe.Escape for text whose line breaks are its own (a
// diagnosis summary), each line after the first starting with prefix.
func lines(s, prefix string) string {
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		ls[i] = probe.Escape(l)
	}
	return strings.Join(ls, "\n"+prefix)
}
