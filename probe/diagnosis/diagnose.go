// Package diagnosis turns what a probe saw into one root cause, in plain
// words, with numbered steps that fix it. It reads the structured result —
// the failed step, the reply code, the enhanced status code, every line of
// the reply, what the server offered before and after TLS, the TLS facts
// and the user's inputs — and runs it through a table of rules (rules.go)
// in precedence order. The provider behind the server (probe/provider)
// tailors the advice: where to create an app password, how an administrator
// enables SMTP AUTH, which username a sending service wants. Everything
// else worth knowing becomes a finding. The package also holds the
// /guide page's content (guide.go), so that diagnoses and guide agree.
package diagnosis

import (
	"fmt"
	"slices"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/provider"
)

// Diagnose sets r.Diagnosis, r.Findings and r.Outcome from the rest of
// the result. It only acts on finished (done) or interrupted results;
// queued and running ones are left alone. It is deterministic and safe to
// run again on a stored result.
func Diagnose(r *probe.Result) {
	if r == nil || (r.Status != probe.StatusDone && r.Status != probe.StatusInterrupted) {
		return
	}
	f := newFacts(r)
	code, trace := primaryCode(f)
	findings := collectFindings(f, code)

	// Nothing failed: the most serious warning (a certificate carried
	// past, an obsolete TLS version) becomes the diagnosis, so that the
	// report leads with it.
	promoted := false
	if code == "ok" {
		for _, c := range promotable {
			if i := slices.IndexFunc(findings, func(x probe.Finding) bool { return x.Code == c }); i >= 0 {
				code, promoted = c, true
				findings = slices.Delete(findings, i, i+1)
				break
			}
		}
	}

	d := render(f, code)
	d.Rule = trace
	if promoted {
		d.Rule = &probe.RuleTrace{ID: "promoted", Matched: []string{"no failure", "finding=" + string(code)}}
		d.Severity = probe.SeverityWarning
	}
	if promoted && slices.Contains(carriedPast, code) {
		d.Summary = "Everything asked for worked, but only because smtpdoctor carried on past this problem to test the rest; mail apps that check properly will refuse to connect. " + d.Summary
	}
	r.Diagnosis = d
	r.Findings = findings
	if r.Findings == nil {
		r.Findings = []probe.Finding{}
	}
	r.Outcome = outcome(r, code)
	if r.Kind == probe.KindExplain {
		explained(r)
	}
}

// promotable are the warnings that lead the report when nothing failed,
// most serious first.
var promotable = []probe.Code{probe.CodeTLSCertExpired, probe.CodeTLSCertHostnameMismatch, probe.CodeTLSCertUntrusted, probe.CodeTLSProtocolTooOld, probe.CodeAuthBasicAuthRetiring}

// carriedPast are the promotable warnings that smtpdoctor stepped over to
// test the rest; a real client would have stopped there.
var carriedPast = []probe.Code{probe.CodeTLSCertExpired, probe.CodeTLSCertHostnameMismatch, probe.CodeTLSCertUntrusted, probe.CodeTLSProtocolTooOld}

// primaryCode picks the root cause, and says how.
func primaryCode(f *Facts) (probe.Code, *probe.RuleTrace) {
	switch {
	case f.R.Status == probe.StatusInterrupted && f.R.Failure != nil && f.R.Failure.Code == probe.CodeProbeCancelled:
		return probe.CodeProbeCancelled, &probe.RuleTrace{ID: "probe", Matched: []string{"status=interrupted", "cancelled"}}
	case f.R.Status == probe.StatusInterrupted && f.R.Failure != nil && f.R.Failure.Code == probe.CodeProbeSkipped:
		return probe.CodeProbeSkipped, &probe.RuleTrace{ID: "probe", Matched: []string{"status=interrupted", "not started in time"}}
	case f.R.Status == probe.StatusInterrupted:
		return probe.CodeProbeInterrupted, &probe.RuleTrace{ID: "probe", Matched: []string{"status=interrupted"}}
	case f.intercept != nil:
		m := []string{"host=" + plain(f.R.Settings.Host, 255), "expected=" + f.intercept.Expected.Key}
		for _, n := range f.intercept.Names {
			m = append(m, "answered="+plain(n, 255))
		}
		if f.intercept.HasSoft {
			m = append(m, "software="+f.intercept.Software.Key)
		}
		return probe.CodeSMTPIntercepted, &probe.RuleTrace{ID: "intercepted", Matched: m}
	case f.R.Failure == nil:
		return "ok", &probe.RuleTrace{ID: "ok", Matched: []string{"no failure"}}
	case f.Code != "":
		// The probe established the cause. One refinement: a server that
		// lists no AUTH on a plaintext connection but offers STARTTLS
		// wants TLS first — "STARTTLS required" is the root cause.
		t := &probe.RuleTrace{ID: "probe", Matched: []string{"step=" + f.Step, "established=" + string(f.Code)}}
		if f.Code == probe.CodeAuthNotOffered && !f.TLSActive && f.StartTLSOffered {
			t.Matched = append(t.Matched, "starttls offered", "no TLS yet")
			return probe.CodeAuthRequiresTLS, t
		}
		return f.Code, t
	}
	if c, t, ok := replyPattern(f); ok {
		return c, t
	}
	if m := f.ms; m != nil && ruleFor(m.Code) != nil {
		matched := []string{"step=" + f.Step, "provider=" + f.Provider.Key, "enhanced=" + m.Enhanced}
		for _, w := range m.Words {
			matched = append(matched, "phrase="+w)
		}
		return m.Code, &probe.RuleTrace{ID: "microsoft/" + m.ID, Matched: append(matched, "source="+m.Source)}
	}
	for i := range rules {
		if w, why, ok := rules[i].matches(f); ok {
			return rules[i].Code, &probe.RuleTrace{ID: fmt.Sprintf("rules/%s#%d", rules[i].Code, w), Matched: why}
		}
	}
	return probe.CodeProbeError, &probe.RuleTrace{ID: "fallback", Matched: []string{"step=" + f.Step}}
}

