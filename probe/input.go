package probe

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// One reading of what a person types, whichever door it comes through: the
// dashboard's form, its JSON API and the command line all fill an Input and
// call ParseSettings, so the same text means the same settings everywhere
// (the same aliases, the same refusals with the same words, the same
// default ports). Everything is checked before anything connects.
//
// Every field is refused if it holds a control character (CR, LF and NUL
// among them, and the password too): CR LF in anything that reaches the
// wire is SMTP command injection, NUL separates the parts of an AUTH PLAIN
// message (RFC 4616 §2), and no real password or token holds a control
// character.

// Length bounds. Host names are at most 253 octets (RFC 1035 §2.3.4); a
// path (address) at most 256 octets including the brackets (RFC 5321
// §4.5.3.1.3), so 254 without them.
const (
	MaxUserLength     = 256
	MaxPasswordLength = 4096
	MaxAddressLength  = 254
	MaxHELOLength     = 253
)

// Input is a probe request as typed, before it is read: every field a
// string, as a form or a flag holds it.
type Input struct {
	Host     string // HOST or HOST:PORT
	Port     string // wins over a port in Host; empty: the security mode's default
	Security string
	User     string
	Password string // or OAuth access token
	Mech     string
	From     string
	To       string
	HELO     string
	Send     bool
}

// FieldErrors maps a field of Input ("host", "port", "security", "user",
// "password", "mech", "from", "to", "helo") to what is wrong with it, in
// words for the person who typed it.
type FieldErrors map[string]string

// Error lists every field's problem, in field-name order.
func (fe FieldErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", k, fe[k])
	}
	return b.String()
}

// DefaultPort is the port a security mode implies when none is given:
// 465 for implicit TLS (RFC 8314 §3.3), 25 for plaintext (a relay, RFC
// 5321), and 587 (submission, RFC 6409) for STARTTLS and auto.
func DefaultPort(s Security) int {
	switch s {
	case SecurityTLS:
		return 465
	case SecurityNone:
		return 25
	}
	return 587
}

// ParseSecurity reads a security mode, with the names people use for
// each: "ssl", "ssl/tls", "smtps" and "implicit" are implicit TLS; "plain"
// and "plaintext" are none; "start_tls" and "start-tls" are starttls.
// Empty is auto.
func ParseSecurity(s string) (Security, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return SecurityAuto, nil
	case "starttls", "start_tls", "start-tls":
		return SecurityStartTLS, nil
	case "tls", "ssl", "ssl/tls", "implicit", "smtps":
		return SecurityTLS, nil
	case "none", "plain", "plaintext":
		return SecurityNone, nil
	}
	return "", errors.New("choose auto, starttls, tls (SSL/TLS) or none")
}

// ParseMechanism reads a SASL mechanism name, in any case; empty is auto.
func ParseMechanism(s string) (Mechanism, error) {
	switch m := Mechanism(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return MechAuto, nil
	case MechAuto, MechPlain, MechLogin, MechCRAMMD5, MechXOAUTH2, MechOAUTHBEARER:
		return m, nil
	}
	return "", errors.New("choose auto, plain, login, cram-md5, xoauth2 or oauthbearer")
}

// errControl is the one refusal of control characters, for every field.
var errControl = errors.New("must not contain line breaks or control characters")

