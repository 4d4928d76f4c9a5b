package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/netip"
)

// noGreeting handles a plaintext connection that stayed silent: either the
// server is broken or overloaded (smtp.no_greeting), or it is an
// implicit-TLS port waiting for our ClientHello (RFC 8314 §3.3), which is a
// wrong security mode, not a broken server. A TLS handshake on a second
// connection tells the two apart.
func (p *prober) noGreeting() {
	silent := fmt.Sprintf("no greeting within %s", p.o.StepTimeout)
	if p.tlsActive {
		p.fail(codeNoGreeting, "", silent+" after the TLS handshake")
		return
	}
	p.tr.note("%s; checking with a TLS handshake on a new connection whether this port expects implicit TLS", silent)
	ok, first := p.implicitTLSWorks()
	if ok {
		detail := fmt.Sprintf("port %d expects implicit TLS from the first byte (a TLS handshake on a second connection succeeded); use security tls", p.s.Port)
		p.observation(codePlainOnImplicit, detail)
		p.fail(codePlainOnImplicit, "", silent+"; "+detail)
		return
	}
	// A service that waits for the client (HTTP) answers the ClientHello
	// with its own protocol: that names it.
	if len(first) > 0 && first[0] != 0x15 && first[0] != 0x16 {
		if _, _, _, smtp := parseLine(firstLine(first)); !smtp {
			kind := notSMTPKind(first)
			p.observation(codeNotSMTP, kind)
			p.fail(codeNotSMTP, "", silent+"; "+kind)
			return
		}
	}
	p.fail(codeNoGreeting, "", silent+" (and no TLS handshake either)")
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
