package probe

import (
	"errors"
	"fmt"
	"strings"
)

// greeting reads the server's banner (RFC 5321 §4.3.1): 220, possibly
// multi-line; 421 or 554 mean "go away" and are left to the diagnosis.
func (p *prober) greeting() bool {
	p.beginStep(StepGreeting)
	r, err := p.readGreeting()
	if err != nil {
		var bad *badReplyError
		switch {
		case errors.As(err, &bad) && len(r.Lines) == 0:
			first := p.w.raw.firstBytes()
			if p.tlsActive {
				first = []byte(bad.line) // the raw bytes were the handshake
			}
			kind := notSMTPKind(first)
			p.observation(CodeSMTPNotSMTP, kind)
			p.fail(CodeSMTPNotSMTP, "", kind)
		case !p.w.read && isTimeout(err) && p.ctx.Err() == nil:
			p.noGreeting(r.implicitTLS, r.firstTLSBytes)
		case !p.w.read && isClosed(err) && p.ctx.Err() == nil:
			p.fail(CodeSMTPNoGreeting, "", "the server closed the connection without a greeting")
		default:
			p.failIO("", err)
		}
		return false
	}
	p.res.Server.Banner = keepLines(r.Lines)
	if r.Code != 220 {
		p.failReply("", r.reply)
		return false
	}
	p.finishStep(StepOK, "")
	return true
}

// notSMTPKind names what answered instead of an SMTP server, from the first
// bytes it sent.
func notSMTPKind(first []byte) string {
	s := string(first)
	line, _, _ := strings.Cut(s, "\n")
	line = strings.TrimRight(line, "\r")
	quoted := fmt.Sprintf("%q", truncate(line, 60))
	switch {
	case strings.HasPrefix(s, "HTTP/"):
		return "an HTTP server answered, not an SMTP server: " + quoted
	case strings.HasPrefix(s, "SSH-"):
		return "an SSH server answered, not an SMTP server: " + quoted
	case strings.HasPrefix(s, "+OK"):
		return "a POP3 server answered, not an SMTP server: " + quoted
	case strings.HasPrefix(s, "* OK"):
		return "an IMAP server answered, not an SMTP server: " + quoted
	case len(first) > 0 && (first[0] == 0x15 || first[0] == 0x16):
		return "a TLS server answered where plaintext SMTP was expected"
	}
	return "the server sent something that is not an SMTP greeting: " + quoted
}

// ehlo introduces us (RFC 5321 §4.1.1.1) and records the extensions. A
// server that does not know EHLO (500, 502) gets HELO instead.
func (p *prober) ehlo(step string) bool {
	p.beginStep(step)
	name := p.ehloName()
	cmd := "EHLO " + name
	r, ok := p.exchange(cmd)
	if !ok {
		return false
	}
	if r.Code == 500 || r.Code == 502 {
		p.tr.note("the server does not know EHLO; trying HELO (no extensions then)")
		cmd = "HELO " + name
		if r, ok = p.exchange(cmd); !ok {
			return false
		}
		if r.Code != 250 {
			p.failReply(cmd, r)
			return false
		}
		p.ext = map[string]string{}
		p.setDomain(r)
		p.finishStep(StepOK, "HELO")
		return true
	}
	if r.Code != 250 {
		p.failReply(cmd, r)
		return false
	}
	p.setDomain(r)
	p.ext = map[string]string{}
	var list []string
	for _, l := range r.Lines[1:] {
		list = append(list, l)
		kw, params, _ := strings.Cut(strings.TrimSpace(l), " ")
		kw = strings.ToUpper(kw)
		// Some old servers advertise "AUTH=PLAIN LOGIN" as well as or
		// instead of "AUTH PLAIN LOGIN".
		if k, v, ok := strings.Cut(kw, "="); ok && k == "AUTH" {
			kw, params = "AUTH", strings.TrimSpace(v+" "+params)
			if prev, ok := p.ext["AUTH"]; ok {
				params = prev + " " + params
			}
		}
		p.ext[kw] = params
	}
	mechs := p.authMechs()
	if p.tlsActive {
		p.res.Server.ExtensionsTLS = keepLines(list)
	} else {
		p.res.Server.Extensions = keepLines(list)
	}
	if _, ok := p.ext["AUTH"]; ok {
		if p.res.Auth == nil {
			p.res.Auth = &AuthInfo{}
		}
		if p.tlsActive {
			p.res.Auth.OfferedAfterTLS = mechs
		} else {
			p.res.Auth.OfferedBeforeTLS = mechs
		}
	}
	p.finishStep(StepOK, "")
	return true
}

func (p *prober) setDomain(r reply) {
	if len(r.Lines) > 0 {
		d, _, _ := strings.Cut(r.Lines[0], " ")
		p.res.Server.EHLODomain = d
	}
}

// authMechs lists the advertised SASL mechanisms, upper case, deduplicated.
func (p *prober) authMechs() []string {
	params, ok := p.ext["AUTH"]
	if !ok {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range strings.Fields(strings.ToUpper(params)) {
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}
