package probe

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// saslMech is one client SASL mechanism. Every client line it produces
// comes with the text the transcript shows instead: the username may be
// shown, the password or token never, nor any encoding of them.
type saslMech interface {
	name() string
	// start returns the initial response (RFC 4954 §4), nil for none.
	start() (ir []byte, shown string)
	// next answers a server challenge.
	next(challenge []byte) (resp []byte, shown string, err error)
}

var errUnexpectedChallenge = errors.New("unexpected SASL challenge")

func quote(s string) string { return strconv.Quote(s) }

// secretShape names a secret in the transcript without telling anything
// about it: not even its length, which would narrow a guess and travels
// with every shared permalink.
func secretShape(what, _ string) string {
	return what + " withheld"
}

// plainMech is PLAIN (RFC 4616): one message, authzid NUL user NUL password.
type plainMech struct{ user, pass string }

func (m *plainMech) name() string { return "PLAIN" }
func (m *plainMech) start() ([]byte, string) {
	return plainMessage(m.user, m.pass),
		fmt.Sprintf("[redacted: authzid=\"\", user=%s, %s]", quote(m.user), secretShape("password", m.pass))
}
func (m *plainMech) next([]byte) ([]byte, string, error) {
	return nil, "", errUnexpectedChallenge
}

func plainMessage(user, pass string) []byte { return []byte("\x00" + user + "\x00" + pass) }

// loginMech is the non-standard but ubiquitous LOGIN
// (draft-murchison-sasl-login): the username as the initial response, the
// password in answer to "Password:".
type loginMech struct {
	user, pass string
	sentPass   bool
}

func (m *loginMech) name() string { return "LOGIN" }
func (m *loginMech) start() ([]byte, string) {
	return []byte(m.user), fmt.Sprintf("[username %s]", quote(m.user))
}
func (m *loginMech) next(ch []byte) ([]byte, string, error) {
	c := strings.ToLower(string(ch))
	switch {
	case strings.Contains(c, "user"):
		return []byte(m.user), fmt.Sprintf("[username %s]", quote(m.user)), nil
	case strings.Contains(c, "pass") || !m.sentPass:
		m.sentPass = true
		return []byte(m.pass), "[redacted: " + secretShape("password", m.pass) + "]", nil
	}
	return nil, "", errUnexpectedChallenge
}

// cramMD5Mech is CRAM-MD5 (RFC 2195): user, space, hex HMAC-MD5 of the
// challenge keyed with the password. The digest is not the password, but
// it can be attacked offline, so it is redacted too.
type cramMD5Mech struct {
	user, pass string
	done       bool
}

func (m *cramMD5Mech) name() string            { return "CRAM-MD5" }
func (m *cramMD5Mech) start() ([]byte, string) { return nil, "" }
func (m *cramMD5Mech) next(ch []byte) ([]byte, string, error) {
	if m.done {
		return nil, "", errUnexpectedChallenge
	}
	m.done = true
	h := hmac.New(md5.New, []byte(m.pass))
	h.Write(ch)
	return []byte(m.user + " " + hex.EncodeToString(h.Sum(nil))),
		fmt.Sprintf("[redacted: CRAM-MD5 digest for user %s]", quote(m.user)), nil
}

// oauthMech is XOAUTH2 (Google's, documented at
// developers.google.com/gmail/imap/xoauth2-protocol) or OAUTHBEARER
// (RFC 7628). After an error challenge the client must answer so the server
// can send its final reply: an empty line for XOAUTH2, a single 0x01 for
// OAUTHBEARER (RFC 7628 §3.2.3).
type oauthMech struct {
	bearer      bool // OAUTHBEARER rather than XOAUTH2
	user, token string
	errored     bool
}

func (m *oauthMech) name() string {
	if m.bearer {
		return "OAUTHBEARER"
	}
	return "XOAUTH2"
}

