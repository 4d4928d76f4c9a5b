package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// gen_smtp, the Erlang client under Elixir's Swoosh and Bamboo, reports a
// failure as a term: {error, no_more_hosts, {permanent_failure, Host,
// auth_failed}} in Erlang, {:error, {:retries_exceeded, {:network_failure,
// ~c"smtp.example.com", {:error, :timeout}}}} as Elixir prints it. The
// reason is the server's reply (a binary: "535 5.7.8 …") or one of the
// client's atoms (gen_smtp_client.erl: auth_failed when every mechanism
// was refused, tls_failed, ssl_not_started, missing_requirement auth or
// tls, a network error's inet reason).
var genSMTPFailure = regexp.MustCompile(`:?\b(permanent_failure|temporary_failure|missing_requirement|network_failure)\s*,\s*(?:~c)?["']([^"']*)["']\s*,\s*(.*)$`)

// genSMTPAtom is the atom a reason starts with, without Elixir's colon.
var genSMTPAtom = regexp.MustCompile(`^:?([a-z_]+)`)

// genSMTPAtoms are gen_smtp's own reasons: the step and code each means.
var genSMTPAtoms = []struct {
	kind, atom string
	step       string
	code       probe.Code
	what       string
}{
	{"permanent_failure", "auth_failed", probe.StepAuth, probe.CodeAuthCredentialsRejected, "the server refused every login mechanism gen_smtp tried"},
	{"permanent_failure", "ssl_not_started", probe.StepTLS, probe.CodeTLSHandshakeFailed, "the TLS handshake did not complete"},
	{"temporary_failure", "tls_failed", probe.StepStartTLS, probe.CodeTLSStartTLSFailed, "STARTTLS or its handshake failed"},
	{"missing_requirement", "auth", probe.StepAuth, probe.CodeAuthNotOffered, "the server offered no AUTH, and the client was told to log in always"},
	{"missing_requirement", "tls", probe.StepStartTLS, probe.CodeTLSStartTLSNotOffered, "the server offered no STARTTLS, and the client was told to use TLS always"},
}

// genSMTPNetwork maps an inet reason (or a TLS alert) in a network_failure
// to its code, first match wins.
var genSMTPNetwork = []struct {
	reason string
	step   string
	code   probe.Code
}{
	{"nxdomain", probe.StepResolve, probe.CodeDNSNoSuchHost},
	{"econnrefused", probe.StepConnect, probe.CodeNetRefused},
	{"ehostunreach", probe.StepConnect, probe.CodeNetUnreachable},
	{"enetunreach", probe.StepConnect, probe.CodeNetUnreachable},
	{"timeout", probe.StepConnect, probe.CodeNetTimeout},
	{"etimedout", probe.StepConnect, probe.CodeNetTimeout},
	{"hostname_check_failed", probe.StepTLS, probe.CodeTLSCertHostnameMismatch},
	{"certificate_expired", probe.StepTLS, probe.CodeTLSCertExpired},
	{"unknown_ca", probe.StepTLS, probe.CodeTLSCertUntrusted},
	{"bad_certificate", probe.StepTLS, probe.CodeTLSCertUntrusted},
	{"tls_alert", probe.StepTLS, probe.CodeTLSHandshakeFailed},
	{"closed", probe.StepConnect, probe.CodeNetClosed},
}

var formatGenSMTP = &format{
	Name:  "gen_smtp",
	Title: "gen_smtp error terms (Erlang; Elixir's Swoosh and Bamboo)",
	kind:  kindError,
	claims: func(line string) bool {
		return (strings.Contains(line, "_failure") || strings.Contains(line, "missing_requirement")) && genSMTPFailure.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		for _, line := range lines {
			m := genSMTPFailure.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			kind, reason := m[1], strings.TrimSpace(m[3])
			if plausibleHost(m[2]) {
				r.setHost(m[2])
			}
			if kind == "network_failure" {
				for _, n := range genSMTPNetwork {
					if strings.Contains(reason, n.reason) {
						r.s.fail(n.step, n.code, "gen_smtp: network_failure "+strings.TrimRight(reason, "}) "))
						return
					}
				}
				continue
			}
			atom := ""
			if a := genSMTPAtom.FindStringSubmatch(reason); a != nil {
				atom = a[1]
			}
			for _, a := range genSMTPAtoms {
				if kind == a.kind && atom == a.atom {
					r.s.fail(a.step, a.code, "gen_smtp: "+a.atom+" ("+a.what+")")
					return
				}
			}
			// The server's reply, as a binary: <<"535 5.7.8 …">> in
			// Erlang, "535 5.7.8 …" in Elixir.
			if code, rl, ok := extractReply(strings.TrimPrefix(strings.TrimLeft(reason, "<\"'"), "~c"), nil); ok {
				r.s.failReply("", "", code, rl)
				return
			}
		}
	},
}
