package explain

import (
	"strings"
	"unicode/utf8"
)

// MaxInput is the most text Explain reads: a pasted log or transcript is
// far smaller, and the bound keeps one request from holding the server.
const MaxInput = 1 << 20

// maxLineBytes bounds one line: no format has longer lines, and a hostile
// paste of one enormous line must not cost more than a normal one.
const maxLineBytes = 8 << 10

// splitLines cuts text into lines without their line ends, each at most
// maxLineBytes long (cut on a character boundary).
func splitLines(text string) []string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		if len(l) > maxLineBytes {
			j := maxLineBytes
			for j > 0 && !utf8.RuneStart(l[j]) {
				j--
			}
			l = l[:j]
		}
		lines[i] = l
	}
	// A trailing newline is not a line of its own.
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// cutInput keeps the first MaxInput bytes of text, on a line boundary when
// there is one, and reports whether anything was cut.
func cutInput(text string) (string, bool) {
	if len(text) <= MaxInput {
		return text, false
	}
	cut := text[:MaxInput]
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i]
	}
	return cut, true
}
