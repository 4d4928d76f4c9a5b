package diagnosis

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Signs that read a reply by its words rather than by fixed phrases, for
// servers that say the same thing in their own words.

// words splits the reply text into lower-case words (letters and digits).
func (f *Facts) words() []string {
	if f.wordList == nil {
		f.wordList = strings.FieldsFunc(f.Text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	}
	return f.wordList
}

// hasWord reports whether the reply holds any of the words as a whole
// word ("tls" in "SSL/TLS", not in "smtp_auth_tls_x").
func (f *Facts) hasWord(ws ...string) bool {
	for _, w := range f.words() {
		for _, x := range ws {
			if w == x {
				return true
			}
		}
	}
	return false
}

// demandsEncryption reports a reply that asks for encryption without the
// usual phrases: a word for encryption together with a word of demand or
// refusal ("Email sending without SSL/TLS encryption is not allowed",
// "530 SSL required", "Must use a secure connection").
func demandsEncryption(f *Facts) bool {
	enc := f.hasWord("ssl", "tls", "starttls", "encryption", "encrypted", "encrypt", "unencrypted") ||
		f.has("secure connection", "secured connection", "secure channel")
	if !enc || f.has("tls 1.0", "tls 1.1", "tls1.0", "tls1.1") {
		return false
	}
	return f.hasWord("required", "require", "requires", "must", "mandatory", "need", "needed", "needs",
		"only", "without", "disallowed", "allowed", "enable", "use", "first", "unencrypted", "insecure", "plaintext")
}

// weakPassword reports a refusal that names the password's strength
// rather than its correctness ("your password is too simple").
func weakPassword(f *Facts) bool {
	if !f.hasWord("password", "passwords") {
		return false
	}
	return f.has("too simple", "too weak", "too short", "weak password", "password is weak", "password strength",
		"password policy", "password complexity", "not strong", "insecure password", "unsafe password")
}

// waitPattern finds a wait the server names: "try again in 15 minutes",
// "for 1 hour", "after 300 seconds".
var waitPattern = regexp.MustCompile(`(\d{1,5})\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?)\b`)

// waitWords is the wait the server asked for, in words, or "".
func waitWords(f *Facts) string {
	m := waitPattern.FindStringSubmatch(f.Text)
	if m == nil {
		return ""
	}
	unit := m[2]
	switch {
	case strings.HasPrefix(unit, "s"):
		unit = "second"
	case strings.HasPrefix(unit, "m"):
		unit = "minute"
	case strings.HasPrefix(unit, "h"):
		unit = "hour"
	case strings.HasPrefix(unit, "d"):
		unit = "day"
	}
	if m[1] != "1" {
		unit += "s"
	}
	return m[1] + " " + unit
}

// waitSentence says how long the server asks to wait, when it says.
func waitSentence(f *Facts) string {
	if d := waitWords(f); d != "" {
		return " The server asks to wait " + d + "."
	}
	return ""
}

// codeNote cites an RFC's meaning of a reply code only when the server
// sent that code: a summary quotes what happened, not a textbook case.
func codeNote(f *Facts, code int, note string) string {
	if f.Reply != code {
		return ""
	}
	return fmt.Sprintf(" (%s.)", note)
}
