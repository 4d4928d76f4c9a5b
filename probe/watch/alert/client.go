package alert

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Policy is asked about every address an alert is about to connect to,
// after resolution; an error refuses it. It is the probes' target policy
// (for webhooks, with any port allowed).
type Policy func(netip.AddrPort) error

// NewHTTPClient returns the client webhooks are posted with: every
// connection it makes is checked against policy on the very address being
// dialled (a nil policy allows all), it uses no proxy from the environment
// (which would go around the policy), follows no redirects (a webhook that
// answers 3xx is misconfigured, and a redirect is a way around the policy's
// intent), and gives up after timeout.
func NewHTTPClient(policy Policy, timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: timeout, Control: controlFor(policy)}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          16,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// controlFor runs the policy on the address the socket is about to connect
// to: after resolution, so DNS rebinding cannot slip past.
func controlFor(policy Policy) func(network, address string, c syscall.RawConn) error {
	if policy == nil {
		return nil
	}
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("alert: read address %q: %w", address, err)
		}
		if err := policy(netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())); err != nil {
			return policyError{err}
		}
		return nil
	}
}

// policyError is a refusal by the target policy: final, never retried.
type policyError struct{ error }

func (p policyError) Unwrap() error { return p.error }

// dialPolicy dials address (host:port) checking the policy on each resolved
// address, for the alert SMTP server.
func dialPolicy(ctx context.Context, policy Policy, address string, timeout time.Duration) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout, Control: controlFor(policy)}
	return d.DialContext(ctx, "tcp", address)
}
