package diagnosis

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// finding is one kind of finding, declared the way rules are: when it
// holds, how serious it is, and what it says. Findings are everything
// worth knowing besides the primary diagnosis; a finding whose code is the
// primary diagnosis is left out (the diagnosis says it already).
type finding struct {
	Code     probe.Code
	Severity probe.Severity
	Title    string
	// When reads the facts; f.Primary is the diagnosis already chosen.
	When   func(f *Facts) bool
	Detail func(f *Facts) string
}

// findings is the table, in the order findings are listed. Observations
// the probe recorded come before it (see collectFindings).
var findings = []finding{
	certFinding(probe.CodeTLSCertExpired),
	certFinding(probe.CodeTLSCertHostnameMismatch),
	certFinding(probe.CodeTLSCertUntrusted),
	{
		Code: probe.CodeTLSProtocolTooOld, Severity: probe.SeverityWarning, Title: "TLS version too old",
		When: func(f *Facts) bool {
			v := strings.ToUpper(tlsVersion(f))
			return strings.Contains(v, "1.0") || strings.Contains(v, "1.1") || strings.Contains(v, "SSL")
		},
		Detail: func(f *Facts) string {
			return fmt.Sprintf("The server negotiated %s; TLS 1.0 and 1.1 are deprecated (RFC 8996) and refused by current mail apps.", plain(tlsVersion(f), 20))
		},
	},
	{
		// RFC 4954 §4: servers may offer AUTH only once the connection
		// is protected.
		Code: probe.CodeAuthOnlyAfterTLS, Severity: probe.SeverityInfo, Title: "AUTH is offered only after STARTTLS",
		When: func(f *Facts) bool { return len(f.AuthBeforeTLS) == 0 && len(f.AuthAfterTLS) > 0 },
		Detail: func(f *Facts) string {
			return "The server lists AUTH " + plain(strings.Join(f.AuthAfterTLS, " "), 200) + " only on the encrypted connection; apps must run STARTTLS and EHLO again before logging in."
		},
	},
	{
		Code: probe.CodeAuthNotOffered, Severity: probe.SeverityInfo, Title: "AUTH is not offered before TLS",
		When: func(f *Facts) bool {
			return f.Primary == probe.CodeAuthRequiresTLS && len(f.AuthBeforeTLS) == 0 && !f.TLSActive
		},
		Detail: func(f *Facts) string {
			return "On the unencrypted connection the server lists no AUTH mechanism; it will list them after STARTTLS."
		},
	},
	{
		Code: probe.CodeAuthPlaintext, Severity: probe.SeverityWarning, Title: "The password was sent without encryption",
		When: passwordSentInClear,
		Detail: func(f *Facts) string {
			return "AUTH " + plain(strings.ToUpper(f.R.Auth.Mechanism), 20) + " ran on an unencrypted connection, so anyone on the network path could read the credentials. Use STARTTLS or implicit TLS, and change the password if this path is not trusted."
		},
	},
	{
		Code: probe.CodeTLSNotUsed, Severity: probe.SeverityInfo, Title: "STARTTLS was offered but not used",
		When: func(f *Facts) bool {
			return !passwordSentInClear(f) && !f.TLSActive && f.StartTLSOffered && f.R.Settings.Security == probe.SecurityNone
		},
		Detail: func(f *Facts) string {
			return "The server offers STARTTLS; this test ran unencrypted because security \"none\" was chosen."
		},
	},
	{
		Code: probe.CodeAuthBasicAuthRetiring, Severity: probe.SeverityWarning,
		Title: "Microsoft 365 switches off password (Basic) authentication for SMTP",
		When:  basicAuthLogin,
		Detail: func(f *Facts) string {
			return words("This login used a password"+mechWords(f)+".", basicAuthWords(f), "Move the app to OAuth 2.0 (XOAUTH2 with the SMTP.Send permission) or another relay; see the guide: /guide#microsoft-basic-auth.")
		},
	},
	{
		Code: probe.CodeAuthNotTested, Severity: probe.SeverityInfo, Title: "Authentication was not tested",
		When: func(f *Facts) bool {
			return !f.AuthAttempted && (f.R.Failure == nil || f.Step == probe.StepMail || f.Step == probe.StepRcpt || f.Step == probe.StepData)
		},
		Detail: func(f *Facts) string {
			return "No username was given, so the probe did not log in; give one to test AUTH."
		},
	},
	{
		Code: probe.CodeAuthSilentRefusal, Severity: probe.SeverityInfo, Title: "Silence at AUTH can mean refused credentials",
		When: func(f *Facts) bool { return f.Primary == probe.CodeSMTPTimeout && f.Step == probe.StepAuth },
		Detail: func(f *Facts) string {
			return "Some providers do not answer at all, instead of 535, when they refuse a login (to slow down password guessing). Check the credentials before suspecting the network."
		},
	},
	{
		Code: probe.CodeAuthRateLimited, Severity: probe.SeverityWarning, Title: "Too many failed attempts",
		When: func(f *Facts) bool { return f.Step == probe.StepAuth && f.class() == 5 && f.has("too many") },
		Detail: func(f *Facts) string {
			return "The server also says there were too many attempts: after fixing the credentials, wait before retrying, or the block is extended."
		},
	},
	{
		Code: probe.CodeAuthOAuthError, Severity: probe.SeverityInfo, Title: "The server sent an OAuth error",
		When: func(f *Facts) bool { return f.Primary != probe.CodeAuthOAuthTokenInvalid && oauthErrorWords(f) != "" },
		Detail: func(f *Facts) string {
			return "Decoded error challenge: " + oauthErrorWords(f) + "."
		},
	},
	{
		Code: probe.CodeSenderSandbox, Severity: probe.SeverityInfo, Title: "Amazon SES sandbox",
		When: func(f *Facts) bool {
			return f.is("ses") && f.Primary == probe.CodeSenderRejected && f.has("not verified", "identities failed")
		},
		Detail: func(f *Facts) string {
			return "While an SES account is in the sandbox, recipients must be verified too, not just the sender. Request production access to send to anyone."
		},
	},
	{
		Code: probe.CodeProviderRegionMismatch, Severity: probe.SeverityWarning, Title: "Amazon SES region differs from the endpoint",
		When: func(f *Facts) bool {
			m := sesRegion.FindStringSubmatch(f.Text)
			return f.is("ses") && m != nil && !strings.Contains(strings.ToLower(f.R.Settings.Host), "."+m[1]+".")
		},
		Detail: func(f *Facts) string {
			m := sesRegion.FindStringSubmatch(f.Text)
			return "The reply names the region " + m[1] + ", but the probe connected to " + plain(f.R.Settings.Host, 255) + "; identities and SMTP credentials belong to one region."
		},
	},
	{
		Code: probe.CodeNetAddressFailed, Severity: probe.SeverityInfo, Title: "Not every address of the server answered",
		When: func(f *Facts) bool { _, ok := failedAddress(f); return ok },
		Detail: func(f *Facts) string {
			a, _ := failedAddress(f)
			return fmt.Sprintf("%s: %s; the probe went on with %s. Apps that try only the first address may fail here.", plain(a.Address, 60), plain(a.Result, 20), plain(f.R.Network.Used, 60))
		},
	},
	{
		Code: probe.CodeNetPort25Submission, Severity: probe.SeverityInfo, Title: "Port 25 is for server-to-server mail",
		When: func(f *Facts) bool { return f.R.Settings.Port == 25 && f.AuthAttempted },
		Detail: func(f *Facts) string {
			return "Apps should submit mail on port 587 (STARTTLS) or 465 (implicit TLS); port 25 is often blocked by ISPs and clouds and often has no AUTH."
		},
	},
}

