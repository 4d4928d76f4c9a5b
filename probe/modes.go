package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/netip"
	"time"
)

// greetingReply is the greeting as read, plus what the implicit-TLS check
// found when the server stayed silent.
type greetingReply struct {
	reply
	implicitTLS   bool   // a TLS handshake on a second connection worked
	firstTLSBytes []byte // what the server sent on that second connection
}

// readGreeting waits for the banner. A plaintext connection that is silent
// for half the step may be an implicit-TLS port waiting for our ClientHello
// (RFC 8314 §3.3): the rest of the step is spent on a TLS handshake on a
// second connection, and then on the first connection again, whose greeting
// the kernel keeps meanwhile. So a tarpit costs one step timeout, not two,
// and a slow greeting (postscreen's greet pause) is still read.
func (p *prober) readGreeting() (greetingReply, error) {
	if p.tlsActive {
		r, err := p.w.readReply()
		return greetingReply{reply: r}, err
	}
	stepEnd := p.stepDeadline()
	p.until = time.Now().Add(p.o.StepTimeout / 2)
	defer func() { p.until = time.Time{} }()
	r, err := p.w.readReply()
	if err == nil || p.w.read || !isTimeout(err) || p.ctx.Err() != nil {
		return greetingReply{reply: r}, err
	}
	p.until = stepEnd
	p.tr.note("no greeting after %s; checking with a TLS handshake on a new connection whether this port expects implicit TLS, while still waiting", p.o.StepTimeout/2)
	ok, first := p.implicitTLSWorks()
	if ok {
		return greetingReply{implicitTLS: true}, errSilent
	}
	// A greeting that arrived during the check sits in the socket buffer;
	// a deadline already past would not even look, so allow a moment.
	p.until = stepEnd
	if grace := time.Now().Add(greetingGrace); grace.After(stepEnd) {
		p.until = grace
	}
	r, err = p.w.readReply()
	return greetingReply{reply: r, firstTLSBytes: first}, err
}

// greetingGrace is how long the first connection is read after the TLS
// check, even past the step's end: enough to collect a buffered greeting.
const greetingGrace = 200 * time.Millisecond

// errSilent stands for "no greeting" once the implicit-TLS check answered.
var errSilent = &timeoutError{}

type timeoutError struct{}

func (*timeoutError) Error() string   { return "no greeting" }
func (*timeoutError) Timeout() bool   { return true }
func (*timeoutError) Temporary() bool { return true }

// noGreeting handles a plaintext connection that stayed silent: either the
// server is broken or overloaded (smtp.no_greeting), or it is an
// implicit-TLS port waiting for our ClientHello (RFC 8314 §3.3), which is a
// wrong security mode, not a broken server. readGreeting's TLS handshake on
// a second connection told the two apart.
func (p *prober) noGreeting(implicitTLS bool, first []byte) {
	silent := fmt.Sprintf("no greeting within %s", p.o.StepTimeout)
	if p.tlsActive {
		p.fail(CodeSMTPNoGreeting, "", silent+" after the TLS handshake")
		return
	}
	if implicitTLS {
		detail := fmt.Sprintf("port %d expects implicit TLS from the first byte (a TLS handshake on a second connection succeeded); use security tls", p.s.Port)
		p.observation(CodeTLSPlainOnImplicitPort, detail)
		p.fail(CodeTLSPlainOnImplicitPort, "", "no greeting; "+detail)
		return
	}
	// A service that waits for the client (HTTP) answers the ClientHello
	// with its own protocol: that names it.
	if len(first) > 0 && first[0] != 0x15 && first[0] != 0x16 {
		if _, _, _, smtp := parseLine(firstLine(first)); !smtp {
			kind := notSMTPKind(first)
			p.observation(CodeSMTPNotSMTP, kind)
			p.fail(CodeSMTPNotSMTP, "", silent+"; "+kind)
			return
		}
	}
	p.fail(CodeSMTPNoGreeting, "", silent+" (and no TLS handshake either)")
}

// implicitTLSWorks dials the same address again and tries a handshake;
// it also returns the first bytes the server sent on that connection.
func (p *prober) implicitTLSWorks() (bool, []byte) {
	ap, err := netip.ParseAddrPort(p.res.Network.Used)
	if err != nil || p.ctx.Err() != nil {
		return false, nil
	}
	c, err := p.dial(ap)
	if err != nil {
		p.tr.note("second connection to %s failed: %v", ap, err)
		return false, nil
	}
	defer c.Close()
	stop := context.AfterFunc(p.ctx, func() { c.Close() })
	defer stop()
	w := newWire(p, c)
	tc, err := p.handshake(w, tlsModeImplicit)
	if err != nil {
		first := w.raw.firstBytes()
		if len(first) > 0 && first[0] != 0x15 && first[0] != 0x16 {
			p.tr.note("TLS handshake on the second connection failed: %v; the server answered %q", err, truncate(firstLine(first), 60))
		} else {
			p.tr.note("TLS handshake on the second connection failed: %v", err)
		}
		return false, first
	}
	st := tc.ConnectionState()
	p.tr.note("TLS handshake on the second connection succeeded (%s)", tls.VersionName(st.Version))
	return true, nil
}
