package diagnosis

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/provider"
)

// A provider's own reply patterns decide before the generic rules, and
// the diagnosis says which pattern it used.
func TestProviderReplyPatternComesFirst(t *testing.T) {
	// NetEase's 163.com answers a login with the account password with
	// "535 Error: authentication failed" (which the generic rules read as
	// a wrong password); the pattern below, as a provider entry would hold
	// it, reads its "authorization code" variant right.
	r := result("smtp.163.com", probe.StepAuth, 535, "Error: authentication failed, system busy, please use authorization code")
	f := newFacts(r)
	f.HasProvider = true
	f.Provider = provider.Provider{Key: "netease", Name: "NetEase", Kind: provider.KindService, Replies: []provider.ReplyPattern{
		{Step: probe.StepAuth, Words: []string{"authorization code"}, Why: probe.CodeAuthAppPasswordRequired, Source: "https://example.org/report"},
	}}
	code, trace := primaryCode(f)
	if code != probe.CodeAuthAppPasswordRequired {
		t.Fatalf("code = %s, want %s", code, probe.CodeAuthAppPasswordRequired)
	}
	if trace.ID != "provider/netease#0" || !slices.Contains(trace.Matched, "phrase=authorization code") {
		t.Errorf("trace = %+v", trace)
	}
	// Without the pattern, the generic rules decide and say which rule.
	f.Provider.Replies = nil
	code, trace = primaryCode(f)
	if code != probe.CodeAuthCredentialsRejected || !strings.HasPrefix(trace.ID, "rules/auth.credentials_rejected#") {
		t.Errorf("without the pattern: %s %+v", code, trace)
	}
}

func TestReplyPatternMatch(t *testing.T) {
	rp := provider.ReplyPattern{Step: probe.StepAuth, Code: 535, Words: []string{"too many", "login"}, Why: probe.CodeAuthRateLimited}
	for _, c := range []struct {
		step string
		code int
		text string
		want bool
	}{
		{probe.StepAuth, 535, "too many login attempts", true},
		{probe.StepAuth, 535, "too many attempts", false},
		{probe.StepMail, 535, "too many login attempts", false},
		{probe.StepAuth, 550, "too many login attempts", false},
	} {
		if got := rp.Match(c.step, c.code, c.text); got != c.want {
			t.Errorf("Match(%s, %d, %q) = %v", c.step, c.code, c.text, got)
		}
	}
	if (provider.ReplyPattern{Why: probe.CodeAuthRateLimited}).Match("auth", 535, "anything") {
		t.Error("a pattern without words matches everything")
	}
}

// The explanation is in the result JSON.
func TestDiagnosisExplainsItsRule(t *testing.T) {
	r := result("mail.example.com", probe.StepAuth, 535, "5.7.8 Error: authentication failed: authentication failure")
	Diagnose(r)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Diagnosis struct {
			Rule struct {
				ID      string   `json:"id"`
				Matched []string `json:"matched"`
			} `json:"rule"`
		} `json:"diagnosis"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Diagnosis.Rule.ID != "rules/auth.credentials_rejected#0" {
		t.Errorf("rule id = %q", back.Diagnosis.Rule.ID)
	}
	if !slices.Contains(back.Diagnosis.Rule.Matched, "reply=535") || !slices.Contains(back.Diagnosis.Rule.Matched, "step=auth") {
		t.Errorf("matched = %v", back.Diagnosis.Rule.Matched)
	}
}
