package main

import (
	"crypto/x509"
	"fmt"
	"os"
)

// rootPool is the system roots plus the PEM certificates in caFile, for
// internal CAs. An empty caFile means the system roots alone (nil pool,
// which crypto/tls reads as "use the system's").
func rootPool(caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("read --ca-file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file %s holds no PEM certificate", caFile)
	}
	return pool, nil
}