func (m *oauthMech) start() ([]byte, string) {
	if m.bearer {
		return oauthBearerMessage(m.user, m.token),
			fmt.Sprintf("[redacted: authzid=%s, %s]", quote(m.user), secretShape("token", m.token))
	}
	return xoauth2Message(m.user, m.token),
		fmt.Sprintf("[redacted: user=%s, %s]", quote(m.user), secretShape("token", m.token))
}

func (m *oauthMech) next([]byte) ([]byte, string, error) {
	if m.errored {
		return nil, "", errUnexpectedChallenge
	}
	m.errored = true
	if m.bearer {
		return []byte{1}, "AQ== (0x01: acknowledges the error challenge, RFC 7628 §3.2.3)", nil
	}
	return []byte{}, "(empty line: acknowledges the error challenge)", nil
}

func xoauth2Message(user, token string) []byte {
	return []byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")
}

// oauthBearerMessage is RFC 7628 §3.1: GS2 header with the authzid, then
// key=value pairs separated by 0x01.
func oauthBearerMessage(user, token string) []byte {
	return []byte("n,a=" + gs2Escape(user) + ",\x01auth=Bearer " + token + "\x01\x01")
}

// gs2Escape escapes ',' and '=' in a GS2 authzid (RFC 5801 §4).
func gs2Escape(s string) string {
	return strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s)
}

// newScrubber knows every form of the secret that could ever reach a wire
// or an error: the secret itself and the base64 messages that carry it.
func newScrubber(user, secret string) *scrubber {
	s := &scrubber{}
	if secret == "" {
		return s
	}
	enc := base64.StdEncoding.EncodeToString
	s.add(secret)
	s.add(enc([]byte(secret)))
	s.add(enc(plainMessage(user, secret)))
	s.add(enc(xoauth2Message(user, secret)))
	s.add(enc(oauthBearerMessage(user, secret)))
	return s
}

// mechFor builds the client for a mechanism name.
func mechFor(name, user, secret string) saslMech {
	switch name {
	case "PLAIN":
		return &plainMech{user: user, pass: secret}
	case "LOGIN":
		return &loginMech{user: user, pass: secret}
	case "CRAM-MD5":
		return &cramMD5Mech{user: user, pass: secret}
	case "XOAUTH2":
		return &oauthMech{user: user, token: secret}
	case "OAUTHBEARER":
		return &oauthMech{bearer: true, user: user, token: secret}
	}
	return nil
}

// chooseMech picks the mechanism. An explicit choice must be advertised:
// trying an unadvertised one costs a round trip and is refused by almost
// every server. Auto picks among the password mechanisms only (a token
// goes with XOAUTH2/OAUTHBEARER, which the user must ask for): over TLS
// PLAIN first (one message, the server compares against whatever password
// store it has; the channel is encrypted), then LOGIN, then CRAM-MD5; in
// plaintext CRAM-MD5 first, so the password does not cross the wire in the
// clear when the server allows otherwise.
func chooseMech(want Mechanism, offered []string, overTLS bool) (string, error) {
	has := func(m string) bool {
		for _, o := range offered {
			if o == m {
				return true
			}
		}
		return false
	}
	if want != "" && want != MechAuto {
		name := strings.ToUpper(string(want))
		if mechFor(name, "", "") == nil {
			return "", fmt.Errorf("unknown mechanism %q", want)
		}
		if !has(name) {
			return "", fmt.Errorf("the server does not offer %s (it offers %s)", name, strings.Join(offered, " "))
		}
		return name, nil
	}
	order := []string{"PLAIN", "LOGIN", "CRAM-MD5"}
	if !overTLS {
		order = []string{"CRAM-MD5", "PLAIN", "LOGIN"}
	}
	for _, m := range order {
		if has(m) {
			return m, nil
		}
	}
	return "", fmt.Errorf("no mechanism in common: the server offers %s; a password works with PLAIN, LOGIN or CRAM-MD5 (XOAUTH2 and OAUTHBEARER take an access token: choose them explicitly)", strings.Join(offered, " "))
}
