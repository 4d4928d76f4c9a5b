package diagnosis

import (
	"fmt"
	"slices"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Rule is one diagnosis code: how to recognise it in a server's reply, and
// what to tell the user. Rules live in one table (rules.go), in order of
// precedence: the first rule whose signs match is the root cause.
type Rule struct {
	Code     probe.Code
	Severity probe.Severity
	Title    string
	// Guide is the /guide section that explains this kind of failure.
	Guide string
	// When are the signs of this cause in a reply; any one matching is
	// enough. Nil for codes only the probe can establish (a refused
	// connection has no reply to read).
	When []When
	// Summary says what happened, quoting the server's own reply.
	Summary func(f *Facts) string
	// Steps are the remediation, most likely fix first. Provider-specific
	// steps (tailor.go) come before them.
	Steps func(f *Facts) []string
}

// When is one sign in a reply. Every field that is set must hold; a list
// holds when any of its entries does. A When with no reply-related field
// set only matches through If.
type When struct {
	Steps    []string // failed step (ehlo_tls counts as ehlo)
	Replies  []int    // exact reply codes
	Class    int      // first digit of the reply code: 4 or 5
	Enhanced []string // RFC 3463 subject.detail, "7.8" (class-free)
	Phrases  []string // lower-case substrings of the reply text, any line
	If       func(f *Facts) bool
}

// match reports whether the sign holds, and the facts it matched, for
// the result's diagnosis.rule ("step=auth", "reply=535", "phrase=too many").
func (w When) match(f *Facts) (bool, []string) {
	if f.Reply == 0 && (len(w.Replies) > 0 || w.Class != 0 || len(w.Enhanced) > 0 || len(w.Phrases) > 0) {
		return false, nil
	}
	var why []string
	if len(w.Steps) > 0 {
		if !slices.Contains(w.Steps, f.Step) {
			return false, nil
		}
		why = append(why, "step="+f.Step)
	}
	if len(w.Replies) > 0 {
		if !slices.Contains(w.Replies, f.Reply) {
			return false, nil
		}
		why = append(why, fmt.Sprintf("reply=%d", f.Reply))
	}
	if w.Class != 0 {
		if f.class() != w.Class {
			return false, nil
		}
		why = append(why, fmt.Sprintf("class=%dxx", w.Class))
	}
	if len(w.Enhanced) > 0 {
		if !slices.Contains(w.Enhanced, enhancedDetail(f.Enhanced)) {
			return false, nil
		}
		why = append(why, "enhanced="+f.Enhanced)
	}
	if len(w.Phrases) > 0 {
		p, ok := f.phrase(w.Phrases...)
		if !ok {
			return false, nil
		}
		why = append(why, "phrase="+p)
	}
	if w.If != nil {
		if !w.If(f) {
			return false, nil
		}
		why = append(why, "condition")
	}
	return true, why
}

// matches reports whether any of the rule's signs holds, which one (its
// index in When) and the facts it matched.
func (r *Rule) matches(f *Facts) (int, []string, bool) {
	for i, w := range r.When {
		if ok, why := w.match(f); ok {
			return i, why, true
		}
	}
	return -1, nil, false
}

// Rules returns the rule table in precedence order. The slice is a copy;
// the functions in it are shared.
func Rules() []Rule {
	return slices.Clone(rules)
}

// ruleFor finds the rule for a code, or nil.
func ruleFor(code probe.Code) *Rule {
	for i := range rules {
		if rules[i].Code == code {
			return &rules[i]
		}
	}
	return nil
}

// guideLink is the link to a /guide section.
func guideLink(id string) probe.Link {
	for _, s := range guide {
		if s.ID == id {
			return probe.Link{Title: "Guide: " + s.Title, URL: "/guide#" + id}
		}
	}
	return probe.Link{Title: "Guide", URL: "/guide#" + id}
}

// step shorthands for the table.
var (
	atAuth   = []string{probe.StepAuth}
	atMail   = []string{probe.StepMail}
	atRcpt   = []string{probe.StepRcpt}
	atSend   = []string{probe.StepMail, probe.StepRcpt, probe.StepData}
	atEHLO   = []string{probe.StepEHLO}
	atGreet  = []string{probe.StepGreeting}
	atStart  = []string{probe.StepStartTLS}
	notStart = []string{probe.StepGreeting, probe.StepEHLO, probe.StepAuth, probe.StepMail, probe.StepRcpt, probe.StepData}
)

// words joins non-empty strings with spaces.
func words(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}