// certFinding is the finding for a certificate the probe carried past.
func certFinding(code probe.Code) finding {
	title := "Certificate problem"
	for _, r := range rules {
		if r.Code == code {
			title = r.Title
		}
	}
	return finding{
		Code: code, Severity: probe.SeverityWarning, Title: title,
		When: func(f *Facts) bool {
			t := f.R.TLS
			return t != nil && !t.Verified && t.VerifyCode == code
		},
		Detail: func(f *Facts) string { return plain(f.R.TLS.VerifyError, 500) },
	}
}

func tlsVersion(f *Facts) string {
	if f.R.TLS == nil {
		return ""
	}
	return f.R.TLS.Version
}

// passwordSentInClear reports whether credentials crossed an unencrypted
// connection (CRAM-MD5 never sends the password itself).
func passwordSentInClear(f *Facts) bool {
	a := f.R.Auth
	return a != nil && a.Mechanism != "" && !f.TLSActive && !strings.EqualFold(a.Mechanism, "CRAM-MD5") && credentialsSent(f)
}

// failedAddress is the first resolved address that did not connect while
// another one did.
func failedAddress(f *Facts) (probe.AddressAttempt, bool) {
	n := f.R.Network
	if n == nil {
		return probe.AddressAttempt{}, false
	}
	for _, a := range n.Addresses {
		if a.Result != "connected" && a.Result != "not_tried" && a.Result != "" && n.Used != "" && a.Address != n.Used {
			return a, true
		}
	}
	return probe.AddressAttempt{}, false
}

