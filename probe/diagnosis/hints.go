package diagnosis

import (
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

// tokenHints are the observations the probe makes by reading an OAuth
// token locally (probe/oauthtoken.go); their details name what the token
// says, never the token.
var tokenHints = map[probe.Code]hint{
	probe.CodeOAuthTokenExpired: {
		Title:  "The OAuth token has expired",
		Detail: "An expired token is refused whatever else is right.",
		Fix: func(f *Facts) string {
			return "Get a fresh access token (the app refreshes it with its refresh token; access tokens last about an hour) and use it right away."
		},
	},
	probe.CodeOAuthWrongAudience: {
		Title:  "The OAuth token is for another service",
		Detail: "A token is valid only for the audience it was issued for; SMTP servers refuse tokens meant for other APIs.",
		Fix: func(f *Facts) string {
			return "Request the token for the mail server's own audience: https://outlook.office.com/SMTP.Send for Microsoft 365 (not Microsoft Graph), https://mail.google.com/ for Gmail."
		},
	},
	probe.CodeOAuthMissingScope: {
		Title:  "The OAuth token lacks the permission to send mail",
		Detail: "The token was issued without the permission SMTP checks.",
		Fix: func(f *Facts) string {
			return "Add the SMTP permission to the app registration and request it: SMTP.Send (delegated) or SMTP.SendAsApp (app-only, with the service principal registered in Exchange Online); then get a new token."
		},
	},
	probe.CodeOAuthUserMismatch: {
		Title:  "The OAuth token belongs to another user",
		Detail: "XOAUTH2 and OAUTHBEARER name a user, and the server checks it against the token.",
		Fix: func(f *Facts) string {
			return "Use the token's own account as the SMTP username, or get a token signed in as " + mailbox(f) + "."
		},
	},
	probe.CodeOAuthOpaqueToken: {
		Title:  "The OAuth token cannot be read locally",
		Detail: "Opaque tokens carry no readable claims; only the provider can say whether they are valid.",
		Fix: func(f *Facts) string {
			return "Check the token with the provider (for Google: https://oauth2.googleapis.com/tokeninfo?access_token=TOKEN from your own machine): scope https://mail.google.com/, the right account, not expired."
		},
	},
	probe.CodeOAuthRefreshToken: {
		Title:  "A refresh token was given where an access token belongs",
		Detail: "Refresh tokens are long-lived and only buy access tokens; servers accept only access tokens.",
		Fix: func(f *Facts) string {
			return "Exchange the refresh token for an access token (POST to the provider's token endpoint, grant_type=refresh_token) and use the access token."
		},
	},
	probe.CodeOAuthTokenAsPassword: {
		Title:  "An OAuth token was sent as a password",
		Detail: "Servers read the password field of AUTH PLAIN or LOGIN as a password; a token there is always wrong.",
		Fix: func(f *Facts) string {
			return "Send the token with AUTH XOAUTH2 (or OAUTHBEARER): choose OAuth 2.0 in the app, or --mech xoauth2 in smtpdoctor."
		},
	},
}

func init() {
	for c, h := range tokenHints {
		hints[c] = h
	}
}

// hintOrder is the order hint fixes are listed in, most likely first.
var hintOrder = []probe.Code{
	probe.CodeOAuthRefreshToken, probe.CodeOAuthTokenAsPassword, probe.CodeOAuthTokenExpired,
	probe.CodeOAuthWrongAudience, probe.CodeOAuthMissingScope, probe.CodeOAuthUserMismatch, probe.CodeOAuthOpaqueToken,
	probe.CodeInputWhitespace, probe.CodeInputAppPasswordSpaces, probe.CodeInputUsernameNotAddress, probe.CodeInputPasswordNonASCII,
}

// tokenWords is what reading the token found, for a summary.
func tokenWords(f *Facts) string {
	var out []string
	for _, o := range f.R.Observations {
		if _, ok := tokenHints[o.Code]; ok {
			out = append(out, sentence(plain(o.Detail, 400)))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return " Reading the token locally: " + strings.Join(out, " ")
}

// hintSteps are the fixes the input hints suggest, most likely first.
func hintSteps(f *Facts) []string {
	var out []string
	for _, code := range hintOrder {
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
