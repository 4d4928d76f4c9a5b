package probe

import (
	"fmt"
	"strings"
)

// CheckSecret refuses a password or token that holds a control character.
// The secret goes into the SASL exchange: PLAIN separates its parts with
// NUL (RFC 4616 §2), and a line break or other control character is never
// part of a real password; it is what a careless paste (a trailing newline
// copied from a file or a terminal) leaves behind. The message names the
// character, never the secret.
func CheckSecret(s string) error {
	i := strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
	if i < 0 {
		return nil
	}
	name := map[byte]string{0: "a NUL character", '\t': "a tab", '\n': "a line break (LF)", '\r': "a carriage return (CR)", 0x7f: "a DEL character"}[s[i]]
	if name == "" {
		name = fmt.Sprintf("the control character \\x%02x", s[i])
	}
	return fmt.Errorf("must not contain line breaks or control characters: it holds %s at position %d, probably pasted by mistake (no real password or token has one); remove it and try again", name, i+1)
}
