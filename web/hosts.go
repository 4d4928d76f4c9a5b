package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// The dashboard answers only to the names it is known by. Without that, a
// page on any site can rebind its own name to the dashboard's address (DNS
// rebinding): the browser then sends the page's requests, with its Origin
// and a Host that match each other, to the dashboard, and reads the answers
// as its own, history and all. A rebound name never equals one of ours, so
// checking the Host header ends it.
//
// Accepted: the host of --public-url, the names in --allowed-hosts, the
// host named in --listen, the name
// localhost (which browsers resolve to loopback themselves, never through
// DNS), and IP address literals (an address cannot be rebound: a page whose
// origin is an address is on that address). Ports are not compared: the
// port in Host is the one the browser connected to, which a rebinding page
// cannot change without changing where the request goes.

// hostGuard refuses requests for host names the dashboard is not known by,
// with 421 Misdirected Request (RFC 9110 §15.5.20).
func (s *Server) hostGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Health checks come from load balancers and orchestrators under
		// whatever name they were given, and reveal nothing a page could use.
		if s.knownHost(r.Host) || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			next.ServeHTTP(w, r)
			return
		}
		msg := "This dashboard does not answer to the name " + quoteHost(r.Host) + ". "
		if s.cfg.PublicURL != nil {
			msg += "Use " + s.cfg.PublicURL.String() + " instead. "
		}
		msg += "If it should answer to this name, its operator starts it with --public-url set to the address people use (for example --public-url https://" +
			strings.ToLower(hostOnly(r.Host)) + "/)."
		s.clientError(w, r, http.StatusMisdirectedRequest, "Wrong address for this dashboard", msg)
	})
}

// knownHost reports whether a Host header names this dashboard.
func (s *Server) knownHost(host string) bool {
	name := strings.TrimSuffix(strings.ToLower(hostOnly(host)), ".")
	if name == "" {
		return false
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return true
	}
	if name == "localhost" {
		return true
	}
	if s.cfg.PublicURL != nil && name == strings.TrimSuffix(strings.ToLower(s.cfg.PublicURL.Hostname()), ".") {
		return true
	}
	if h, _, err := net.SplitHostPort(s.cfg.ListenAddr); err == nil && h != "" && name == strings.ToLower(h) {
		return true
	}
	return slices.ContainsFunc(s.cfg.AllowedHosts, func(h string) bool {
		return name == strings.TrimSuffix(strings.ToLower(h), ".")
	})
}

// hostOnly strips the port and the IPv6 brackets from a Host header.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return strings.Trim(host, "[]")
}

// quoteHost shows a Host header in a message; it came from the request, so
// it is bounded (templ escapes it).
func quoteHost(host string) string {
	if host == "" {
		return "(none given)"
	}
	if len(host) > 100 {
		host = host[:100] + "…"
	}
	return `"` + host + `"`
}

// absURL builds an absolute URL for a path on this dashboard, for the
// copy-link box, the API's "url" and the exports. It comes from
// --public-url, or the address the dashboard listens on; only a dashboard
// listening on every address without --public-url falls back to the Host
// of the request, which hostGuard has already checked is an address
// literal or a configured name.
func (s *Server) absURL(r *http.Request, path string) string {
	if u := s.cfg.PublicURL; u != nil {
		return strings.TrimSuffix(u.String(), "/") + path
	}
	if h, p, err := net.SplitHostPort(s.cfg.ListenAddr); err == nil && p != "0" && !unspecified(h) {
		return "http://" + net.JoinHostPort(h, p) + path
	}
	return "http://" + r.Host + path
}

func unspecified(host string) bool {
	if host == "" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsUnspecified()
}

// ParsePublicURL reads --public-url: an http or https URL naming the host
// (and port) people use, with no path beyond "/", query or fragment.
func ParsePublicURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, err
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%q: want an http or https URL such as https://smtpdoctor.example.com", s)
	case u.Hostname() == "":
		return nil, fmt.Errorf("%q: name the host, as in https://smtpdoctor.example.com", s)
	case u.User != nil:
		return nil, fmt.Errorf("%q: leave user and password out of the URL", s)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return nil, fmt.Errorf("%q: the dashboard is served at the root of its host; give the URL without a path, query or fragment", s)
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)}, nil
}
