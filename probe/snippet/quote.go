package snippet

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Values from the form (user, addresses, paths) end up inside source code
// that people paste and run, so each language quotes them its own way:
// a quote in a username must not end the string literal.

// jsString is a double-quoted literal that JavaScript, Python, Java, C# and
// JSON all read the same way.
func jsString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// pyString is a Python literal (JSON's escapes are Python's).
func pyString(s string) string { return jsString(s) }

// goString is a Go interpreted string literal.
func goString(s string) string { return strconv.Quote(s) }

// singleQuoted is a single-quoted literal in PHP and Ruby, where only the
// backslash and the quote are special and nothing is interpolated.
func singleQuoted(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `'`, `\'`)
	return "'" + s + "'"
}

// shQuote is a POSIX shell word that stays one word whatever it holds.
func shQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./-_", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// dqConfig is a double-quoted value for msmtp's configuration file and
// dotenv files, where backslash and double quote are escaped.
func dqConfig(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + s + `"`
}

// propValue escapes a Java .properties value.
func propValue(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	if strings.HasPrefix(s, " ") {
		s = `\` + s
	}
	return s
}

// port as text.
func port(p int) string { return strconv.Itoa(p) }