// render fills in the diagnosis for code from its rule, the provider's
// tailoring and the input hints.
func render(f *Facts, code probe.Code) *probe.Diagnosis {
	rule := ruleFor(code)
	if rule == nil {
		rule = ruleFor(probe.CodeProbeError)
	}
	d := &probe.Diagnosis{
		Code:     code,
		Severity: rule.Severity,
		Title:    rule.Title,
		Summary:  rule.Summary(f),
	}
	if f.ms != nil && f.ms.Code == code {
		d.Summary += " " + f.ms.Explain
	}
	d.Remediation = remediation(f, code, rule)
	d.Links = links(f, code, rule)
	if f.HasProvider {
		d.Provider = f.Provider.Name
	}
	return d
}

// remediation is the hint fixes first (a stray space is the likeliest
// cause when it is there), then the provider's own steps, then the rule's.
func remediation(f *Facts, code probe.Code, rule *Rule) []string {
	var steps []string
	if credentialCodes[code] || (code == probe.CodeSMTPTimeout && f.Step == probe.StepAuth) {
		steps = append(steps, hintSteps(f)...)
	}
	general := rule.Steps(f)
	if f.HasProvider && f.Provider.Kind == provider.KindService {
		// A hosted service's users do not run its servers: advice for
		// Postfix or Dovecot administrators would only mislead.
		general = slices.DeleteFunc(general, func(s string) bool {
			return selfRunStep(s) || (f.Provider.Family != "microsoft" && strings.Contains(s, "Exchange"))
		})
	}
	if t, ok := tailoring(f, code); ok {
		steps = append(steps, t.Steps(f)...)
		if t.Replace {
			// Keep the rule's escalation step: it carries the reply and time.
			general = slices.DeleteFunc(general, func(s string) bool { return !strings.HasPrefix(s, "If it still fails") })
		}
	}
	steps = append(steps, general...)
	// Drop empties and repeats, keeping order.
	out := steps[:0]
	seen := map[string]bool{}
	for _, s := range steps {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// selfRunStep reports a step meant for whoever runs the server software.
func selfRunStep(s string) bool {
	if strings.HasPrefix(s, "If you run the server") {
		return true
	}
	for _, name := range []string{"Postfix", "Dovecot", "Exim", "saslauthd", "master.cf", "OpenSMTPD"} {
		if strings.Contains(s, name) {
			return true
		}
	}
	return false
}

// credentialCodes are the diagnoses where what the user typed matters.
var credentialCodes = map[probe.Code]bool{
	probe.CodeAuthCredentialsRejected: true,
	probe.CodeAuthAppPasswordRequired: true,
	probe.CodeAuthOAuthTokenInvalid:   true,
}

// links are the provider's own pages that fit the code, then the guide.
func links(f *Facts, code probe.Code, rule *Rule) []probe.Link {
	var out []probe.Link
	add := func(title, url string) {
		if url == "" || slices.ContainsFunc(out, func(l probe.Link) bool { return l.URL == url }) {
			return
		}
		out = append(out, probe.Link{Title: title, URL: url})
	}
	if f.HasProvider {
		p, name := f.Provider, f.Provider.Name
		switch code {
		case probe.CodeAuthCredentialsRejected, probe.CodeAuthAppPasswordRequired, probe.CodeAuthWebLoginRequired:
			add(name+": app passwords and SMTP credentials", p.AppPasswordURL)
			add(name+": signing in from mail apps", p.AuthDocsURL)
			add(name+": SMTP settings", p.DocsURL)
		case probe.CodeAuthBlockedByPolicy:
			add(name+": enabling SMTP authentication", p.AuthDocsURL)
			add(name+": OAuth for SMTP", p.OAuthDocsURL)
		case probe.CodeAuthOAuthTokenInvalid:
			add(name+": OAuth for SMTP", p.OAuthDocsURL)
		case probe.CodeSenderRejected:
			add(name+": sending as another address", p.SenderDocsURL)
			add(name+": SMTP settings", p.DocsURL)
		case probe.CodeAuthTemporaryFailure, probe.CodeSMTPServiceUnavailable, probe.CodeAuthRateLimited, probe.CodeSMTPTimeout, probe.CodeTLSStartTLSFailed:
			add(name+": service status", p.StatusURL)
			add(name+": SMTP settings", p.DocsURL)
		case "ok":
		default:
			add(name+": SMTP settings", p.DocsURL)
		}
	}
	if rule.Guide != "" {
		l := guideLink(rule.Guide)
		add(l.Title, l.URL)
	}
	return out
}

// outcome is the verdict: failure when something asked for did not work,
// warning when everything did but something is wrong, success otherwise.
func outcome(r *probe.Result, code probe.Code) probe.Outcome {
	if r.Status == probe.StatusInterrupted || r.Failure != nil {
		return probe.OutcomeFailure
	}
	if code != "ok" {
		return probe.OutcomeWarning
	}
	for _, f := range r.Findings {
		if f.Severity == probe.SeverityWarning || f.Severity == probe.SeverityError {
			return probe.OutcomeWarning
		}
	}
	return probe.OutcomeSuccess
}
