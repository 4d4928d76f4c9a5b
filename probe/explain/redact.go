package explain

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// redactor removes secrets from pasted text as it is read. Two kinds of
// secret are found: those a line gives away by its shape (a URL with a
// password, "password = ...", a bearer token) and those only the SMTP
// conversation reveals (the line after "334 UGFzc3dvcmQ6" is the password).
// What either kind yields is also learnt, so that the same secret, or its
// base64 form, is removed wherever else it appears in the text.
type redactor struct {
	removed map[string]int // what was removed, for the user, by kind
	secrets []string       // learnt secrets and their encoded forms
	user    string         // the username the AUTH exchange revealed
}

func newRedactor() *redactor { return &redactor{removed: map[string]int{}} }

// Kinds of removed secret, as told to the user.
const (
	redactPlain    = "AUTH PLAIN credentials"
	redactLoginID  = "AUTH LOGIN username"
	redactLoginPW  = "AUTH LOGIN password"
	redactSASL     = "SASL responses"
	redactToken    = "OAuth or bearer tokens"
	redactURL      = "passwords in URLs"
	redactSetting  = "password settings"
	redactRepeated = "repeats of a removed secret"
)

// minSecretLen: shorter strings would turn ordinary words into
// [redacted]; a password that short is refused by any server anyway.
const minSecretLen = 4

// learn remembers a secret and the forms it takes on the wire.
func (r *redactor) learn(secret string) {
	secret = strings.TrimSpace(secret)
	if len(secret) < minSecretLen || strings.Contains(secret, "redacted") || strings.Trim(secret, "*xX.") == "" {
		return
	}
	forms := []string{secret,
		base64.StdEncoding.EncodeToString([]byte(secret)),
		base64.RawStdEncoding.EncodeToString([]byte(secret)),
		Escape(secret),
	}
	for _, f := range forms {
		if !slices.Contains(r.secrets, f) {
			r.secrets = append(r.secrets, f)
		}
	}
	// Longest first, so that a secret containing another is replaced whole.
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

var (
	// scheme://user:password@host
	urlCredentials = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^/\s:@'"]+):([^/\s@'"]+)@`)
	// password = x, "password": "x", $mail->Password = 'x', pass: 'x',
	// (given password: x) in Dovecot's verbose log.
	passwordSetting = regexp.MustCompile(`(?i)\b(pass|passwd|password|passwort|secret|api[_-]?key|access[_-]?token|client[_-]?secret|smtp[_-]?pass(?:word)?|mail[_-]?password|auth[_-]?pass(?:word)?)(["']?\s*(?:=>|[:=])\s*)(["']?)([^"'\s,;)}\]]+)`)
	bearerToken     = regexp.MustCompile(`(?i)\b(bearer)(\s+|\s*[:=]\s*)([A-Za-z0-9._~+/=-]{8,})`)
	jwtToken        = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`)
	googleToken     = regexp.MustCompile(`\bya29\.[A-Za-z0-9._-]{20,}`)
)

// free removes the secrets a line gives away by its shape, and every
// learnt secret. It is applied to every line of every direction.
func (r *redactor) free(line string) string {
	if !mayHoldSecret(line) {
		return r.scrub(line)
	}
	if strings.Contains(line, "://") {
		line = urlCredentials.ReplaceAllStringFunc(line, func(m string) string {
			sub := urlCredentials.FindStringSubmatch(m)
			if isPlaceholder(sub[2]) {
				return m
			}
			r.learn(sub[2])
			r.removed[redactURL]++
			return sub[1] + ":[redacted]@"
		})
	}
	line = passwordSetting.ReplaceAllStringFunc(line, func(m string) string {
		sub := passwordSetting.FindStringSubmatch(m)
		if isPlaceholder(sub[4]) {
			return m
		}
		r.learn(sub[4])
		r.removed[redactSetting]++
		return sub[1] + sub[2] + sub[3] + "[redacted]"
	})
	for _, re := range []*regexp.Regexp{bearerToken, jwtToken, googleToken} {
		line = re.ReplaceAllStringFunc(line, func(m string) string {
			if re == bearerToken {
				sub := bearerToken.FindStringSubmatch(m)
				if isPlaceholder(sub[3]) {
					return m
				}
				r.learn(sub[3])
				r.removed[redactToken]++
				return sub[1] + sub[2] + "[redacted]"
			}
			r.learn(m)
			r.removed[redactToken]++
			return "[redacted token]"
		})
	}
	return r.scrub(line)
}

// secretHints are the words without which none of free's patterns can
// match: checking them first keeps a megabyte of log cheap to read.
var secretHints = []string{"://", "pass", "secret", "key", "token", "bearer", "eyj", "ya29."}

func mayHoldSecret(line string) bool {
	l := strings.ToLower(line)
	for _, h := range secretHints {
		if strings.Contains(l, h) {
			return true
		}
	}
	return false
}

// scrub replaces every learnt secret in s. A replacement could complete a
// new occurrence, so it repeats; if that does not settle, the line is
// withheld whole.
func (r *redactor) scrub(s string) string {
	for range 4 {
		found := false
		for _, sec := range r.secrets {
			if strings.Contains(s, sec) {
				found = true
				s = strings.ReplaceAll(s, sec, "[redacted]")
				r.removed[redactRepeated]++
			}
		}
		if !found {
			return s
		}
	}
	return "[line withheld: it kept containing a secret]"
}

// isPlaceholder reports values people paste instead of secrets: stars,
// x's, "(not set)", environment references, already redacted text.
func isPlaceholder(v string) bool {
	v = strings.Trim(v, `"' `)
	if v == "" || strings.Trim(v, "*xX.•") == "" || strings.Contains(v, "redacted") || strings.Contains(v, "hidden") {
		return true
	}
	switch strings.ToLower(v) {
	case "(not", "(not set)", "null", "none", "true", "false", "yes", "no", "on", "off", "<non-null>", "<null>":
		return true
	}
	return strings.HasPrefix(v, "process.env") || strings.HasPrefix(v, "${") || strings.HasPrefix(v, "$") || strings.HasPrefix(v, "%")
}

// saslWait is what the client's next line is, given the last 334.
type saslWait int

const (
	waitNone saslWait = iota
	waitUsername
	waitPassword
	waitPlain // the PLAIN blob, sent after an empty 334
	waitSASL  // any other SASL response
)

// client redacts one line the client sent, given what the server asked
// for last. AUTH's own arguments and every SASL response are secrets (or
// reveal them). The line went through free before; learnt secrets are
// scrubbed again, as one may have been learnt since.
func (r *redactor) client(line string, wait saslWait) string {
	t := strings.TrimSpace(line)
	if t == "" || t == "*" {
		return line
	}
	if hidden(t) {
		return line
	}
	switch wait {
	case waitUsername:
		if u, ok := decode64(t); ok {
			r.user = u
		}
		r.removed[redactLoginID]++
		return "[redacted: username]"
	case waitPassword:
		r.learnEncoded(t)
		r.removed[redactLoginPW]++
		return "[redacted: password]"
	case waitPlain:
		r.plain(t)
		r.removed[redactPlain]++
		return "[redacted: credentials]"
	case waitSASL:
		r.learn(t)
		r.removed[redactSASL]++
		return "[redacted: SASL response]"
	}
	f := strings.Fields(t)
	if len(f) >= 3 && strings.EqualFold(f[0], "AUTH") {
		mech := strings.ToUpper(f[1])
		arg := f[2]
		if arg == "=" || hidden(strings.Join(f[2:], " ")) {
			return line
		}
		switch mech {
		case "PLAIN":
			r.plain(arg)
			r.removed[redactPlain]++
		case "LOGIN":
			if u, ok := decode64(arg); ok {
				r.user = u
			}
			r.removed[redactLoginID]++
		case "XOAUTH2", "OAUTHBEARER":
			r.oauth(arg)
			r.removed[redactToken]++
		default:
			r.learn(arg)
			r.removed[redactSASL]++
		}
		return "AUTH " + mech + " [redacted]"
	}
	return r.scrub(line)
}

// hidden reports a line the client library already masked.
func hidden(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "credentials hidden") || strings.Contains(l, "redacted") || strings.Contains(l, "credentials removed") ||
		strings.Trim(s, "*xX<>") == "" || strings.HasPrefix(l, "<base64")
}

