package diagnosis

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/provider"
)

// readmeCodes are the codes listed in the README's "Diagnosis codes"
// section: the first cell of each table row, in backticks.
func readmeCodes(t *testing.T) []probe.Code {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatalf("reading the README: %v", err)
	}
	text := string(b)
	start := strings.Index(text, "\n## Diagnosis codes\n")
	if start < 0 {
		t.Fatal(`the README has no "## Diagnosis codes" section`)
	}
	section := text[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9_.]+)` \\|")
	var out []probe.Code
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		out = append(out, probe.Code(m[1]))
	}
	return out
}

// The README's list of codes is the list of typed constants, no more, no
// less, and each code once.
func TestReadmeListsEveryCode(t *testing.T) {
	listed := readmeCodes(t)
	if len(listed) == 0 {
		t.Fatal("no codes found in the README's Diagnosis codes section")
	}
	seen := map[probe.Code]bool{}
	for _, c := range listed {
		if seen[c] {
			t.Errorf("README lists %s twice", c)
		}
		seen[c] = true
		if !slices.Contains(probe.AllCodes, c) {
			t.Errorf("README lists %s, which is not in probe.AllCodes", c)
		}
	}
	for _, c := range probe.AllCodes {
		if !seen[c] {
			t.Errorf("README does not list %s (add it to the Diagnosis codes table)", c)
		}
	}
}

// Every code the diagnosis can write is a known constant: the rules, the
// guide's sections, the findings table, Microsoft's refusals, the reply
// patterns and the hints.
func TestEveryProducedCodeIsKnown(t *testing.T) {
	check := func(where string, c probe.Code) {
		t.Helper()
		if !slices.Contains(probe.AllCodes, c) {
			t.Errorf("%s: %q is not in probe.AllCodes", where, c)
		}
	}
	for _, r := range Rules() {
		check("rule", r.Code)
	}
	for _, s := range Guide() {
		for _, c := range s.Codes {
			check("guide "+s.ID, c)
		}
	}
	for _, f := range findings {
		check("finding", f.Code)
	}
	for _, m := range msRefusals {
		check("microsoft "+m.ID, m.Code)
	}
	for _, p := range sharedReplies {
		check("shared reply", p.Why)
	}
	for c := range hints {
		check("hint", c)
	}
	for _, c := range promotable {
		check("promotable", c)
	}
}

// Every provider reply pattern names a code with a rule (or the engine
// would skip it) and a source.
func TestProviderReplyPatternsAreUsable(t *testing.T) {
	for _, p := range provider.All() {
		for i, rp := range p.Replies {
			if ruleFor(rp.Why) == nil {
				t.Errorf("%s reply %d: %q has no rule", p.Key, i, rp.Why)
			}
			if len(rp.Words) == 0 || rp.Source == "" {
				t.Errorf("%s reply %d: words %q, source %q", p.Key, i, rp.Words, rp.Source)
			}
		}
	}
	for i, rp := range sharedReplies {
		if ruleFor(rp.Why) == nil || rp.Source == "" || len(rp.Words) == 0 {
			t.Errorf("shared reply %d: %+v", i, rp)
		}
	}
}
