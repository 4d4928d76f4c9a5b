package diagnosis

import (
	"unicode"
	"unicode/utf8"
)

// capitalize starts a sentence made from a probe's lower-case note.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