// learnEncoded learns a base64 secret and what it decodes to.
func (r *redactor) learnEncoded(b64 string) {
	r.learn(b64)
	if s, ok := decode64(b64); ok {
		r.learn(s)
	}
}

// plain reads an AUTH PLAIN blob (RFC 4616: authzid NUL authcid NUL
// passwd) for its username, and learns the password.
func (r *redactor) plain(b64 string) {
	r.learn(b64)
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) == 3 {
		if printableText(parts[1]) {
			r.user = parts[1]
		}
		r.learn(parts[2])
	}
}

// oauth reads an XOAUTH2 or OAUTHBEARER initial response (RFC 7628 §3.1)
// for its user, and learns the token.
func (r *redactor) oauth(b64 string) {
	r.learn(b64)
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return
	}
	for _, kv := range strings.FieldsFunc(string(raw), func(c rune) bool { return c == '\x01' || c == ',' }) {
		switch {
		case strings.HasPrefix(kv, "user="):
			r.user = strings.TrimPrefix(kv, "user=")
		case strings.HasPrefix(kv, "a="):
			r.user = strings.TrimPrefix(kv, "a=")
		case strings.HasPrefix(strings.ToLower(kv), "auth=bearer "):
			r.learn(kv[len("auth=bearer "):])
		}
	}
}

// decode64 decodes a base64 line to printable text.
func decode64(s string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(raw) == 0 || !printableText(string(raw)) {
		return "", false
	}
	return string(raw), true
}

// summary says what was removed, for the input.redacted finding.
func (r *redactor) summary() string {
	if len(r.removed) == 0 {
		return ""
	}
	kinds := make([]string, 0, len(r.removed))
	for k := range r.removed {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s (%d)", k, r.removed[k]))
	}
	return strings.Join(parts, ", ")
}
