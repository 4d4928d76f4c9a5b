package sandbox_test

import (
	"crypto/x509"
	"io"
	"strings"
)

type x509UnknownAuthority = x509.UnknownAuthorityError

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
