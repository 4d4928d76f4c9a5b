package report

import (
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Every field is written through probe.Escape, even text the probe escaped
// when it captured it: a result stored before escaping grew, settings a
// person typed and diagnosis text must not reach a terminal raw either.
// lines does that for text whose line breaks are its own (a diagnosis
// summary, a remediation step), starting each line after the first with
// prefix so that it stays indented under its heading.
func lines(s, prefix string) string {
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		ls[i] = probe.Escape(l)
	}
	return strings.Join(ls, "\n"+prefix)
}
