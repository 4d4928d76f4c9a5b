package diagnosis

import (
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// What the probe read from a token leads the OAuth diagnosis: the summary
// says it, the first step fixes it, and a finding carries it.
func TestTokenFindingsLeadOAuthDiagnosis(t *testing.T) {
	for _, c := range []struct {
		code probe.Code
		obs  string
		step string
	}{
		{probe.CodeOAuthTokenExpired, "the token expired at 2026-11-29T09:57:00Z, 2 hours 3 minutes before this test", "fresh access token"},
		{probe.CodeOAuthWrongAudience, "the token is for Microsoft Graph (aud https://graph.microsoft.com), which SMTP refuses", "not Microsoft Graph"},
		{probe.CodeOAuthMissingScope, "the token is an application (app-only) token with the roles Mail.Send, without SMTP.SendAsApp", "SMTP.SendAsApp"},
		{probe.CodeOAuthUserMismatch, "the token was issued to bob@example.com, but the SMTP username is alice@example.com", "signed in as alice@example.com"},
		{probe.CodeOAuthRefreshToken, "the token starts with \"1//\", the form of a Google refresh token", "grant_type=refresh_token"},
		{probe.CodeOAuthOpaqueToken, "the token is a Google access token (\"ya29.…\"), which is opaque", "tokeninfo"},
	} {
		t.Run(string(c.code), func(t *testing.T) {
			// Microsoft 365 refusing a token: 5.7.3 for a token for the wrong audience.
			r := with(result("smtp.office365.com", probe.StepAuth, 535, "5.7.3 Authentication unsuccessful [BN3PR03CA0067.namprd03.prod.outlook.com]"),
				mech(probe.MechXOAUTH2), observe(string(c.code), c.obs))
			Diagnose(r)
			d := r.Diagnosis
			if d.Code != probe.CodeAuthOAuthTokenInvalid || !strings.Contains(d.Summary, "Reading the token locally") {
				t.Fatalf("code = %s", d.Code)
			}
			if !strings.Contains(d.Remediation[0], c.step) {
				t.Errorf("first step %q lacks %q", d.Remediation[0], c.step)
			}
			if !hasFinding(r, c.code) {
				t.Errorf("no finding %s: %+v", c.code, r.Findings)
			}
			for _, f := range r.Findings {
				if f.Code == c.code && (f.Severity != probe.SeverityWarning || strings.HasPrefix(f.Title, "oauth.")) {
					t.Errorf("finding %+v", f)
				}
			}
		})
	}
	// On a generic server the OAuth rule's summary quotes what was read.
	r := with(result("mail.example.com", probe.StepAuth, 535, "5.7.8 Authentication failed"), mech(probe.MechXOAUTH2),
		observe(string(probe.CodeOAuthTokenExpired), "the token expired at 2026-11-29T09:57:00Z, 2 hours 3 minutes before this test"))
	Diagnose(r)
	if r.Diagnosis.Code != probe.CodeAuthOAuthTokenInvalid || !strings.Contains(r.Diagnosis.Summary, "Reading the token locally: the token expired") {
		t.Errorf("%s: %s", r.Diagnosis.Code, r.Diagnosis.Summary)
	}
}
