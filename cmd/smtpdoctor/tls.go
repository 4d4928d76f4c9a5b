package main

import (
	"crypto/x509"
	"fmt"
	"os"
)

// rootPool is the system roots plus the PEM certificates in caFile, for
// internal CAs: what the dashboard verifies with. An empty caFile means the
// system roots alone (nil pool, which crypto/tls reads as "use the
// system's").
func rootPool(caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		return nil, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	return addPEM(pool, caFile)
}

// extraPool is caFile's certificates alone, for probe.Options.ExtraRoots:
// the command line verifies against them first and loads the system roots
// only when they do not verify, which keeps a one-shot probe fast.
func extraPool(caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		return nil, nil
	}
	return addPEM(x509.NewCertPool(), caFile)
}

func addPEM(pool *x509.CertPool, caFile string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("read --ca-file: %w", err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file %s holds no PEM certificate", caFile)
	}
	return pool, nil
}
