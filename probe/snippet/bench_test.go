package snippet

import (
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Every finished permalink renders all twenty snippets.
func BenchmarkAll(b *testing.B) {
	in := input(probe.SecurityStartTLS, probe.MechPlain)
	in.CAFile = "/etc/ssl/private-ca.pem"
	for b.Loop() {
		if _, err := All(in); err != nil {
			b.Fatal(err)
		}
	}
}
