package diagnosis

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// hint describes an input.* observation the probe records about what the
// user typed (never the secret itself, only its shape).
type hint struct {
	Title string
	// Detail explains why it matters; the observation's own detail, if
	// any, comes first.
	Detail string
	// Fix is the remediation step it adds to credential diagnoses.
	Fix func(f *Facts) string
}

var hints = map[probe.Code]hint{
	probe.CodeInputWhitespace: {
		Title:  "Spaces at the start or end of the username or password",
		Detail: "Copied credentials often carry a trailing space or newline, and servers compare them exactly.",
		Fix: func(f *Facts) string {
			return "Remove the spaces or line breaks at the start or end of the username and password (they were probably copied along), then try again."
		},
	},
	probe.CodeInputUsernameNotAddress: {
		Title:  "The username is not a full email address",
		Detail: "Most providers want the full address (name@example.com) as the SMTP username, not just the part before the @.",
		Fix: func(f *Facts) string {
			if f.HasProvider && f.Provider.UsernameIsAddress {
				return "Use the full address as the username: " + f.Provider.Name + " wants " + f.Provider.UsernameHint + ", not just the name before the @."
			}
			if f.HasProvider && f.Provider.UsernameHint != "" {
				return "Check the username: " + f.Provider.Name + " wants " + f.Provider.UsernameHint + "."
			}
			return "Try the full email address as the username (name@example.com); most providers want it."
		},
	},
	probe.CodeInputAppPasswordSpaces: {
		Title:  "The password looks like an app password typed with its spaces",
		Detail: "App passwords are shown in groups of four letters for readability; the spaces are not part of the password.",
		Fix: func(f *Facts) string {
			return "Enter the app password without the spaces between its groups of letters."
		},
	},
	probe.CodeInputPasswordNonASCII: {
		Title:  "The password contains non-ASCII characters",
		Detail: "Accented letters and symbols outside ASCII are encoded differently by different apps and servers (UTF-8 versus Latin-1), so the same password can fail in one app and work in another.",
		Fix: func(f *Facts) string {
			return "If the password contains accented letters or symbols outside ASCII, try a password (or app password) made of plain ASCII letters, digits and punctuation."
		},
	},
}

// hintSteps are the fixes the input hints suggest, most likely first.
func hintSteps(f *Facts) []string {
	var out []string
	for _, code := range []probe.Code{probe.CodeInputWhitespace, probe.CodeInputAppPasswordSpaces, probe.CodeInputUsernameNotAddress, probe.CodeInputPasswordNonASCII} {
		if f.Hints[code] {
			// A username that is not an address is fine for services that
			// want something else (SendGrid's "apikey").
			if code == probe.CodeInputUsernameNotAddress && f.HasProvider && f.Provider.Kind == "service" && !f.Provider.UsernameIsAddress {
				continue
			}
			out = append(out, hints[code].Fix(f))
		}
	}
	return out
}

// sesRegion finds the region SES names in its replies ("in region
// US-WEST-2"), from the lower-cased text.
var sesRegion = regexp.MustCompile(`in region ([a-z]{2}(?:-[a-z]+)+-[0-9])`)

