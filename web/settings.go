package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/policy"
)

// Input validation shared by the HTML form and the JSON API (issue 6).
// Every field that reaches the wire is refused if it holds CR, LF, NUL or
// another control character — that is how SMTP command injection starts —
// and every field has a length bound, all before anything connects.

// Length bounds. Host names are at most 253 octets (RFC 1035 §2.3.4); a
// path (address) at most 256 octets including the brackets (RFC 5321
// §4.5.3.1.3), so 254 without them.
const (
	maxHost     = probe.MaxHostLength
	maxUser     = 256
	maxPassword = 4096
	maxAddress  = 254
	maxHELO     = 253
)

// probeInput is a probe request as typed, before validation. The form and
// the API both fill one.
type probeInput struct {
	Host     string `json:"host"`
	Port     string `json:"-"`
	Security string `json:"security"`
	User     string `json:"user"`
	Password string `json:"-"`
	Mech     string `json:"mech"`
	From     string `json:"from"`
	To       string `json:"to"`
	HELO     string `json:"helo"`
	Send     bool   `json:"send"`
}

// fieldErrors maps a field name to what is wrong with it, in words for the
// person who typed it.
type fieldErrors map[string]string

func (fe fieldErrors) Error() string {
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

// formInput reads the form fields.
func formInput(v url.Values) probeInput {
	return probeInput{
		Host:     v.Get("host"),
		Port:     v.Get("port"),
		Security: v.Get("security"),
		User:     v.Get("user"),
		Password: v.Get("password"),
		Mech:     v.Get("mech"),
		From:     v.Get("from"),
		To:       v.Get("to"),
		HELO:     v.Get("helo"),
		Send:     v.Get("send") != "",
	}
}

// apiRequest is the JSON body of POST /api/v1/probes: the settings plus the
// password. The port may be a number or a string holding one.
type apiRequest struct {
	Host     string      `json:"host"`
	Port     json.Number `json:"port"`
	Security string      `json:"security"`
	User     string      `json:"user"`
	Password string      `json:"password"`
	Mech     string      `json:"mech"`
	From     string      `json:"from"`
	To       string      `json:"to"`
	HELO     string      `json:"helo"`
	Send     bool        `json:"send"`
}

// decodeAPIInput reads the API body. Unknown fields are refused so that a
// typo ("pass") is an error, not a silent probe without a password.
func decodeAPIInput(r io.Reader) (probeInput, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var req apiRequest
	if err := dec.Decode(&req); err != nil {
		return probeInput{}, fmt.Errorf("read the JSON body: %w", err)
	}
	if dec.More() {
		return probeInput{}, errors.New("read the JSON body: more than one JSON value")
	}
	return probeInput{
		Host: req.Host, Port: req.Port.String(), Security: req.Security, User: req.User,
		Password: req.Password, Mech: req.Mech, From: req.From, To: req.To, HELO: req.HELO, Send: req.Send,
	}, nil
}

// validate turns input into settings and the secret, or says per field
// what is wrong. defaultSecurity applies when none was chosen (the form
// preselects STARTTLS; the API defaults to auto). The port is checked
// against the target policy here, so a refused port never connects.
func validate(in probeInput, pol *policy.Policy, defaultSecurity probe.Security) (probe.Settings, probe.Secret, fieldErrors) {
	fe := fieldErrors{}
	var s probe.Settings

	host, portInHost, err := probe.ParseHost(in.Host)
	if err != nil {
		fe["host"] = err.Error()
	}
	s.Host = host

	portText := strings.TrimSpace(in.Port)
	if portText == "" && portInHost != "" {
		portText = portInHost
	}
	switch {
	case hasControl(in.Port):
		fe["port"] = "must not contain line breaks or control characters"
	case portText == "":
		s.Port = 587
	default:
		p, err := strconv.Atoi(portText)
		if err != nil || p < 1 || p > 65535 {
			fe["port"] = "enter a port number from 1 to 65535 (587 for submission, 465 for implicit TLS)"
		} else {
			s.Port = p
		}
	}
	if s.Port != 0 && fe["host"] == "" && pol != nil {
		if err := pol.CheckPort(s.Host, s.Port); err != nil {
			fe["port"] = err.Error()
		}
	}

	switch sec := strings.ToLower(strings.TrimSpace(in.Security)); sec {
	case "":
		s.Security = defaultSecurity
	case "auto":
		s.Security = probe.SecurityAuto
	case "starttls", "start_tls", "start-tls":
		s.Security = probe.SecurityStartTLS
	case "tls", "ssl", "ssl/tls", "implicit", "smtps":
		s.Security = probe.SecurityTLS
	case "none", "plain", "plaintext":
		s.Security = probe.SecurityNone
	default:
		fe["security"] = "choose auto, starttls, tls (SSL/TLS) or none"
	}

	switch m := probe.Mechanism(strings.ToLower(strings.TrimSpace(in.Mech))); m {
	case "":
		s.Mech = probe.MechAuto
	case probe.MechAuto, probe.MechPlain, probe.MechLogin, probe.MechCRAMMD5, probe.MechXOAUTH2, probe.MechOAUTHBEARER:
		s.Mech = m
	default:
		fe["mech"] = "choose auto, plain, login, cram-md5, xoauth2 or oauthbearer"
	}

	// The user name is kept as typed (stray spaces are a finding the
	// diagnosis reports, not something to fix silently).
	switch {
	case hasControl(in.User):
		fe["user"] = "must not contain line breaks or control characters"
	case len(in.User) > maxUser:
		fe["user"] = fmt.Sprintf("is longer than %d characters", maxUser)
	case !utf8.ValidString(in.User):
		fe["user"] = "is not valid UTF-8"
	default:
		s.User = in.User
	}

	switch {
	case len(in.Password) > maxPassword:
		fe["password"] = fmt.Sprintf("is longer than %d characters", maxPassword)
	case probe.CheckSecret(in.Password) != nil:
		fe["password"] = probe.CheckSecret(in.Password).Error()
	case in.Password != "" && s.User == "" && fe["user"] == "":
		fe["user"] = "enter the user name that goes with the password"
	}

	if s.From, err = normalizeAddress(in.From); err != nil {
		fe["from"] = err.Error()
	}
	if s.To, err = normalizeAddress(in.To); err != nil {
		fe["to"] = err.Error()
	}
	if s.HELO, err = normalizeHELO(in.HELO); err != nil {
		fe["helo"] = err.Error()
	}
	s.Send = in.Send
	if s.Send && s.To == "" && fe["to"] == "" {
		fe["to"] = "to send a test message, enter a recipient"
	}

	if len(fe) > 0 {
		return probe.Settings{}, probe.Secret{}, fe
	}
	return s, probe.Secret{Password: in.Password}, nil
}

// hasControl reports C0 controls (CR, LF, NUL among them) and DEL.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// normalizeAddress checks a MAIL FROM / RCPT TO address: local@domain,
// angle brackets optional, the domain converted to ASCII.
func normalizeAddress(a string) (string, error) {
	if hasControl(a) {
		return "", errors.New("must not contain line breaks or control characters")
	}
	a = strings.TrimSpace(a)
	if strings.HasPrefix(a, "<") && strings.HasSuffix(a, ">") {
		a = a[1 : len(a)-1]
	}
	if a == "" {
		return "", nil
	}
	if len(a) > maxAddress {
		return "", fmt.Errorf("is longer than %d characters", maxAddress)
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
	if len(a) > maxAddress {
		return "", fmt.Errorf("is longer than %d characters", maxAddress)
	}
	return a, nil
}

// normalizeHELO checks the EHLO name: a domain or an address literal
// (RFC 5321 §4.1.1.1). Empty lets the probe choose.
func normalizeHELO(h string) (string, error) {
	if hasControl(h) {
		return "", errors.New("must not contain line breaks or control characters")
	}
	h = strings.TrimSpace(h)
	if h == "" {
		return "", nil
	}
	if len(h) > maxHELO {
		return "", fmt.Errorf("is longer than %d characters", maxHELO)
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
