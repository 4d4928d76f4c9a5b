package discover_test

import (
	"net"
	"slices"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
)

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func sandboxPort(t *testing.T, sb *sandbox.Sandbox, name string) int {
	t.Helper()
	ap, ok := sb.Addr(name)
	if !ok {
		t.Fatalf("no sandbox %s server", name)
	}
	return int(ap.Port())
}

// The sandbox's servers stand in for one host's 465, 587, 25 and 2525:
// implicit TLS with AUTH, STARTTLS with AUTH after TLS, an MX without AUTH,
// and a port nothing listens on; plus implicit TLS sent to the STARTTLS
// port.
func TestTryAllMapsTheHost(t *testing.T) {
	sb, err := sandbox.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	implicit := sandboxPort(t, sb, sandbox.ServerImplicit)
	submission := sandboxPort(t, sb, sandbox.ServerSubmission)
	mx := sandboxPort(t, sb, sandbox.ServerMX)
	closed := closedPort(t)
	opts := discover.TryOptions{
		Probe: probe.Options{RootCAs: sb.RootCAs(), StepTimeout: 2 * time.Second},
		Combos: []discover.Combo{
			{Port: mx, Security: probe.SecurityStartTLS},
			{Port: closed, Security: probe.SecurityStartTLS},
			{Port: submission, Security: probe.SecurityTLS},
			{Port: submission, Security: probe.SecurityStartTLS},
			{Port: implicit, Security: probe.SecurityTLS},
		},
	}

	m := discover.TryAll(t.Context(), "127.0.0.1", "", probe.Secret{}, opts)
	if len(m.Rows) != 5 {
		t.Fatalf("%d rows, want 5", len(m.Rows))
	}
	plainAuth := []string{"PLAIN", "LOGIN"}
	want := []discover.Row{
		{Port: mx, Security: probe.SecurityStartTLS, Answered: true, STARTTLS: true, TLS: true, TLSVerified: true},
		{Port: closed, Security: probe.SecurityStartTLS, Code: "net.refused"},
		{Port: submission, Security: probe.SecurityTLS, Code: "tls.implicit_on_plain_port"},
		{Port: submission, Security: probe.SecurityStartTLS, Answered: true, STARTTLS: true, TLS: true, TLSVerified: true, AuthAfterTLS: plainAuth, Code: "ok"},
		{Port: implicit, Security: probe.SecurityTLS, Answered: true, TLS: true, TLSVerified: true, AuthAfterTLS: plainAuth, Code: "ok"},
	}
	for i, w := range want {
		g := m.Rows[i]
		if g.Port != w.Port || g.Security != w.Security || g.Answered != w.Answered || g.STARTTLS != w.STARTTLS ||
			g.TLS != w.TLS || g.TLSVerified != w.TLSVerified || !slices.Equal(g.AuthBeforeTLS, w.AuthBeforeTLS) ||
			!slices.Equal(g.AuthAfterTLS, w.AuthAfterTLS) || (w.Code != "" && g.Code != w.Code) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, brieflyRow(g), brieflyRow(w))
		}
		if g.Answered && g.Greeting == "" {
			t.Errorf("row %d answered without a greeting", i)
		}
		if !g.Answered && g.Failure == "" {
			t.Errorf("row %d: no answer and no failure", i)
		}
		if g.Result.Auth != nil && g.Result.Auth.Mechanism != "" {
			t.Errorf("row %d tried AUTH %s without a user", i, g.Result.Auth.Mechanism)
		}
	}
	// The MX answers fine but offers no AUTH: not where to submit.
	if m.Best != 3 {
		t.Errorf("Best = %d, want 3 (the first with AUTH over TLS)", m.Best)
	}
	if m.Login != nil {
		t.Error("logged in without a user")
	}
}

func TestTryAllLogsInOnceOnTheBest(t *testing.T) {
	sb, err := sandbox.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	opts := discover.TryOptions{
		Probe: probe.Options{RootCAs: sb.RootCAs(), StepTimeout: 2 * time.Second},
		Combos: []discover.Combo{
			{Port: sandboxPort(t, sb, sandbox.ServerImplicit), Security: probe.SecurityTLS},
			{Port: sandboxPort(t, sb, sandbox.ServerSubmission), Security: probe.SecurityStartTLS},
		},
	}
	for _, tc := range []struct {
		password string
		code     probe.Code
	}{
		{sandbox.DemoPassword, "ok"},
		{"not-the-password", "auth.credentials_rejected"},
	} {
		m := discover.TryAll(t.Context(), "127.0.0.1", sandbox.DemoUser, probe.Secret{Password: tc.password}, opts)
		if m.Best != 0 || m.Login == nil {
			t.Fatalf("Best = %d, Login = %v; want a login on row 0", m.Best, m.Login)
		}
		if m.Login.Settings.Port != opts.Combos[0].Port || m.Login.Settings.User != sandbox.DemoUser {
			t.Errorf("login settings %+v", m.Login.Settings)
		}
		if m.Login.Diagnosis == nil || m.Login.Diagnosis.Code != tc.code {
			t.Errorf("login diagnosis %+v, want %s", m.Login.Diagnosis, tc.code)
		}
		for i, r := range m.Rows {
			if r.Result.Auth != nil && r.Result.Auth.Mechanism != "" {
				t.Errorf("row %d tried AUTH; only the one login may", i)
			}
		}
	}
}

// Without the sandbox's root nothing verifies; the first row with AUTH over
// TLS is still the one to use, and no login is tried when nothing offers
// AUTH at all.
func TestTryAllBestWithoutVerifiedTLS(t *testing.T) {
	sb, err := sandbox.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	combos := []discover.Combo{
		{Port: sandboxPort(t, sb, sandbox.ServerMX), Security: probe.SecurityStartTLS},
		{Port: sandboxPort(t, sb, sandbox.ServerSubmission), Security: probe.SecurityStartTLS},
	}
	m := discover.TryAll(t.Context(), "127.0.0.1", "", probe.Secret{}, discover.TryOptions{
		Probe: probe.Options{StepTimeout: 2 * time.Second}, Combos: combos,
	})
	if m.Best != 1 || m.Rows[1].TLSVerified || m.Rows[1].Code != "tls.cert_untrusted" {
		t.Errorf("Best = %d, row 1 = %+v", m.Best, brieflyRow(m.Rows[1]))
	}

	m = discover.TryAll(t.Context(), "127.0.0.1", sandbox.DemoUser, probe.Secret{Password: sandbox.DemoPassword}, discover.TryOptions{
		Probe: probe.Options{RootCAs: sb.RootCAs(), StepTimeout: 2 * time.Second}, Combos: combos[:1],
	})
	if m.Best != -1 || m.Login != nil {
		t.Errorf("MX only: Best = %d, Login = %v; want none", m.Best, m.Login)
	}
}

func TestDefaultCombos(t *testing.T) {
	got := discover.DefaultCombos()
	want := []discover.Combo{{465, probe.SecurityTLS}, {587, probe.SecurityStartTLS}, {25, probe.SecurityStartTLS}, {2525, probe.SecurityStartTLS}}
	if !slices.Equal(got, want) {
		t.Errorf("DefaultCombos = %v", got)
	}
}

// brieflyRow drops the Result so rows print readably.
func brieflyRow(r discover.Row) discover.Row {
	r.Result = probe.Result{}
	return r
}
