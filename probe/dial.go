package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// Address attempt results (AddressAttempt.Result); "error" is ours, for a
// dial failure that is none of the others.
const (
	attemptConnected   = "connected"
	attemptRefused     = "refused"
	attemptTimeout     = "timeout"
	attemptUnreachable = "unreachable"
	attemptReset       = "reset"
	attemptBlocked     = "blocked"
	attemptNotTried    = "not_tried"
	attemptError       = "error"
)

// resolve finds every address of the host (A and AAAA), or takes the IP
// literal as it is.
func (p *prober) resolve() ([]netip.Addr, bool) {
	p.beginStep(StepResolve)
	p.res.Network = &NetworkInfo{}
	if p.isIP {
		a, _ := netip.ParseAddr(p.host)
		p.tr.note("%s is an IP address; nothing to resolve", p.host)
		p.finishStep(StepOK, "")
		return []netip.Addr{a.Unmap()}, true
	}
	if p.host == "" {
		p.fail(CodeDNSNoSuchHost, "", "no host name given")
		return nil, false
	}
	var r Resolver = net.DefaultResolver
	if p.o.Resolver != nil {
		r = p.o.Resolver
	}
	ctx, cancel := context.WithDeadline(p.ctx, p.stepDeadline())
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", p.host)
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) {
			// The resolver's own address ("on 10.0.0.53:53") describes
			// the dashboard's network, not the mail server, and would be
			// shown on shared pages: leave it out of the record.
			de.Server = ""
		}
		switch {
		case errors.As(err, &de) && de.IsNotFound:
			p.fail(CodeDNSNoSuchHost, "", fmt.Sprintf("%s does not exist in DNS (%v)", p.host, err))
		case isTimeout(err):
			p.fail(CodeDNSFailure, "", fmt.Sprintf("resolving %s timed out (%v)", p.host, err))
		default:
			p.fail(CodeDNSFailure, "", fmt.Sprintf("resolving %s failed: %v", p.host, err))
		}
		return nil, false
	}
	if len(addrs) == 0 {
		p.fail(CodeDNSNoSuchHost, "", fmt.Sprintf("%s has no A or AAAA records", p.host))
		return nil, false
	}
	seen := map[netip.Addr]bool{}
	var out []netip.Addr
	var names []string
	for _, a := range addrs {
		a = a.Unmap()
		if seen[a] {
			continue
		}
		seen[a] = true
		out = append(out, a)
		names = append(names, a.String())
	}
	p.tr.note("resolved %s to %s", p.host, strings.Join(names, ", "))
	p.finishStep(StepOK, "")
	return out, true
}

// connect dials the addresses in order, checking each against the policy
// first, and keeps the first connection that works. Every address gets an
// AddressAttempt, so a dual-stack host whose IPv6 is unreachable but IPv4
// works reads clearly.
func (p *prober) connect(addrs []netip.Addr) bool {
	p.beginStep(StepConnect)
	if p.s.Port < 1 || p.s.Port > 65535 {
		p.fail(CodeNetUnreachable, "", fmt.Sprintf("port %d is not a TCP port (1-65535)", p.s.Port))
		return false
	}
	for _, a := range addrs {
		p.res.Network.Addresses = append(p.res.Network.Addresses, AddressAttempt{
			Address: netip.AddrPortFrom(a, uint16(p.s.Port)).String(), Result: attemptNotTried})
	}
	for i, a := range addrs {
		ap := netip.AddrPortFrom(a, uint16(p.s.Port))
		att := &p.res.Network.Addresses[i]
		if p.o.Policy != nil {
			if err := p.o.Policy(ap); err != nil {
				att.Result = attemptBlocked
				att.Error = Escape(err.Error())
				p.tr.note("not connecting to %s: refused by this dashboard's policy (%v)", ap, err)
				continue
			}
		}
		p.tr.note("connecting to %s", ap)
		t0 := time.Now()
		c, err := p.dial(ap)
		att.DurationMS = time.Since(t0).Milliseconds()
		if err != nil {
			att.Result = p.classifyDial(err)
			att.Error = Escape(err.Error())
			p.tr.note("%s: %s (%v)", ap, att.Result, err)
			if p.ctx.Err() != nil {
				break
			}
			continue
		}
		att.Result = attemptConnected
		p.res.Network.Used = ap.String()
		p.res.Server = &ServerInfo{Address: ap.String()}
		p.w = newWire(p, c)
		// A hard stop: when the probe's time is up, the connection closes
		// and any blocked read or write returns at once.
		context.AfterFunc(p.ctx, func() { c.Close() })
		p.tr.note("connected to %s in %d ms", ap, att.DurationMS)
		p.finishStep(StepOK, "")
		return true
	}
	p.fail(p.dialFailureCode(), "", p.dialFailureText())
	return false
}

func (p *prober) dial(ap netip.AddrPort) (net.Conn, error) {
	var d Dialer = &net.Dialer{}
	if p.o.Dialer != nil {
		d = p.o.Dialer
	}
	ctx, cancel := context.WithDeadline(p.ctx, p.stepDeadline())
	defer cancel()
	return d.DialContext(ctx, "tcp", ap.String())
}

// classifyDial tells refused, timed out, unreachable and reset apart: each
// points at a different cause (nothing listening; a firewall dropping
// packets; no route; something in the path cutting the connection).
func (p *prober) classifyDial(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return attemptRefused
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EADDRNOTAVAIL), errors.Is(err, syscall.EAFNOSUPPORT):
		return attemptUnreachable
	case errors.Is(err, syscall.ECONNRESET):
		return attemptReset
	case isTimeout(err), errors.Is(err, syscall.ETIMEDOUT), errors.Is(err, context.Canceled):
		return attemptTimeout
	}
	return attemptError
}

// dialFailureCode picks the most telling result over all addresses:
// a refusal proves something answered; a timeout points at a firewall;
// unreachable is often just a missing IPv6 route.
func (p *prober) dialFailureCode() Code {
	has := map[string]bool{}
	for _, a := range p.res.Network.Addresses {
		has[a.Result] = true
	}
	switch {
	case has[attemptRefused]:
		return CodeNetRefused
	case has[attemptTimeout]:
		return CodeNetTimeout
	case has[attemptReset]:
		return CodeNetClosed
	case has[attemptUnreachable], has[attemptError]:
		return CodeNetUnreachable
	case has[attemptBlocked]:
		return CodePolicyBlockedTarget
	}
	return CodeNetTimeout // not one address tried: the probe's time ran out
}

func (p *prober) dialFailureText() string {
	var parts []string
	for _, a := range p.res.Network.Addresses {
		s := a.Address + ": " + a.Result
		if a.Error != "" {
			s += " (" + a.Error + ")"
		}
		parts = append(parts, s)
	}
	return "could not connect: " + strings.Join(parts, "; ")
}
