package web

import (
	"crypto/x509"
	"net/netip"
)

// Sandbox is what the dashboard needs of the built-in demo server.
type Sandbox interface {
	Contains(netip.AddrPort) bool
	RootCAs() *x509.CertPool
}
