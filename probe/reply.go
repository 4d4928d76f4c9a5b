package probe

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// reply is one SMTP reply (RFC 5321 §4.2): a code and one or more lines.
type reply struct {
	Code     int
	Lines    []string // text after "NNN-" / "NNN ", escaped
	Enhanced string   // RFC 3463 code from the first line, "5.7.8"
}

// parseLine splits one reply line (without CRLF) into its code, whether it
// is the last line of the reply, and its text. RFC 5321 §4.2.1: the code is
// three digits, the first 2-5; a hyphen after it means more lines follow, a
// space (or nothing) ends the reply. Anything else is not SMTP.
func parseLine(line string) (code int, final bool, text string, ok bool) {
	if len(line) < 3 {
		return 0, false, "", false
	}
	if line[0] < '1' || line[0] > '5' || !isDigit(line[1]) || !isDigit(line[2]) {
		return 0, false, "", false
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if len(line) == 3 {
		return code, true, "", true
	}
	switch line[3] {
	case ' ':
		return code, true, line[4:], true
	case '-':
		return code, false, line[4:], true
	}
	return 0, false, "", false
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// enhancedCode finds an RFC 3463 status code ("5.7.8") at the start of a
// reply line's text; RFC 2034 §4 puts it first on every line.
func enhancedCode(text string) string {
	field, _, _ := strings.Cut(text, " ")
	parts := strings.Split(field, ".")
	if len(parts) != 3 {
		return ""
	}
	if parts[0] != "2" && parts[0] != "4" && parts[0] != "5" {
		return ""
	}
	for _, p := range parts[1:] {
		if len(p) == 0 || len(p) > 3 {
			return ""
		}
		if _, err := strconv.Atoi(p); err != nil || !isDigit(p[0]) {
			return ""
		}
	}
	return field
}

// text joins the reply's lines for an error message.
func (r reply) text() string { return strings.Join(r.Lines, " / ") }

// annotate334 adds the decoded challenge to a 334 line for the transcript:
// SASL challenges are not secrets, and "UGFzc3dvcmQ6" means nothing to a
// person while "Password:" does.
func annotate334(line string) string {
	code, _, text, ok := parseLine(line)
	if !ok || code != 334 || text == "" {
		return line
	}
	dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || !printable(dec) {
		return line
	}
	return line + " (base64 " + strconv.Quote(string(dec)) + ")"
}

func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if !unicode.IsPrint(r) && r != ' ' {
			return false
		}
	}
	return true
}
