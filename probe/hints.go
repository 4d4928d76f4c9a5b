package probe

import (
	"regexp"
	"strings"
	"unicode"
)

// appPasswordSpaced is how Google shows an app password: four groups of
// four lower-case letters separated by spaces. Google accepts it without
// the spaces; some clients and servers do not accept it with them.
var appPasswordSpaced = regexp.MustCompile(`^[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}$`)

// inputHints looks at the credentials while they are in memory and keeps
// only the hints, never the values: the most common "wrong password" is a
// right password typed wrongly.
func (p *prober) inputHints() {
	user, pass := p.s.User, p.secret.Password
	if user == "" {
		return
	}
	p.tokenHints()
	if user != strings.TrimSpace(user) {
		p.observation(CodeInputWhitespace, "the username has spaces or other whitespace at its start or end")
	}
	if pass != strings.TrimSpace(pass) {
		p.observation(CodeInputWhitespace, "the password has spaces or other whitespace at its start or end")
	}
	if !strings.Contains(user, "@") {
		p.observation(CodeInputUsernameNotAddress, "the username is not an email address; most providers want the full address (name@domain)")
	}
	if appPasswordSpaced.MatchString(pass) {
		p.observation(CodeInputAppPasswordSpaces, "the password looks like a Google app password written with spaces (4 groups of 4 letters); enter it without the spaces")
	}
	for _, r := range pass {
		if r > unicode.MaxASCII {
			p.observation(CodeInputPasswordNonASCII, "the password has characters outside ASCII; servers disagree on how to encode them, so a right password can be refused")
			break
		}
	}
}
