package diagnosis

import "github.com/smtpdoctor/smtpdoctor/probe"

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