// ParseSettings turns typed input into Settings and the Secret, or says per
// field what is wrong (and then returns zero Settings and Secret).
func ParseSettings(in Input) (Settings, Secret, FieldErrors) {
	fe := FieldErrors{}
	var s Settings
	var err error

	host, portInHost, err := ParseHost(in.Host)
	if err != nil {
		fe["host"] = err.Error()
	}
	s.Host = host

	if s.Security, err = ParseSecurity(in.Security); err != nil {
		fe["security"] = err.Error()
	}
	if s.Mech, err = ParseMechanism(in.Mech); err != nil {
		fe["mech"] = err.Error()
	}

	portText := strings.TrimSpace(in.Port)
	if portText == "" {
		portText = portInHost
	}
	switch {
	case HasControl(in.Port):
		fe["port"] = errControl.Error()
	case portText == "":
		s.Port = DefaultPort(s.Security)
	default:
		p, err := strconv.Atoi(portText)
		if err != nil || p < 1 || p > 65535 {
			fe["port"] = "enter a port number from 1 to 65535 (587 for submission, 465 for implicit TLS)"
		} else {
			s.Port = p
		}
	}

	// The user name is kept as typed (stray spaces are a finding the
	// diagnosis reports, not something to fix silently).
	switch {
	case HasControl(in.User):
		fe["user"] = errControl.Error()
	case len(in.User) > MaxUserLength:
		fe["user"] = fmt.Sprintf("is longer than %d characters", MaxUserLength)
	case !utf8.ValidString(in.User):
		fe["user"] = "is not valid UTF-8"
	default:
		s.User = in.User
	}

	switch {
	case CheckSecret(in.Password) != nil:
		// Which character and where: a password is typed blind.
		fe["password"] = CheckSecret(in.Password).Error()
	case len(in.Password) > MaxPasswordLength:
		fe["password"] = fmt.Sprintf("is longer than %d characters", MaxPasswordLength)
	case in.Password != "" && s.User == "" && fe["user"] == "":
		fe["user"] = "enter the user name that goes with the password"
	}

	if s.From, err = ParseAddress(in.From); err != nil {
		fe["from"] = err.Error()
	}
	if s.To, err = ParseAddress(in.To); err != nil {
		fe["to"] = err.Error()
	}
	if s.HELO, err = ParseHELO(in.HELO); err != nil {
		fe["helo"] = err.Error()
	}
	s.Send = in.Send
	if s.Send && s.To == "" && fe["to"] == "" {
		fe["to"] = "to send a test message, enter a recipient"
	}

	if len(fe) > 0 {
		return Settings{}, Secret{}, fe
	}
	return s, Secret{Password: in.Password}, nil
}

// HasControl reports C0 controls (CR, LF, NUL among them) and DEL.
func HasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// ParseAddress checks a MAIL FROM / RCPT TO address: local@domain, angle
// brackets optional, the domain converted to ASCII (punycode, RFC 5891) so
// it goes on the wire as a server without SMTPUTF8 reads it. Empty is
// allowed (the step is skipped).
func ParseAddress(a string) (string, error) {
	if HasControl(a) {
		return "", errControl
	}
	a = strings.TrimSpace(a)
	if strings.HasPrefix(a, "<") && strings.HasSuffix(a, ">") {
		a = a[1 : len(a)-1]
	}
	if a == "" {
		return "", nil
	}
	if len(a) > MaxAddressLength {
		return "", fmt.Errorf("is longer than %d characters", MaxAddressLength)
	}
	at := strings.LastIndexByte(a, '@')
	if at <= 0 || at == len(a)-1 || strings.ContainsAny(a, " <>") || !utf8.ValidString(a) {
		return "", errors.New("enter an address like name@example.com")
	}
	domain, err := idna.Lookup.ToASCII(a[at+1:])
	if err != nil {
		if _, perr := netip.ParseAddr(strings.Trim(a[at+1:], "[]")); perr != nil {
			return "", fmt.Errorf("the domain is not valid: %v", err)
		}
		domain = a[at+1:]
	}
	a = a[:at+1] + domain
	if len(a) > MaxAddressLength {
		return "", fmt.Errorf("is longer than %d characters", MaxAddressLength)
	}
	return a, nil
}

// ParseHELO checks the EHLO name: a domain (to ASCII) or an address
// literal (RFC 5321 §4.1.1.1). Empty lets the probe choose.
func ParseHELO(h string) (string, error) {
	if HasControl(h) {
		return "", errControl
	}
	h = strings.TrimSpace(h)
	if h == "" {
		return "", nil
	}
	if len(h) > MaxHELOLength {
		return "", fmt.Errorf("is longer than %d characters", MaxHELOLength)
	}
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		lit := strings.TrimPrefix(h[1:len(h)-1], "IPv6:")
		if _, err := netip.ParseAddr(lit); err != nil {
			return "", errors.New("an address literal looks like [192.0.2.1] or [IPv6:2001:db8::1]")
		}
		return h, nil
	}
	ascii, err := idna.Lookup.ToASCII(h)
	if err != nil || strings.ContainsAny(ascii, " []") {
		return "", errors.New("enter a domain name such as mail.example.com")
	}
	return ascii, nil
}
