package diagnosis

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Every Microsoft 365 refusal has its own explanation and steps; the
// replies are as Exchange Online sent them in public reports.
func TestMicrosoftRefusals(t *testing.T) {
	const m365 = "smtp.office365.com"
	for _, c := range []struct {
		name, id string
		step     string
		reply    int
		line     string
		code     probe.Code
		explain  string // in the summary
		step1    string // in the remediation
		tls      bool
	}{
		// https://github.com/OpenCTI-Platform/opencti/issues/12069 (Microsoft's announced text)
		{"5.7.30 basic auth removed", "5.7.30-basic-auth-removed", probe.StepAuth, 550, "5.7.30 Basic authentication is not supported for Client Submission.", probe.CodeAuthBlockedByPolicy, "removed from SMTP AUTH", "SMTP.SendAsApp", true},
		// Microsoft 365 with SMTP AUTH off for the tenant or the mailbox, https://aka.ms/smtp_auth_disabled
		{"5.7.139 tenant", "5.7.139-tenant", probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [BN9PR03CA0123.namprd03.prod.outlook.com]", probe.CodeAuthBlockedByPolicy, "whole organisation", "Set-CASMailbox", true},
		{"5.7.139 mailbox", "5.7.139-mailbox", probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information. [BN9PR03CA0123.namprd03.prod.outlook.com]", probe.CodeAuthBlockedByPolicy, "this one mailbox", "Authenticated SMTP", true},
		// https://github.com/rpremraj/mailR/issues/107
		{"5.7.139 basic auth disabled", "5.7.139-basic-auth-disabled", probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, basic authentication is disabled. [BM1P287CA0015.INDP287.PROD.OUTLOOK.COM]", probe.CodeAuthBlockedByPolicy, "authentication policy", "AllowBasicAuthSmtp", true},
		// Microsoft 365 with security defaults on
		{"5.7.139 security defaults", "5.7.139-security-defaults", probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator. [BN9PR03CA0123.namprd03.prod.outlook.com]", probe.CodeAuthBlockedByPolicy, "security defaults are on", "Conditional Access", true},
		// https://github.com/gophish/gophish/issues/3220
		{"5.7.139 conditional access", "5.7.139-conditional-access", probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator. [MN2PR07CA0004.namprd07.prod.outlook.com 2024-08-13T18:27:55.030Z 08DCBB430284475F]", probe.CodeAuthBlockedByPolicy, "Conditional Access policy", "Sign-in logs", true},
		// https://github.com/codassassin/email-bomber-v2.0/issues/1
		{"5.7.139 credentials", "5.7.139-credentials", probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, the user credentials were incorrect. [PH0PR07CA0004.namprd07.prod.outlook.com]", probe.CodeAuthCredentialsRejected, "checked the password", "outlook.office.com", true},
		// https://github.com/tarickb/sasl-xoauth2/issues/43
		{"5.7.3 unsuccessful", "5.7.3-unsuccessful", probe.StepAuth, 535, "5.7.3 Authentication unsuccessful [FR3P281CA0094.DEUP281.PROD.OUTLOOK.COM]", probe.CodeAuthCredentialsRejected, "catch-all", "SMTP.Send", true},
		// https://github.com/apache/hertzbeat/issues/2365
		{"5.7.3 starttls required", "5.7.3-starttls", probe.StepMail, 451, "5.7.3 STARTTLS is required to send mail [SG2PR02CA0073.apcprd02.prod.outlook.com 2024-07-24T03:43:18.298Z 08DCAB6EB788477A]", probe.CodeAuthRequiresTLS, "only over an encrypted connection", "port 587 with STARTTLS", false},
		// https://github.com/glowroot/glowroot/issues/226
		{"5.7.57 not authenticated", "5.7.57-not-authenticated", probe.StepMail, 530, "5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM [DM5PR21CA0024.namprd21.prod.outlook.com]", probe.CodeAuthRequired, "logged in", "mail.protection.outlook.com", true},
		// https://github.com/swiftmailer/swiftmailer/issues/1030
		{"5.7.60 send as", "5.7.60-send-as", probe.StepMail, 550, "5.7.60 SMTP; Client does not have permissions to send as this sender [MW2PR1901MB2155.namprd19.prod.outlook.com]", probe.CodeSenderRejected, "no Send As right", "Add-RecipientPermission", true},
		// Microsoft's troubleshooting page for devices and applications (msTroubleshootURL).
		{"5.7.139 federation unreachable", "5.7.139-federation-unreachable", probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, federated STS service was unreachable. [BN9PR03CA0123.namprd03.prod.outlook.com]", probe.CodeAuthTemporaryFailure, "federation", "Do not change the password", true},
		{"5.7.139 federation https", "5.7.139-federation-https", probe.StepAuth, 535, "5.7.139 Authentication unsuccessful, the federated STS URL does not support HTTPS. [BN9PR03CA0123.namprd03.prod.outlook.com]", probe.CodeAuthTemporaryFailure, "TLS 1.0 or 1.1", "TLS 1.2", true},
		{"5.1.8 bad outbound sender", "5.1.8-bad-outbound-sender", probe.StepMail, 550, "5.1.8 Access denied, bad outbound sender. [BN9PR03CA0123.namprd03.prod.outlook.com]", probe.CodeAuthBlockedByPolicy, "restricted senders", "Restricted entities", true},
		{"5.7.64 tenant attribution", "5.7.64-tenant-attribution", probe.StepRcpt, 550, "5.7.64 TenantAttribution; Relay Access Denied [BN9PR03CA0123.namprd03.prod.outlook.com]", probe.CodeRelayDenied, "connector", "inbound connector", true},
		// https://github.com/deanproxy/eMail/issues/44
		{"5.7.4 unrecognized after TLS", "5.7.4-unrecognized", probe.StepAuth, 504, "5.7.4 Unrecognized authentication type [SN1NAM02FT025.eop-nam02.prod.protection.outlook.com]", probe.CodeAuthMechanismUnsupported, "does not offer", "AUTH LOGIN", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := result(m365, c.step, c.reply, c.line)
			if !c.tls {
				plaintext(r)
			}
			Diagnose(r)
			d := r.Diagnosis
			if d.Code != c.code {
				t.Fatalf("code = %s, want %s", d.Code, c.code)
			}
			if d.Rule.ID != "microsoft/"+c.id {
				t.Errorf("rule = %+v, want microsoft/%s", d.Rule, c.id)
			}
			if !strings.Contains(d.Summary, c.explain) {
				t.Errorf("summary lacks %q: %s", c.explain, d.Summary)
			}
			// The summary cites the code the server sent.
			if !strings.Contains(d.Summary, c.line[:strings.IndexByte(c.line, ' ')]) {
				t.Errorf("summary does not cite %s: %s", c.line[:6], d.Summary)
			}
			steps := strings.Join(d.Remediation, "\n")
			if !strings.Contains(steps, c.step1) {
				t.Errorf("remediation lacks %q:\n%s", c.step1, steps)
			}
			for _, bad := range []string{"Dovecot", "Postfix"} {
				if strings.Contains(steps, bad) {
					t.Errorf("remediation for Microsoft 365 mentions %s", bad)
				}
			}
		})
	}
}

// 504 5.7.4 before STARTTLS means "encrypt first", whoever sends it.
func TestMicrosoft504BeforeTLS(t *testing.T) {
	r := with(result("smtp.office365.com", probe.StepAuth, 504, "5.7.4 Unrecognized authentication type [BN9PR03CA0123.namprd03.prod.outlook.com]"), plaintext)
	Diagnose(r)
	if r.Diagnosis.Code != probe.CodeAuthRequiresTLS {
		t.Errorf("code = %s", r.Diagnosis.Code)
	}
}

// A password login to Microsoft 365 that works is a warning with the
// switch-off date; OAuth logins and other providers are not.
func TestBasicAuthRetiring(t *testing.T) {
	ok := func(host, mech string, at time.Time) *probe.Result {
		r := result(host, "", 0)
		r.Auth.Succeeded = true
		r.Auth.Mechanism = mech
		r.StartedAt = at
		return r
	}
	before := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	r := ok("smtp.office365.com", "LOGIN", before)
	Diagnose(r)
	if r.Outcome != probe.OutcomeWarning {
		t.Fatalf("outcome = %s, want warning", r.Outcome)
	}
	d := r.Diagnosis
	if d.Code != probe.CodeAuthBasicAuthRetiring || d.Severity != probe.SeverityWarning {
		t.Fatalf("diagnosis = %s %s", d.Code, d.Severity)
	}
	for _, w := range []string{"end of December 2026", "second half of 2027", "5.7.30"} {
		if !strings.Contains(d.Summary, w) {
			t.Errorf("summary lacks %q: %s", w, d.Summary)
		}
	}
	steps := strings.Join(d.Remediation, "\n")
	for _, w := range []string{"SMTP.Send", "XOAUTH2", "High Volume Email", "sendMail", "techcommunity.microsoft.com"} {
		if !strings.Contains(steps, w) {
			t.Errorf("remediation lacks %q", w)
		}
	}
	if strings.Contains(d.Summary, "carried on past") {
		t.Errorf("summary speaks of a carried-past problem: %s", d.Summary)
	}
	if !strings.Contains(strings.Join(linkURLs(d.Links), " "), "/guide#microsoft-basic-auth") {
		t.Errorf("no guide link: %+v", d.Links)
	}

	// After the default changed, the words say so.
	r = ok("smtp.office365.com", "PLAIN", time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC))
	Diagnose(r)
	if !strings.Contains(r.Diagnosis.Summary, "turned it back on") {
		t.Errorf("summary after the switch-off: %s", r.Diagnosis.Summary)
	}

	// A login that failed later still carries the finding.
	r = result("smtp.office365.com", probe.StepMail, 550, "5.7.60 SMTP; Client does not have permissions to send as this sender [MW2PR1901MB2155.namprd19.prod.outlook.com]")
	r.Auth.Mechanism = "LOGIN"
	Diagnose(r)
	if !hasFinding(r, probe.CodeAuthBasicAuthRetiring) {
		t.Errorf("no retiring finding after a refused sender: %+v", r.Findings)
	}

	for _, c := range []struct{ host, mech string }{{"smtp.office365.com", "XOAUTH2"}, {"smtp.gmail.com", "PLAIN"}} {
		r := ok(c.host, c.mech, before)
		Diagnose(r)
		if r.Diagnosis.Code != probe.CodeOK || hasFinding(r, probe.CodeAuthBasicAuthRetiring) {
			t.Errorf("%s %s: %s %+v", c.host, c.mech, r.Diagnosis.Code, r.Findings)
		}
		b, _ := json.Marshal(r)
		if !strings.Contains(string(b), `"rule":{"id":"ok"`) {
			t.Errorf("ok result has no rule trace: %s", b)
		}
	}
}

func hasFinding(r *probe.Result, code probe.Code) bool {
	for _, f := range r.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

func linkURLs(ls []probe.Link) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.URL)
	}
	return out
}

// A banner marker two products share names neither.
func TestSharedBannerMarkerNamesNeither(t *testing.T) {
	r := with(result("203.0.113.9", probe.StepAuth, 535, "5.7.8 Authentication failed"),
		banner("mx.example.org ESMTP Postfix (Exim compatible gateway)"))
	Diagnose(r)
	if r.Diagnosis.Provider != "" {
		t.Errorf("provider = %q, want none", r.Diagnosis.Provider)
	}
	// One marker alone still names its product.
	r = with(result("203.0.113.9", probe.StepAuth, 535, "5.7.8 Authentication failed"), banner("mx.example.org ESMTP Postfix (Debian/GNU)"))
	Diagnose(r)
	if r.Diagnosis.Provider != "Postfix" {
		t.Errorf("provider = %q, want Postfix", r.Diagnosis.Provider)
	}
}