// sesRegion finds the region SES names in its replies ("in region
// US-WEST-2"), from the lower-cased text.
var sesRegion = regexp.MustCompile(`in region ([a-z]{2}(?:-[a-z]+)+-[0-9])`)

// collectFindings gathers everything worth knowing besides the primary
// diagnosis: first every observation the probe recorded (input hints,
// causes it noted and carried past), then the findings table.
func collectFindings(f *Facts, primary probe.Code) []probe.Finding {
	f.Primary = primary
	var out []probe.Finding
	add := func(code probe.Code, sev probe.Severity, title, detail string) {
		if code == primary || slices.ContainsFunc(out, func(x probe.Finding) bool { return x.Code == code }) {
			return
		}
		out = append(out, probe.Finding{Code: code, Severity: sev, Title: title, Detail: sentence(detail)})
	}
	for _, o := range f.R.Observations {
		code, sev, title, detail := observationFinding(f, o)
		add(code, sev, title, detail)
	}
	for _, fd := range findings {
		if fd.When(f) {
			add(fd.Code, fd.Severity, fd.Title, fd.Detail(f))
		}
	}
	return out
}

// observationFinding turns one observation into a finding: an input hint
// with its explanation, or a cause the probe noted and carried past.
func observationFinding(f *Facts, o probe.Observation) (probe.Code, probe.Severity, string, string) {
	detail := plain(o.Detail, 500)
	if h, ok := hints[o.Code]; ok {
		sev := probe.SeverityWarning
		switch {
		case f.AuthSucceeded:
			// The login worked: the hint did no harm here.
			sev = probe.SeverityInfo
		case o.Code == probe.CodeInputUsernameNotAddress && !(f.HasProvider && f.Provider.UsernameIsAddress):
			sev = probe.SeverityInfo
		}
		return o.Code, sev, h.Title, words(detail, h.Detail)
	}
	title, sev := string(o.Code), probe.SeverityInfo
	if rule := ruleFor(o.Code); rule != nil {
		title = rule.Title
		if rule.Severity != probe.SeverityInfo {
			// A cause the probe noted and carried past is a warning:
			// the conversation went on.
			sev = probe.SeverityWarning
		}
	}
	return o.Code, sev, title, detail
}

// credentialsSent reports whether the conversation got as far as sending
// credentials: AUTH succeeded, or the failure came at AUTH with a reply
// (the server read them) or later.
func credentialsSent(f *Facts) bool {
	if f.AuthSucceeded {
		return true
	}
	switch f.Step {
	case probe.StepAuth:
		return f.Reply != 0 || f.Code == probe.CodeSMTPTimeout
	case probe.StepMail, probe.StepRcpt, probe.StepData, probe.StepQuit:
		return true
	}
	return false
}
