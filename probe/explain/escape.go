package explain

import (
	"unicode"
	"unicode/utf8"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Escape makes pasted text safe to keep and show, the same way the probe
// treats a server's reply: control characters, invalid UTF-8 and
// bidirectional overrides become visible escapes.
func Escape(s string) string { return probe.Escape(s) }

// printableText reports whether s is valid UTF-8 made of printable
// characters, as a decoded username must be before it is shown.
func printableText(s string) bool {
	if !utf8.ValidString(s) || s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return false
		}
	}
	return true
}
