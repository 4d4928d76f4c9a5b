package probe

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// An OAuth access token is read before it is sent, here and nowhere else:
// the probe is the only part that holds the secret. A JWT (RFC 7519) says
// who it is for (aud), what it allows (scp, roles), until when (exp) and
// for whom (upn, preferred_username, unique_name, email); decoding it is
// local base64url and JSON, never a network call, and the signature is
// not checked (the server does that). Only what was derived is kept, as
// observations: the expiry time, the audience's kind, the scope names
// that matter for SMTP, and the user the token names. Nothing that
// identifies the token itself (jti, oid, uti, the tenant or app ids, the
// signature) leaves this file.

// tokenClaims are the JWT claims the checks read.
type tokenClaims struct {
	Aud   []string
	Iss   string
	Scp   []string
	Roles []string
	Exp   time.Time
	Nbf   time.Time
	Users []string // upn, preferred_username, unique_name, email
}

// Audiences Exchange Online accepts for SMTP AUTH, by URL and by the
// resource's application id.
var exchangeAudiences = []string{
	"https://outlook.office.com", "https://outlook.office365.com", "00000002-0000-0ff1-ce00-000000000000",
	"https://outlook.office.com/", "https://outlook.office365.com/",
}

// Microsoft Graph, a common wrong audience for SMTP.
var graphAudiences = []string{"https://graph.microsoft.com", "https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000"}

// readJWT decodes a JWT's payload without verifying it. ok is false for
// anything that is not three base64url parts with a JSON header naming an
// algorithm and a JSON object as payload.
func readJWT(s string) (tokenClaims, bool) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 3 {
		return tokenClaims{}, false
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[0], "=")); err != nil || json.Unmarshal(b, &header) != nil || header.Alg == "" {
		return tokenClaims{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return tokenClaims{}, false
	}
	var raw map[string]any
	if json.Unmarshal(b, &raw) != nil {
		return tokenClaims{}, false
	}
	c := tokenClaims{Aud: stringList(raw["aud"]), Roles: stringList(raw["roles"])}
	c.Iss, _ = raw["iss"].(string)
	if scp, ok := raw["scp"].(string); ok {
		c.Scp = strings.Fields(scp)
	} else if scope, ok := raw["scope"].(string); ok {
		c.Scp = strings.Fields(scope)
	}
	c.Exp = unixClaim(raw["exp"])
	c.Nbf = unixClaim(raw["nbf"])
	for _, k := range []string{"upn", "preferred_username", "unique_name", "email"} {
		if v, ok := raw[k].(string); ok && v != "" && !slices.Contains(c.Users, v) {
			c.Users = append(c.Users, v)
		}
	}
	return c, true
}

func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func unixClaim(v any) time.Time {
	if f, ok := v.(float64); ok && f > 0 {
		return time.Unix(int64(f), 0).UTC()
	}
	return time.Time{}
}

