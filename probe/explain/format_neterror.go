package explain

import (
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// netSign is a phrase that names a failure below SMTP, the code it means
// and the step where it happens. Phrases are lower case; the first that
// matches a line wins, so the specific come before the general.
type netSign struct {
	phrase string
	code   probe.Code
	step   string
}

var netSigns = []netSign{
	// Implicit TLS spoken to a port that starts in plaintext: the client
	// reads the "220 " banner as a TLS record.
	{"wrong version number", probe.CodeTLSImplicitOnPlainPort, probe.StepTLS},
	{"wrong_version_number", probe.CodeTLSImplicitOnPlainPort, probe.StepTLS},
	{"first record does not look like a tls handshake", probe.CodeTLSImplicitOnPlainPort, probe.StepTLS},
	{"unrecognized ssl message, plaintext connection", probe.CodeTLSImplicitOnPlainPort, probe.StepTLS},
	{"packet length too long", probe.CodeTLSImplicitOnPlainPort, probe.StepTLS},
	{"greeting never received", probe.CodeSMTPNoGreeting, probe.StepGreeting},

	{"certificate has expired", probe.CodeTLSCertExpired, probe.StepTLS},
	{"cert_has_expired", probe.CodeTLSCertExpired, probe.StepTLS},
	{"certificate expired", probe.CodeTLSCertExpired, probe.StepTLS},
	{"expired or is not yet valid", probe.CodeTLSCertExpired, probe.StepTLS},
	{"hostname/ip does not match certificate", probe.CodeTLSCertHostnameMismatch, probe.StepTLS},
	{"err_tls_cert_altname_invalid", probe.CodeTLSCertHostnameMismatch, probe.StepTLS},
	{"no alternative certificate subject name matches", probe.CodeTLSCertHostnameMismatch, probe.StepTLS},
	{"hostname mismatch", probe.CodeTLSCertHostnameMismatch, probe.StepTLS},
	{"did not match the name given in the server's ssl certificate", probe.CodeTLSCertHostnameMismatch, probe.StepTLS}, // MailKit
	{"x509: certificate is valid for", probe.CodeTLSCertHostnameMismatch, probe.StepTLS},
	{"certificate is not valid for any names", probe.CodeTLSCertHostnameMismatch, probe.StepTLS},
	{"self signed certificate", probe.CodeTLSCertUntrusted, probe.StepTLS},
	{"self-signed certificate", probe.CodeTLSCertUntrusted, probe.StepTLS},
	{"depth_zero_self_signed_cert", probe.CodeTLSCertUntrusted, probe.StepTLS},
	{"self_signed_cert_in_chain", probe.CodeTLSCertUntrusted, probe.StepTLS},
	{"unable_to_verify_leaf_signature", probe.CodeTLSCertUntrusted, probe.StepTLS},
	{"unable to verify the first certificate", probe.CodeTLSCertUntrusted, probe.StepTLS},
	{"unable to get local issuer certificate", probe.CodeTLSCertUntrusted, probe.StepTLS},
	{"certificate signed by unknown authority", probe.CodeTLSCertUntrusted, probe.StepTLS},
	{"pkix path building failed", probe.CodeTLSCertUntrusted, probe.StepTLS},
	{"remote certificate is invalid", probe.CodeTLSCertUntrusted, probe.StepTLS},
	{"certificate verify failed", probe.CodeTLSCertUntrusted, probe.StepTLS},
	{"certificate_verify_failed", probe.CodeTLSCertUntrusted, probe.StepTLS},
	{"hasn't got a known issuer", probe.CodeTLSCertUntrusted, probe.StepTLS},
	{"tlsv1 alert protocol version", probe.CodeTLSProtocolTooOld, probe.StepTLS},
	{"unsupported protocol", probe.CodeTLSProtocolTooOld, probe.StepTLS},
	{"no protocols available", probe.CodeTLSProtocolTooOld, probe.StepTLS},
	{"sslv3 alert handshake failure", probe.CodeTLSHandshakeFailed, probe.StepTLS},
	{"handshake failure", probe.CodeTLSHandshakeFailed, probe.StepTLS},
	{"failed to receive handshake", probe.CodeTLSHandshakeFailed, probe.StepTLS},
	{"could not convert socket to tls", probe.CodeTLSHandshakeFailed, probe.StepTLS},
	{"server does not support secure connections", probe.CodeTLSStartTLSNotOffered, probe.StepStartTLS},
	{"didn't find starttls in server response", probe.CodeTLSStartTLSNotOffered, probe.StepStartTLS},

	{"enotfound", probe.CodeDNSNoSuchHost, probe.StepResolve},
	{"no such host", probe.CodeDNSNoSuchHost, probe.StepResolve},
	{"name or service not known", probe.CodeDNSNoSuchHost, probe.StepResolve},
	{"nodename nor servname provided", probe.CodeDNSNoSuchHost, probe.StepResolve},
	{"no address associated with hostname", probe.CodeDNSNoSuchHost, probe.StepResolve},
	{"unknownhostexception", probe.CodeDNSNoSuchHost, probe.StepResolve},
	{"no such host is known", probe.CodeDNSNoSuchHost, probe.StepResolve},
	{"getaddrinfo eai_again", probe.CodeDNSFailure, probe.StepResolve},
	{"temporary failure in name resolution", probe.CodeDNSFailure, probe.StepResolve},

	{"econnrefused", probe.CodeNetRefused, probe.StepConnect},
	{"connection refused", probe.CodeNetRefused, probe.StepConnect},
	{"actively refused", probe.CodeNetRefused, probe.StepConnect},
	{"ehostunreach", probe.CodeNetUnreachable, probe.StepConnect},
	{"enetunreach", probe.CodeNetUnreachable, probe.StepConnect},
	{"no route to host", probe.CodeNetUnreachable, probe.StepConnect},
	{"network is unreachable", probe.CodeNetUnreachable, probe.StepConnect},
	{"etimedout", probe.CodeNetTimeout, probe.StepConnect},
	{"connection timed out", probe.CodeNetTimeout, probe.StepConnect},
	{"connection timeout", probe.CodeNetTimeout, probe.StepConnect},
	{"connect timed out", probe.CodeNetTimeout, probe.StepConnect},
	{"i/o timeout", probe.CodeNetTimeout, probe.StepConnect},
	{"did not properly respond after a period of time", probe.CodeNetTimeout, probe.StepConnect},
	{"operation timed out", probe.CodeNetTimeout, probe.StepConnect},
	{"econnreset", probe.CodeNetClosed, probe.StepConnect},
	{"connection reset by peer", probe.CodeNetClosed, probe.StepConnect},
	{"connection unexpectedly closed", probe.CodeNetClosed, probe.StepConnect},
	{"connection closed unexpectedly", probe.CodeNetClosed, probe.StepConnect},
	{"remote host closed connection unexpectedly", probe.CodeNetClosed, probe.StepConnect},
	{"forcibly closed by the remote host", probe.CodeNetClosed, probe.StepConnect},
	{"failure when receiving data from the peer", probe.CodeNetClosed, probe.StepConnect}, // libcurl's CURLE_RECV_ERROR
	{"broken pipe", probe.CodeNetClosed, probe.StepConnect},
	// .NET's System.Net.Mail reading a greeting that never came (most
	// often STARTTLS mode against the implicit-TLS port 465, which it
	// cannot speak).
	{"net_io_connectionclosed", probe.CodeSMTPNoGreeting, probe.StepGreeting},
	// msmtp: the connection ended before a reply (often TLS spoken to a
	// plaintext port, or the reverse).
	{"the server sent an empty reply", probe.CodeNetClosed, probe.StepGreeting},
}

// netSignIn finds the first sign in line.
func netSignIn(line string) (netSign, bool) {
	l := strings.ToLower(line)
	for _, s := range netSigns {
		if strings.Contains(l, s.phrase) {
			return s, true
		}
	}
	return netSign{}, false
}

var formatNetError = &format{
	Name:    "neterror",
	Title:   "network and TLS errors of any client (ECONNREFUSED, ETIMEDOUT, wrong version number, certificate errors)",
	kind:    kindError,
	generic: true,
	claims: func(line string) bool {
		_, ok := netSignIn(line)
		return ok
	},
	read: func(r *reader, lines []string) {
		for _, l := range lines {
			if sign, ok := netSignIn(l); ok {
				r.netFailure(sign, l)
				return
			}
		}
	},
}

// netFailure records a failure below SMTP from an error line, and the
// host and port the line names.
func (r *reader) netFailure(sign netSign, line string) {
	step := sign.step
	switch {
	case step == probe.StepTLS && r.s.tls:
		step = probe.StepStartTLS
	case step == probe.StepTLS && r.s.step == probe.StepStartTLS:
		step = probe.StepStartTLS
	case step == probe.StepConnect && r.s.sawSMTP && sign.code == probe.CodeNetTimeout:
		// A timeout in the middle of the conversation is the server
		// going silent, not a firewall.
		step, sign.code = r.s.step, probe.CodeSMTPTimeout
	case step == probe.StepConnect && r.s.sawSMTP && sign.code == probe.CodeNetClosed:
		step = r.s.step
	}
	if h, p := hostPort(line); h != "" && !strings.HasPrefix(h, "0.") {
		r.setHost(h)
		r.setPort(p)
	}
	code := sign.code
	if code == probe.CodeSMTPNoGreeting && r.res.Settings.Port == 465 {
		// Plaintext to the implicit-TLS port: the server waits for a TLS
		// ClientHello and never greets.
		code, step = probe.CodeTLSPlainOnImplicitPort, probe.StepGreeting
	}
	if code == probe.CodeTLSImplicitOnPlainPort && r.res.Settings.Security == probe.SecurityAuto {
		r.res.Settings.Security = probe.SecurityTLS
	}
	r.s.fail(step, code, strings.TrimSpace(line))
}
