package probe

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// nxResolver answers every name as the stub resolver of a home or cloud
// network does when it does not exist: a DNSError naming the resolver.
type nxResolver struct{}

func (nxResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return nil, &net.DNSError{Err: "no such host", Name: "smtp.example.invalid", Server: "10.255.255.53:53", IsNotFound: true}
}

// A permalink is shared with providers and colleagues: the address of the
// dashboard's own DNS resolver says something about its network and
// nothing about the mail server, so it stays out of the record.
func TestResolverAddressNotRecorded(t *testing.T) {
	r := Run(context.Background(), Settings{Host: "smtp.example.invalid", Port: 587, Security: SecurityStartTLS}, Secret{},
		Options{Resolver: nxResolver{}})
	if r.Failure == nil || r.Failure.Code != CodeDNSNoSuchHost {
		t.Fatalf("failure %+v, want %s", r.Failure, CodeDNSNoSuchHost)
	}
	all := r.Failure.Err + "\n" + transcriptText(r)
	for _, st := range r.Steps {
		all += "\n" + st.Detail
	}
	if strings.Contains(all, "10.255.255.53") {
		t.Errorf("the resolver's address is recorded:\n%s", all)
	}
	if !strings.Contains(r.Failure.Err, "smtp.example.invalid does not exist in DNS (lookup smtp.example.invalid: no such host)") {
		t.Errorf("failure text %q", r.Failure.Err)
	}
}

// The transcript names the secret that was sent but not its length.
func TestSecretLengthNotRecorded(t *testing.T) {
	for _, m := range []saslMech{&plainMech{user: "u@x", pass: "hunter2hunter2"}, &oauthMech{user: "u@x", token: "tok", bearer: true}} {
		_, shown := m.start()
		if strings.Contains(shown, "14") || strings.Contains(shown, "3 characters") || strings.Contains(shown, "characters") {
			t.Errorf("%s shows the secret's length: %q", m.name(), shown)
		}
		if !strings.Contains(shown, "withheld") {
			t.Errorf("%s shown %q, want the secret named as withheld", m.name(), shown)
		}
	}
}
