package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"slices"
	"time"
)

// Auto mode on a port whose mode is not known by convention finds out: a
// plaintext greeting (RFC 5321 §4.3.1) and a TLS handshake (RFC 8314 §3)
// race on two connections to the same address, and the conversation
// carries on in the mode that answers first. An implicit-TLS port costs
// one handshake, not a greeting timeout; a plaintext port costs a second
// connection that its server drops.

// conventionalPorts have a known mode: 465 implicit TLS, the others
// plaintext with STARTTLS.
var conventionalPorts = []int{25, 465, 587, 2525}

// raceModes reports whether auto mode must find the mode out.
func (p *prober) raceModes() bool {
	return p.s.Security == SecurityAuto && !slices.Contains(conventionalPorts, p.s.Port)
}

// handshakeResult is how the TLS side of the race ended.
type handshakeResult struct {
	conn  net.Conn
	tc    *tls.Conn
	wire  *wire
	err   error
	first []byte
}

// raceTLS runs the race; false means the probe cannot go on (the failure
// is recorded). The plaintext greeting gets a head start of a few round
// trips: a plaintext server greets at once, and then no second
// connection is opened at all (nor a ClientHello left in its logs).
func (p *prober) raceTLS() bool {
	p.beginStep(StepTLS)
	greeted := make(chan error, 1)
	plain := p.w
	deadline := p.stepDeadline()
	go func() {
		// Peek leaves the greeting in the buffer for the greeting step.
		plain.raw.SetReadDeadline(deadline)
		_, err := plain.r.Peek(1)
		greeted <- err
	}()

	head := p.headStart()
	timer := time.NewTimer(head)
	defer timer.Stop()
	select {
	case err := <-greeted:
		if err == nil {
			p.tr.note("port %d has no conventional mode; the plaintext greeting came at once: carrying on in plaintext (with STARTTLS when offered)", p.s.Port)
			p.res.AutoMode = AutoModePlain
			p.finishStep(StepSkipped, "plaintext greeting came first")
			return true
		}
		// Closed or failed before any greeting: the greeting step
		// reads the same end and says so.
		p.finishStep(StepSkipped, "no greeting")
		return true
	case <-timer.C:
	}
	p.tr.note("port %d has no conventional mode and sent no greeting within %s: trying a TLS handshake on a second connection while still waiting, and carrying on with whichever answers", p.s.Port, head)

	shook := make(chan handshakeResult, 1)
	ap, _ := netip.ParseAddrPort(p.res.Network.Used)
	hctx, stopTLS := context.WithCancel(p.ctx)
	defer stopTLS()
	go func() { shook <- p.tryImplicit(hctx, ap) }()

	var plainErr error
	var hs handshakeResult
	plainDone, tlsDone := false, false
	for !plainDone || !tlsDone {
		select {
		case plainErr = <-greeted:
			plainDone = true
			if plainErr == nil {
				if !tlsDone {
					// Stop the handshake (its connection closes) and wait.
					stopTLS()
					hs = <-shook
				}
				if hs.conn != nil {
					hs.conn.Close()
				}
				p.tr.note("the plaintext greeting came first: carrying on in plaintext (with STARTTLS when offered)")
				p.res.AutoMode = AutoModePlain
				p.finishStep(StepSkipped, "plaintext greeting came first")
				return true
			}
		case hs = <-shook:
			tlsDone = true
			if hs.err == nil {
				// The plaintext connection is not needed: closing it also
				// ends the peek.
				p.w.close()
				if !plainDone {
					<-greeted
				}
				p.w = hs.wire
				// The same hard stop as the first connection had.
				context.AfterFunc(p.ctx, func() { hs.conn.Close() })
				p.w.upgrade(hs.tc)
				p.tr.note("the TLS handshake on the second connection succeeded first: this port speaks implicit TLS; carrying on over that connection")
				p.res.AutoMode = AutoModeImplicitTLS
				p.recordTLS(hs.tc, tlsModeImplicit)
				p.finishStep(p.tlsStepStatus(), "implicit TLS chosen")
				return true
			}
		}
	}
	// Neither answered. A greeting that timed out while the handshake
	// also failed is silence; anything else the greeting step reads.
	p.tr.note("the TLS handshake on the second connection failed: %v", hs.err)
	p.finishStep(StepSkipped, "neither a greeting nor a TLS handshake")
	if isTimeout(plainErr) && p.ctx.Err() == nil {
		p.beginStep(StepGreeting)
		p.noGreeting(false, hs.first)
		return false
	}
	return true
}

// headStart is how long the plaintext greeting may take before the TLS
// handshake joins the race: four times the time the TCP connection took
// (a server greets about one round trip after accepting), at least 100 ms
// and at most 500 ms.
func (p *prober) headStart() time.Duration {
	d := 100 * time.Millisecond
	if n := p.res.Network; n != nil {
		for _, a := range n.Addresses {
			if a.Address == n.Used {
				d = max(d, 4*time.Duration(a.DurationMS)*time.Millisecond)
			}
		}
	}
	return min(d, 500*time.Millisecond)
}

// tryImplicit dials ap again and runs a TLS handshake on it, until ctx
// ends. It touches no transcript: it runs beside the greeting read.
func (p *prober) tryImplicit(ctx context.Context, ap netip.AddrPort) handshakeResult {
	if !ap.IsValid() {
		return handshakeResult{err: errors.New("no address to dial")}
	}
	var d Dialer = &net.Dialer{}
	if p.o.Dialer != nil {
		d = p.o.Dialer
	}
	dctx, cancel := context.WithDeadline(ctx, p.stepDeadline())
	defer cancel()
	c, err := d.DialContext(dctx, "tcp", ap.String())
	if err != nil {
		return handshakeResult{err: err}
	}
	w := newWire(p, c)
	tc := tls.Client(w.raw, p.tlsConfig())
	w.raw.SetDeadline(p.stepDeadline())
	if err := tc.HandshakeContext(dctx); err != nil {
		first := w.raw.firstBytes()
		c.Close()
		return handshakeResult{err: err, first: first}
	}
	return handshakeResult{conn: c, tc: tc, wire: w}
}
