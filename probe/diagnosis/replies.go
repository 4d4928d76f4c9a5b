package diagnosis

import (
	"fmt"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/provider"
)

// Reply patterns are real replies, word for word, with the diagnosis each
// means. They come before the generic rules (rules.go), in this order:
//
//  1. the recognised provider's own patterns (provider.Provider.Replies,
//     kept with the rest of the provider's facts in probe/provider);
//  2. sharedReplies below: phrasings that several servers use and that the
//     generic rules would read wrong.
//
// The first pattern that matches decides the code; the rule for that code
// still writes the summary and the steps, and the provider's tailoring
// still applies. A pattern only names a code that has a rule.

// sharedReplies are reply phrasings seen from more than one server or
// provider, where the generic rules' words are not enough. Each has the
// source it was seen at.
var sharedReplies = []provider.ReplyPattern{
	// Yahoo and AOL answer a wrong or non-app password with "Too many bad
	// auth attempts" from the first try: the "too many" is not a rate
	// limit there (the rate-limit finding still says to wait).
	{Step: probe.StepAuth, Words: []string{"(#auth005)"}, Why: probe.CodeAuthCredentialsRejected,
		Source: "https://github.com/PHPMailer/PHPMailer/issues/2034"},
	// At the end of DATA every recipient was already accepted, so a
	// relaying refusal is about the From address (Zoho's "553 Relaying
	// disallowed as <from>"), not about relaying to a recipient.
	{Step: probe.StepData, Words: []string{"relaying"}, Why: probe.CodeSenderRejected,
		Source: "https://github.com/odoo/odoo/issues/1493"},
	// A refusal labelled "Recipient address rejected" whose words say the
	// login and the sender do not match: the sender is the problem.
	{Step: probe.StepRcpt, Words: []string{"and sender doesn't match"}, Why: probe.CodeSenderRejected,
		Source: "https://github.com/mybb/mybb/issues/2578"},
	// A relay's message quota, counted per account.
	{Words: []string{"relay quota"}, Why: probe.CodeAuthRateLimited,
		Source: "https://github.com/WWBN/AVideo/issues/7527"},
}

// replyPattern finds the first reply pattern that matches the failure: the
// provider's, then the shared ones.
func replyPattern(f *Facts) (probe.Code, *probe.RuleTrace, bool) {
	if f.Reply == 0 {
		return "", nil, false
	}
	try := func(id string, list []provider.ReplyPattern) (probe.Code, *probe.RuleTrace, bool) {
		for i, rp := range list {
			if !rp.Match(f.Step, f.Reply, f.Text) || ruleFor(rp.Why) == nil {
				continue
			}
			m := []string{}
			if rp.Step != "" {
				m = append(m, "step="+f.Step)
			}
			if rp.Code != 0 {
				m = append(m, fmt.Sprintf("reply=%d", f.Reply))
			}
			for _, w := range rp.Words {
				m = append(m, "phrase="+w)
			}
			if rp.Source != "" {
				m = append(m, "source="+rp.Source)
			}
			return rp.Why, &probe.RuleTrace{ID: fmt.Sprintf("%s#%d", id, i), Matched: m}, true
		}
		return "", nil, false
	}
	if f.HasProvider {
		if c, t, ok := try("provider/"+f.Provider.Key, f.Provider.Replies); ok {
			return c, t, true
		}
	}
	return try("replies", sharedReplies)
}
