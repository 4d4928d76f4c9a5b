package probe

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

const (
	tlsModeImplicit = "implicit"
	tlsModeStartTLS = "starttls"
)

// legacySuites are Go's secure TLS 1.0-1.2 suites plus the RSA
// key-exchange ones Go no longer offers by default (Go 1.22): old servers
// (Exchange 2010, appliances) speak nothing else, and meeting them is what
// lets the probe name the real problem (TLS 1.0, a weak suite) instead of
// a bare handshake failure. The negotiated suite is reported; a weak one
// becomes an observation. TLS 1.3 suites are not configurable and always on.
var legacySuites = func() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	return append(ids, rsaKexSuites...)
}()

var rsaKexSuites = []uint16{
	tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_RSA_WITH_AES_256_CBC_SHA,
}

// tlsConfig is the client configuration for every handshake.
//
// InsecureSkipVerify is set on purpose: the certificate is verified by hand
// right after the handshake (verifyChain), exactly as a client would, so
// that a failure is recorded with its precise reason (dates, names, issuer)
// and the probe can carry on unverified to find out whether AUTH would work
// once the certificate is fixed. A verification failure is never hidden: it
// becomes TLS.VerifyCode and an observation.
//
// MinVersion is TLS 1.0 so that a server stuck on TLS 1.0/1.1 is detected
// and named (tls.protocol_too_old) rather than failing with a bare
// "protocol version" error.
func (p *prober) tlsConfig() *tls.Config {
	cfg := &tls.Config{
		InsecureSkipVerify: true,
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       legacySuites,
	}
	if !p.isIP {
		cfg.ServerName = p.host
	}
	return cfg
}

// handshake runs a TLS handshake over the wire's TCP connection and records
// the session; on failure it returns an error the caller classifies.
func (p *prober) handshake(w *wire, mode string) (*tls.Conn, error) {
	tc := tls.Client(w.raw, p.tlsConfig())
	w.raw.SetDeadline(p.stepDeadline())
	if err := tc.HandshakeContext(p.ctx); err != nil {
		return nil, err
	}
	return tc, nil
}

// recordTLS stores the negotiated session and verifies the certificate.
func (p *prober) recordTLS(tc *tls.Conn, mode string) {
	st := tc.ConnectionState()
	info := &TLSInfo{
		Mode:        mode,
		Version:     tls.VersionName(st.Version),
		CipherSuite: tls.CipherSuiteName(st.CipherSuite),
		ServerName:  p.host,
	}
	for _, c := range st.PeerCertificates {
		info.Chain = append(info.Chain, certInfo(c))
	}
	p.res.TLS = info
	p.tlsActive = true
	p.verifyChain(info, st.PeerCertificates)
	verdict := "certificate verified"
	if !info.Verified {
		verdict = "certificate NOT verified: " + info.VerifyError + "; carrying on unverified to test the rest"
	}
	p.tr.note("%s established, %s, %s", info.Version, info.CipherSuite, verdict)
	if slices.Contains(rsaKexSuites, st.CipherSuite) {
		p.observation(CodeTLSWeakCipher, fmt.Sprintf(
			"the server chose %s, an RSA key-exchange suite without forward secrecy that current clients no longer offer", info.CipherSuite))
	}
	if st.Version < tls.VersionTLS12 {
		p.observation(CodeTLSProtocolTooOld, fmt.Sprintf(
			"the server negotiated %s; TLS 1.0 and 1.1 are deprecated (RFC 8996) and most clients refuse them", info.Version))
	}
}

func certInfo(c *x509.Certificate) Certificate {
	sum := sha256.Sum256(c.Raw)
	ci := Certificate{
		Subject:   Escape(c.Subject.String()),
		Issuer:    Escape(c.Issuer.String()),
		NotBefore: c.NotBefore.UTC(),
		NotAfter:  c.NotAfter.UTC(),
		SHA256:    hex.EncodeToString(sum[:]),
	}
	for _, n := range c.DNSNames {
		ci.DNSNames = append(ci.DNSNames, Escape(n))
	}
	for _, ip := range c.IPAddresses {
		ci.IPs = append(ci.IPs, ip.String())
	}
	return ci
}