// tokenHints reads the secret when it is (or looks like) an OAuth token
// and records what is wrong with it for SMTP.
func (p *prober) tokenHints() {
	secret := strings.TrimSpace(p.secret.Password)
	oauth := p.s.Mech == MechXOAUTH2 || p.s.Mech == MechOAUTHBEARER
	if secret == "" {
		return
	}
	claims, isJWT := readJWT(secret)
	switch {
	case strings.HasPrefix(secret, "1//"):
		// Google's refresh tokens start "1//"; access tokens "ya29.".
		p.observation(CodeOAuthRefreshToken, "the token starts with \"1//\", the form of a Google refresh token; SMTP wants the short-lived access token (\"ya29.…\") the app gets by exchanging the refresh token at https://oauth2.googleapis.com/token")
		return
	case !isJWT && oauth && strings.HasPrefix(secret, "ya29."):
		p.observation(CodeOAuthOpaqueToken, "the token is a Google access token (\"ya29.…\"), which is opaque: its expiry, scope and account cannot be read locally. Check it at https://oauth2.googleapis.com/tokeninfo?access_token=TOKEN (from your own machine): scope must include https://mail.google.com/, email must be the SMTP username, and expires_in must be above 0")
		return
	case !isJWT && oauth:
		p.observation(CodeOAuthOpaqueToken, "the token is not a JWT, so its expiry, audience and scopes cannot be read locally; ask the provider's token introspection or tokeninfo endpoint, or look at the token response the app received (expires_in, scope)")
		return
	case !isJWT:
		return
	}
	if !oauth {
		how := "a password mechanism (PLAIN or LOGIN)"
		if p.s.Mech != MechAuto && p.s.Mech != "" {
			how = "AUTH " + strings.ToUpper(string(p.s.Mech))
		}
		p.observation(CodeOAuthTokenAsPassword, "the password is an OAuth access token (a JWT), but "+how+" sends it as a password; tokens go with AUTH XOAUTH2 or OAUTHBEARER (smtpdoctor: --mech xoauth2)")
	}
	now := p.start
	if !claims.Exp.IsZero() && now.After(claims.Exp) {
		p.observation(CodeOAuthTokenExpired, fmt.Sprintf("the token expired at %s, %s before this test; access tokens last about an hour, and the app must get a new one with its refresh token",
			claims.Exp.Format(time.RFC3339), roughDuration(now.Sub(claims.Exp))))
	}
	if !claims.Nbf.IsZero() && now.Before(claims.Nbf.Add(-5*time.Minute)) {
		p.observation(CodeOAuthTokenExpired, fmt.Sprintf("the token is not valid until %s, %s after this test; check the clock of the machine that issued or uses it",
			claims.Nbf.Format(time.RFC3339), roughDuration(claims.Nbf.Sub(now))))
	}
	switch {
	case anyIn(claims.Aud, graphAudiences):
		p.observation(CodeOAuthWrongAudience, "the token is for Microsoft Graph (aud https://graph.microsoft.com), which SMTP refuses; request it for Exchange Online instead: scope https://outlook.office.com/SMTP.Send (delegated) or https://outlook.office365.com/.default (app-only)")
		return
	case anyIn(claims.Aud, exchangeAudiences):
		p.exchangeTokenHints(claims)
	case strings.Contains(claims.Iss, "accounts.google.com"):
		p.observation(CodeOAuthWrongAudience, "the token is a Google ID token (a JWT issued by accounts.google.com for the app itself), not an access token; Gmail SMTP wants the access token (\"ya29.…\") from the same token response, with the scope https://mail.google.com/")
		return
	case microsoftIssuer(claims.Iss):
		p.observation(CodeOAuthWrongAudience, fmt.Sprintf("the token is for %s, not for Exchange Online; SMTP wants a token for https://outlook.office.com (scope https://outlook.office.com/SMTP.Send)", audienceKind(claims.Aud)))
		return
	}
	if len(claims.Users) > 0 && p.s.User != "" && !slices.ContainsFunc(claims.Users, func(u string) bool { return strings.EqualFold(u, strings.TrimSpace(p.s.User)) }) {
		p.observation(CodeOAuthUserMismatch, fmt.Sprintf("the token was issued to %s, but the SMTP username is %s; the XOAUTH2 user= must be the token's own mailbox (or one it may send as)",
			claims.Users[0], strings.TrimSpace(p.s.User)))
	}
}

// exchangeTokenHints checks an Exchange Online token's permissions: a
// delegated token (scp) needs SMTP.Send; an app-only token (roles, no scp)
// needs SMTP.SendAsApp, and its service principal must be registered in
// Exchange Online and given the mailbox.
func (p *prober) exchangeTokenHints(c tokenClaims) {
	switch {
	case len(c.Scp) > 0:
		if !slices.ContainsFunc(c.Scp, func(s string) bool {
			return strings.EqualFold(s, "SMTP.Send") || strings.EqualFold(s, "https://outlook.office.com/SMTP.Send")
		}) {
			p.observation(CodeOAuthMissingScope, fmt.Sprintf("the token's delegated scopes are %s, without SMTP.Send; request https://outlook.office.com/SMTP.Send, and grant that API permission (Office 365 Exchange Online → SMTP.Send) to the app registration",
				strings.Join(c.Scp, " ")))
		}
	case len(c.Roles) > 0:
		if !slices.ContainsFunc(c.Roles, func(s string) bool { return strings.EqualFold(s, "SMTP.SendAsApp") }) {
			p.observation(CodeOAuthMissingScope, fmt.Sprintf("the token is an application (app-only) token with the roles %s, without SMTP.SendAsApp; app-only SMTP needs the Office 365 Exchange Online application permission SMTP.SendAsApp with admin consent, the app's service principal registered in Exchange Online (New-ServicePrincipal) and access to the mailbox (Add-MailboxPermission)",
				strings.Join(c.Roles, " ")))
		}
	default:
		p.observation(CodeOAuthMissingScope, "the token carries neither delegated scopes (scp) nor application roles; SMTP wants SMTP.Send (delegated) or SMTP.SendAsApp (app-only)")
	}
}

func microsoftIssuer(iss string) bool {
	return strings.Contains(iss, "login.microsoftonline.com") || strings.Contains(iss, "sts.windows.net")
}

// audienceKind names an audience without repeating ids that identify an
// application.
func audienceKind(aud []string) string {
	for _, a := range aud {
		if strings.HasPrefix(a, "https://") {
			return a
		}
	}
	return "another application (its own client id)"
}

func anyIn(have, want []string) bool {
	for _, h := range have {
		if slices.Contains(want, strings.ToLower(h)) || slices.Contains(want, h) {
			return true
		}
	}
	return false
}

// roughDuration says how long in the largest sensible unit: "3 hours 5
// minutes", "2 days".
func roughDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d seconds", int(d.Seconds()))
	case d < time.Hour:
		return plural(int(d.Minutes()), "minute")
	case d < 48*time.Hour:
		h := int(d.Hours())
		m := int(d.Minutes()) - 60*h
		if m == 0 {
			return plural(h, "hour")
		}
		return plural(h, "hour") + " " + plural(m, "minute")
	}
	return plural(int(d.Hours()/24), "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
