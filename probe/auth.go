package probe

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// maxAuthRounds bounds the challenge/response exchange against a server
// that keeps sending 334.
const maxAuthRounds = 6

// maxCommandLine is RFC 4954 §4's limit for the AUTH command with its
// initial response (the RFC 5321 §4.5.3.1.4 command line, 512 octets with
// CRLF); a longer initial response (a big OAuth token) is sent after an
// empty challenge instead.
const maxCommandLine = 510

// auth authenticates (RFC 4954) with the chosen mechanism.
func (p *prober) auth() bool {
	p.beginStep(StepAuth)
	if p.res.Auth == nil {
		p.res.Auth = &AuthInfo{}
	}
	offered := p.authMechs()
	if _, ok := p.ext["AUTH"]; !ok {
		p.authNotOffered()
		return false
	}
	name, err := chooseMech(p.s.Mech, offered, p.tlsActive)
	if err != nil {
		p.fail(CodeAuthMechanismUnsupported, "", err.Error())
		return false
	}
	if !p.tlsActive {
		p.tr.note("sending credentials without encryption")
	}
	m := mechFor(name, p.s.User, p.secret.Password)
	p.res.Auth.Mechanism = name

	ir, irShown := m.start()
	cmd, shown := "AUTH "+name, "AUTH "+name
	var pending []byte // initial response held back for the first challenge
	if ir != nil {
		enc := base64.StdEncoding.EncodeToString(ir)
		if enc == "" {
			enc = "=" // RFC 4954 §4: an empty initial response
		}
		if len(cmd)+1+len(enc) > maxCommandLine {
			pending = ir
		} else {
			cmd += " " + enc
			shown += " " + irShown
		}
	}
	if err := p.w.send(cmd, shown); err != nil {
		p.failIO(shown, err)
		return false
	}
	r, err := p.w.readReply()
	for round := 0; err == nil && r.Code == 334; round++ {
		if round >= maxAuthRounds {
			p.fail(CodeSMTPBadReply, shown, fmt.Sprintf("the server sent more than %d challenges", maxAuthRounds))
			return false
		}
		challenge := decodeChallenge(r)
		var resp []byte
		var respShown string
		var nerr error
		switch {
		case pending != nil:
			resp, respShown, pending = pending, irShown, nil
		default:
			if om, ok := m.(*oauthMech); ok && !om.errored {
				p.oauthError(challenge)
			}
			resp, respShown, nerr = m.next(challenge)
		}
		if nerr != nil {
			// RFC 4954 §4: "*" cancels the exchange; the server answers 501.
			p.tr.note("%s: cancelling", nerr)
			if err = p.w.send("*", "*"); err == nil {
				r, err = p.w.readReply()
			}
			break
		}
		if err = p.w.send(base64.StdEncoding.EncodeToString(resp), respShown); err != nil {
			break
		}
		r, err = p.w.readReply()
	}
	if err != nil {
		p.failIO(shown, err)
		return false
	}
	if r.Code != 235 {
		p.failReply(shown, r)
		return false
	}
	p.res.Auth.Succeeded = true
	p.finishStep(StepOK, name)
	return true
}

func decodeChallenge(r reply) []byte {
	text := ""
	if len(r.Lines) > 0 {
		text = strings.TrimSpace(r.Lines[0])
	}
	if b, err := base64.StdEncoding.DecodeString(text); err == nil {
		return b
	}
	return []byte(text)
}

// oauthError records the JSON error challenge of XOAUTH2 and OAUTHBEARER
// (RFC 7628 §3.2.2) and what it says.
func (p *prober) oauthError(challenge []byte) {
	out, ok := DecodeOAuthError(challenge, p.tr.scrub.clean)
	if !ok {
		p.tr.note("the server's challenge is not the JSON error RFC 7628 §3.2.2 describes")
		return
	}
	p.res.Auth.OAuthError = out
	p.observation(CodeAuthOAuthTokenInvalid, "the server refused the token: "+OAuthErrorWords(out))
}

// authNotOffered records why there is no AUTH: none at all on this port,
// or (in plaintext) probably only after STARTTLS.
func (p *prober) authNotOffered() {
	_, starttls := p.ext["STARTTLS"]
	switch {
	case !p.tlsActive && starttls:
		detail := "the server offers no AUTH before STARTTLS; it most likely offers AUTH only after STARTTLS (security none was asked for)"
		p.observation(CodeAuthRequiresTLS, detail)
		p.fail(CodeAuthNotOffered, "", detail)
	case p.tlsActive && len(p.res.Auth.OfferedBeforeTLS) > 0:
		p.fail(CodeAuthNotOffered, "", "the server offered AUTH before STARTTLS but not after it")
	default:
		where := "in plaintext"
		if p.tlsActive {
			where = "over TLS"
		}
		p.fail(CodeAuthNotOffered, "", fmt.Sprintf("the server does not offer AUTH %s on port %d (its EHLO reply has no AUTH)", where, p.s.Port))
	}
}
