package web

import (
	"net/http"
	"net/netip"
	"strconv"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// The sandbox's tests are demonstrations: they are tagged "sandbox" in the
// history and left out of it unless asked for (its demo servers listen on
// fixed loopback ports, so the tag is their address), and starting them
// does not count against the per-client rate limit, which protects real
// mail servers from being hammered.

// sandboxTargets are the sandbox's servers, nil when it is off.
func (s *Server) sandboxTargets() []store.Target {
	if s.cfg.Sandbox == nil {
		return nil
	}
	var out []store.Target
	for _, ap := range s.cfg.Sandbox.Addrs() {
		out = append(out, store.Target{Host: ap.Addr().String(), Port: int(ap.Port())})
	}
	return out
}

// isSandbox says whether host:port is one of the sandbox's servers.
func isSandbox(ts []store.Target, host string, port int) bool {
	for _, t := range ts {
		if t.Host == host && t.Port == port {
			return true
		}
	}
	return false
}

// sandboxCombos are the sandbox's servers as try-all combinations, when
// host is the sandbox's address; nil otherwise (the usual ports).
func (s *Server) sandboxCombos(host string) []discover.Combo {
	if s.cfg.Sandbox == nil {
		return nil
	}
	ap, ok := s.cfg.Sandbox.Addr(sandbox.ServerSubmission)
	if !ok || ap.Addr().String() != host {
		return nil
	}
	var out []discover.Combo
	for _, name := range []string{sandbox.ServerImplicit, sandbox.ServerSubmission, sandbox.ServerMX, sandbox.ServerExpired} {
		if a, ok := s.cfg.Sandbox.Addr(name); ok {
			sec := probe.SecurityStartTLS
			if name == sandbox.ServerImplicit {
				sec = probe.SecurityTLS
			}
			out = append(out, discover.Combo{Port: int(a.Port()), Security: sec})
		}
	}
	return out
}

// unlessSandbox applies limit to every start except those of the
// sandbox: a form whose host and port are one of its servers, or a
// try-all of its address.
func (s *Server) unlessSandbox(limit func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		limited := limit(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if s.cfg.Sandbox != nil && r.ParseForm() == nil && s.startsSandbox(r) {
				next.ServeHTTP(w, r)
				return
			}
			limited.ServeHTTP(w, r)
		})
	}
}

func (s *Server) startsSandbox(r *http.Request) bool {
	in := formInput(r.PostForm)
	host, _, err := probe.ParseHost(in.Host)
	if err != nil {
		return false
	}
	if r.URL.Path == "/try" {
		return s.sandboxCombos(host) != nil
	}
	port, err := strconv.Atoi(in.Port)
	if err != nil || port < 1 || port > 65535 {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && s.cfg.Sandbox.Contains(netip.AddrPortFrom(a, uint16(port)))
}