// collectFindings gathers everything worth knowing besides the primary
// diagnosis code: every observation, TLS facts, what AUTH offered, and
// the signs of secondary causes.
func collectFindings(f *Facts, primary probe.Code) []probe.Finding {
	var out []probe.Finding
	add := func(code probe.Code, sev probe.Severity, title, detail string) {
		if code == primary || slices.ContainsFunc(out, func(x probe.Finding) bool { return x.Code == code }) {
			return
		}
		out = append(out, probe.Finding{Code: code, Severity: sev, Title: title, Detail: sentence(detail)})
	}
	r := f.R

	for _, o := range r.Observations {
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
			add(o.Code, sev, h.Title, words(detail, h.Detail))
			continue
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
		add(o.Code, sev, title, detail)
	}

	if t := r.TLS; t != nil {
		if !t.Verified && t.VerifyCode != "" {
			title := "Certificate problem"
			if rule := ruleFor(t.VerifyCode); rule != nil {
				title = rule.Title
			}
			add(t.VerifyCode, probe.SeverityWarning, title, plain(t.VerifyError, 500))
		}
		if v := strings.ToUpper(t.Version); strings.Contains(v, "1.0") || strings.Contains(v, "1.1") || strings.Contains(v, "SSL") {
			add(probe.CodeTLSProtocolTooOld, probe.SeverityWarning, "TLS version too old",
				fmt.Sprintf("The server negotiated %s; TLS 1.0 and 1.1 are deprecated (RFC 8996) and refused by current mail apps.", plain(t.Version, 20)))
		}
	}

	// What AUTH offered across STARTTLS (RFC 4954 §4: servers may offer
	// AUTH only once the connection is protected).
	if len(f.AuthBeforeTLS) == 0 && len(f.AuthAfterTLS) > 0 {
		add(probe.CodeAuthOnlyAfterTLS, probe.SeverityInfo, "AUTH is offered only after STARTTLS",
			"The server lists AUTH "+plain(strings.Join(f.AuthAfterTLS, " "), 200)+" only on the encrypted connection; apps must run STARTTLS and EHLO again before logging in.")
	}
	if primary == probe.CodeAuthRequiresTLS && len(f.AuthBeforeTLS) == 0 && !f.TLSActive {
		add(probe.CodeAuthNotOffered, probe.SeverityInfo, "AUTH is not offered before TLS",
			"On the unencrypted connection the server lists no AUTH mechanism; it will list them after STARTTLS.")
	}

	// A password sent without encryption.
	if r.Auth != nil && r.Auth.Mechanism != "" && !f.TLSActive && !strings.EqualFold(r.Auth.Mechanism, "CRAM-MD5") && credentialsSent(f) {
		add(probe.CodeAuthPlaintext, probe.SeverityWarning, "The password was sent without encryption",
			"AUTH "+plain(strings.ToUpper(r.Auth.Mechanism), 20)+" ran on an unencrypted connection, so anyone on the network path could read the credentials. Use STARTTLS or implicit TLS, and change the password if this path is not trusted.")
	} else if !f.TLSActive && f.StartTLSOffered && r.Settings.Security == probe.SecurityNone {
		add(probe.CodeTLSNotUsed, probe.SeverityInfo, "STARTTLS was offered but not used",
			"The server offers STARTTLS; this test ran unencrypted because security \"none\" was chosen.")
	}

	if !f.AuthAttempted && (r.Failure == nil || f.Step == probe.StepMail || f.Step == probe.StepRcpt || f.Step == probe.StepData) {
		add(probe.CodeAuthNotTested, probe.SeverityInfo, "Authentication was not tested",
			"No username was given, so the probe did not log in; give one to test AUTH.")
	}
	if primary == probe.CodeSMTPTimeout && f.Step == probe.StepAuth {
		add(probe.CodeAuthSilentRefusal, probe.SeverityInfo, "Silence at AUTH can mean refused credentials",
			"Some providers do not answer at all, instead of 535, when they refuse a login (to slow down password guessing). Check the credentials before suspecting the network.")
	}
	if f.Step == probe.StepAuth && f.class() == 5 && f.has("too many") {
		add(probe.CodeAuthRateLimited, probe.SeverityWarning, "Too many failed attempts",
			"The server also says there were too many attempts: after fixing the credentials, wait before retrying, or the block is extended.")
	}
	if primary != probe.CodeAuthOAuthTokenInvalid {
		if e := oauthErrorWords(f); e != "" {
			add(probe.CodeAuthOAuthError, probe.SeverityInfo, "The server sent an OAuth error", "Decoded error challenge: "+e+".")
		}
	}
	if f.is("ses") && primary == probe.CodeSenderRejected && f.has("not verified", "identities failed") {
		add(probe.CodeSenderSandbox, probe.SeverityInfo, "Amazon SES sandbox",
			"While an SES account is in the sandbox, recipients must be verified too, not just the sender. Request production access to send to anyone.")
	}

	if f.is("ses") {
		if m := sesRegion.FindStringSubmatch(f.Text); m != nil && !strings.Contains(strings.ToLower(r.Settings.Host), "."+m[1]+".") {
			add(probe.CodeProviderRegionMismatch, probe.SeverityWarning, "Amazon SES region differs from the endpoint",
				"The reply names the region "+m[1]+", but the probe connected to "+plain(r.Settings.Host, 255)+"; identities and SMTP credentials belong to one region.")
		}
	}

	if n := r.Network; n != nil {
		for _, a := range n.Addresses {
			if a.Result != "connected" && a.Result != "not_tried" && a.Result != "" && n.Used != "" && a.Address != n.Used {
				add(probe.CodeNetAddressFailed, probe.SeverityInfo, "Not every address of the server answered",
					fmt.Sprintf("%s: %s; the probe went on with %s. Apps that try only the first address may fail here.", plain(a.Address, 60), plain(a.Result, 20), plain(n.Used, 60)))
				break
			}
		}
	}
	if r.Settings.Port == 25 && f.AuthAttempted {
		add(probe.CodeNetPort25Submission, probe.SeverityInfo, "Port 25 is for server-to-server mail",
			"Apps should submit mail on port 587 (STARTTLS) or 465 (implicit TLS); port 25 is often blocked by ISPs and clouds and often has no AUTH.")
	}
	return out
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
