package probe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape makes untrusted text (server replies, certificate fields, error
// strings) safe to store and to show in a page, a log or a terminal:
// bytes that are not UTF-8 become \xNN; control characters (C0 but tab,
// DEL, C1, which includes the one-byte CSI), and the invisible format
// characters that reorder or hide text (bidi overrides and isolates,
// zero-width spaces and joiners, the byte-order mark, line and paragraph
// separators) become \xNN or \uNNNN. A server then cannot move a
// terminal's cursor, retitle its window, or make "535 denied" read as
// something else.
func Escape(s string) string {
	if !strings.ContainsFunc(s, hidden) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case hidden(r) && r < utf8.RuneSelf:
			fmt.Fprintf(&b, `\x%02x`, r)
		case hidden(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// hidden reports a rune Escape spells out. utf8.RuneError here is an
// invalid byte (a literal U+FFFD is spelled out too: it cannot be told
// apart from one when shown).
func hidden(r rune) bool {
	switch {
	case r == '\t':
		return false
	case r == utf8.RuneError, unicode.IsControl(r):
		return true
	}
	// Cf holds the bidi controls (U+200E/F, U+202A-E, U+2066-9, U+061C),
	// the zero-width characters (U+200B-D, U+2060, U+FEFF) and the tag
	// characters; Zl and Zp are U+2028 and U+2029.
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}