// verifyChain checks the certificate the way a mail client would (RFC 8314
// §4.3 and RFC 6125 name checks) but looks at each property on its own, so
// that every problem is named: validity dates, the host name, the issuer.
// VerifyCode is the first problem in the order Go's verifier reports them
// (dates, name, trust).
func (p *prober) verifyChain(info *TLSInfo, certs []*x509.Certificate) {
	if len(certs) == 0 {
		info.VerifyError = "the server presented no certificate"
		info.VerifyCode = CodeTLSCertUntrusted
		p.observation(CodeTLSCertUntrusted, info.VerifyError)
		return
	}
	leaf := certs[0]
	now := time.Now()
	type problem struct {
		code Code
		text string
	}
	var problems []problem
	const day = "2006-01-02 15:04 MST"
	switch {
	case now.After(leaf.NotAfter):
		problems = append(problems, problem{CodeTLSCertExpired, fmt.Sprintf(
			"the certificate expired on %s (valid from %s)", leaf.NotAfter.UTC().Format(day), leaf.NotBefore.UTC().Format(day))})
	case now.Before(leaf.NotBefore):
		problems = append(problems, problem{CodeTLSCertExpired, fmt.Sprintf(
			"the certificate is not valid until %s (now %s)", leaf.NotBefore.UTC().Format(day), now.UTC().Format(day))})
	}
	if err := leaf.VerifyHostname(p.host); err != nil {
		problems = append(problems, problem{CodeTLSCertHostnameMismatch, fmt.Sprintf(
			"the certificate is for %s, not %s", certNames(leaf), p.host)})
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	// Trust is checked at the moment closest to now when the leaf is
	// valid, so that an expired certificate from a trusted CA is reported
	// as expired, not also as untrusted.
	at := now
	switch {
	case at.After(leaf.NotAfter):
		at = leaf.NotAfter.Add(-time.Second)
	case at.Before(leaf.NotBefore):
		at = leaf.NotBefore.Add(time.Second)
	}
	var err error
	if p.o.ExtraRoots != nil {
		_, err = leaf.Verify(x509.VerifyOptions{Roots: p.o.ExtraRoots, Intermediates: inter, CurrentTime: at})
	}
	if p.o.ExtraRoots == nil || err != nil {
		_, err = leaf.Verify(x509.VerifyOptions{Roots: p.o.RootCAs, Intermediates: inter, CurrentTime: at})
	}
	if err != nil {
		var ua x509.UnknownAuthorityError
		var ci x509.CertificateInvalidError
		switch {
		case errors.As(err, &ua):
			text := fmt.Sprintf("the certificate is issued by %q, which is not a trusted authority", leaf.Issuer.String())
			if leaf.Issuer.String() == leaf.Subject.String() && leaf.CheckSignatureFrom(leaf) == nil {
				text = fmt.Sprintf("the certificate is self-signed (%q)", leaf.Subject.String())
			}
			problems = append(problems, problem{CodeTLSCertUntrusted, text})
		case errors.As(err, &ci) && ci.Reason == x509.Expired:
			if len(problems) == 0 || problems[0].code != CodeTLSCertExpired {
				problems = append(problems, problem{CodeTLSCertExpired, "a certificate in the chain is expired or not yet valid: " + err.Error()})
			}
		default:
			problems = append(problems, problem{CodeTLSCertUntrusted, "the certificate chain does not verify: " + err.Error()})
		}
	}
	if len(problems) == 0 {
		info.Verified = true
		return
	}
	var texts []string
	for _, pr := range problems {
		texts = append(texts, pr.text)
		p.observation(pr.code, pr.text)
	}
	info.VerifyCode = problems[0].code
	info.VerifyError = Escape(strings.Join(texts, "; "))
}

// certNames lists the names a certificate carries, for a mismatch message.
func certNames(c *x509.Certificate) string {
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName+" (common name only)")
	}
	if len(names) == 0 {
		return "no name at all"
	}
	return strings.Join(names, ", ")
}

// implicitTLS starts TLS with the connection (RFC 8314 §3.3).
func (p *prober) implicitTLS() bool {
	p.beginStep(StepTLS)
	tc, err := p.handshake(p.w, tlsModeImplicit)
	if err != nil {
		p.handshakeFailed(err, tlsModeImplicit)
		return false
	}
	p.w.upgrade(tc)
	p.recordTLS(tc, tlsModeImplicit)
	p.finishStep(p.tlsStepStatus(), "")
	return true
}

