package explain

import (
	"strconv"
	"strings"
)

// replyLine splits one SMTP reply line into its code, whether it ends the
// reply and its text (RFC 5321 §4.2.1: three digits, the first 2-5, then
// a hyphen for "more lines follow" or a space or nothing for the last).
func replyLine(line string) (code int, final bool, text string, ok bool) {
	if len(line) < 3 || line[0] < '2' || line[0] > '5' || !digit(line[1]) || !digit(line[2]) {
		return 0, false, "", false
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if len(line) == 3 {
		return code, true, "", true
	}
	switch line[3] {
	case ' ', '\t':
		return code, true, line[4:], true
	case '-':
		return code, false, line[4:], true
	}
	return 0, false, "", false
}

func digit(b byte) bool { return b >= '0' && b <= '9' }

// enhanced finds an RFC 3463 status code ("5.7.8") at the start of text.
func enhanced(text string) string {
	field, _, _ := strings.Cut(strings.TrimSpace(text), " ")
	field = strings.TrimRight(field, ",.;:")
	parts := strings.Split(field, ".")
	if len(parts) != 3 || (parts[0] != "2" && parts[0] != "4" && parts[0] != "5") {
		return ""
	}
	for _, p := range parts[1:] {
		if p == "" || len(p) > 3 {
			return ""
		}
		if _, err := strconv.Atoi(p); err != nil {
			return ""
		}
	}
	return field
}

// splitGlued separates reply lines that a client's log glued together
// ("250-SIZE 35882577250-8BITMIME", "Learn more at535 5.7.8 https://...")
// back into lines: PHPMailer and others print a multi-line reply with its
// line ends removed.
func splitGlued(code int, text string) []string {
	c := strconv.Itoa(code)
	var out []string
	rest := text
	for {
		i := nextGlue(rest, c)
		if i < 0 {
			out = append(out, rest)
			return out
		}
		out = append(out, rest[:i])
		rest = rest[i+4:]
	}
}

// nextGlue is where in s the next glued reply line ("250-" or "535 5.")
// starts, or -1.
func nextGlue(s, code string) int {
	for from := 1; from < len(s); {
		i := strings.Index(s[from:], code)
		if i < 0 {
			return -1
		}
		i += from
		if j := i + 3; j < len(s) {
			switch {
			case s[j] == '-' && j+1 < len(s):
				return i
			case s[j] == ' ' && enhanced(s[j+1:]) != "":
				return i
			}
		}
		from = i + 1
	}
	return -1
}