func (p *prober) tlsStepStatus() StepStatus {
	if p.res.TLS != nil && (!p.res.TLS.Verified || p.res.TLS.Version == "TLS 1.0" || p.res.TLS.Version == "TLS 1.1") {
		return StepWarning
	}
	return StepOK
}

// handshakeFailed tells apart the reasons a handshake fails: plaintext
// SMTP where TLS was expected (the wrong mode for this port), another
// service, silence, an old protocol, or a real TLS failure.
func (p *prober) handshakeFailed(err error, mode string) {
	first := p.w.raw.firstBytes()
	if mode == tlsModeImplicit {
		if _, _, _, ok := parseLine(firstLine(first)); ok && len(first) >= 3 {
			text := firstLine(first)
			p.tr.add(DirServer, text)
			detail := fmt.Sprintf("the server sent a plaintext SMTP greeting (%q) instead of a TLS handshake: port %d speaks plaintext SMTP; use security starttls (or none), or port 465 for implicit TLS", truncate(text, 60), p.s.Port)
			p.observation(CodeTLSImplicitOnPlainPort, detail)
			p.fail(CodeTLSImplicitOnPlainPort, "", detail+" (TLS error: "+err.Error()+")")
			return
		}
		if len(first) > 0 && first[0] != 0x15 && first[0] != 0x16 {
			kind := notSMTPKind(first)
			p.observation(CodeSMTPNotSMTP, kind)
			p.fail(CodeSMTPNotSMTP, "", kind)
			return
		}
	}
	switch {
	case p.ctx.Err() != nil || isTimeout(err):
		p.failIO("", err)
	case strings.Contains(err.Error(), "protocol version"):
		p.fail(CodeTLSProtocolTooOld, "", "TLS handshake failed on the protocol version: "+err.Error())
	case isClosed(err) && len(first) == 0:
		p.fail(CodeTLSHandshakeFailed, "", "the server closed the connection during the TLS handshake: "+err.Error())
	default:
		p.fail(CodeTLSHandshakeFailed, "", "TLS handshake failed: "+err.Error())
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimRight(s, "\r")
}

// startTLS upgrades a plaintext session when asked to or, in auto mode,
// when the server offers it (RFC 3207).
func (p *prober) startTLS() bool {
	if p.tlsActive || p.s.Security == SecurityNone {
		return true
	}
	_, offered := p.ext["STARTTLS"]
	if !offered {
		if p.s.Security == SecurityStartTLS {
			p.beginStep(StepStartTLS)
			p.fail(CodeTLSStartTLSNotOffered, "", "the server does not advertise STARTTLS in its EHLO reply")
			return false
		}
		p.tr.note("the server does not offer STARTTLS; carrying on in plaintext")
		p.observation(CodeTLSStartTLSNotOffered, "the server does not offer STARTTLS; auto mode carried on without encryption")
		return true
	}
	p.beginStep(StepStartTLS)
	const cmd = "STARTTLS"
	r, ok := p.exchange(cmd)
	if !ok {
		return false
	}
	if r.Code != 220 {
		p.failReply(cmd, r)
		return false
	}
	// Anything the server sent after its 220 and before the handshake
	// would be read as if it came over TLS: drop it (the STARTTLS
	// response-injection attack, RFC 3207 §5 and CVE-2011-0411's kin).
	if n := p.w.r.Buffered(); n > 0 {
		b, _ := p.w.r.Peek(n)
		p.tr.note("discarded %d bytes the server sent after its 220 and before TLS: %q", n, truncate(string(b), 200))
	}
	tc, err := p.handshake(p.w, tlsModeStartTLS)
	if err != nil {
		p.handshakeFailed(err, tlsModeStartTLS)
		return false
	}
	p.w.upgrade(tc)
	p.recordTLS(tc, tlsModeStartTLS)
	p.finishStep(p.tlsStepStatus(), "")
	// RFC 3207 §4.2: forget what was learnt before TLS, EHLO again.
	p.ext = nil
	return p.ehlo(StepEHLOTLS)
}
