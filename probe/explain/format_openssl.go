package explain

import (
	"regexp"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// openssl s_client -connect host:port [-starttls smtp]: "CONNECTED(...)",
// the chain ("depth=0 CN = ..."), "verify error:num=N:reason", "Verify
// return code: N (reason)", then the SMTP session typed by hand: replies
// start with a code, the rest is what was typed.
var (
	osslVerifyError = regexp.MustCompile(`verify error:num=(\d+):(.*)$`)
	osslVerifyCode  = regexp.MustCompile(`Verify return code: (\d+) \((.*)\)`)
	osslConnect     = regexp.MustCompile(`-connect\s+(\S+)`)
	osslDepth0      = regexp.MustCompile(`^depth=0 (.*)$`)
	osslVerb        = regexp.MustCompile(`(?i)^(EHLO|HELO|AUTH|MAIL FROM|RCPT TO|DATA|QUIT)\b`)
)

var formatOpenSSL = &format{
	Name:  "openssl",
	Title: "openssl s_client output",
	kind:  kindTranscript,
	claims: func(line string) bool {
		return strings.HasPrefix(line, "CONNECTED(") || osslVerifyError.MatchString(line) || osslVerifyCode.MatchString(line) ||
			strings.Contains(line, "s_client") || strings.HasPrefix(line, "depth=") || strings.HasPrefix(line, "verify return:")
	},
	read: func(r *reader, lines []string) {
		verifyCode, verifyWhy := "", ""
		inCert := false
		handshakeDone := false
		for _, line := range lines {
			t := strings.TrimSpace(line)
			if m := osslConnect.FindStringSubmatch(line); m != nil {
				h, p := hostPort(m[1])
				r.setHost(h)
				r.setPort(p)
				if strings.Contains(line, "-starttls smtp") {
					r.setSecurity(probe.SecurityStartTLS)
				} else {
					r.setSecurity(probe.SecurityTLS)
				}
			}
			switch {
			case strings.HasPrefix(t, "-----BEGIN"):
				inCert = true
				continue
			case strings.HasPrefix(t, "-----END"):
				inCert = false
				continue
			case inCert:
				continue
			}
			if m := osslDepth0.FindStringSubmatch(t); m != nil {
				r.s.note(timeZero, "server certificate: "+m[1])
				continue
			}
			if m := osslVerifyError.FindStringSubmatch(t); m != nil && verifyCode == "" {
				verifyCode, verifyWhy = m[1], m[2]
				r.s.note(timeZero, t)
				continue
			}
			if m := osslVerifyCode.FindStringSubmatch(t); m != nil {
				if m[1] != "0" && verifyCode == "" {
					verifyCode, verifyWhy = m[1], m[2]
				}
				handshakeDone = true
				r.s.note(timeZero, t)
				continue
			}
			if strings.HasPrefix(t, "CONNECTED(") || strings.HasPrefix(t, "didn't find starttls") {
				r.s.note(timeZero, t)
				if strings.HasPrefix(t, "didn't find starttls") {
					r.s.fail(probe.StepStartTLS, probe.CodeTLSStartTLSNotOffered, t)
				}
				continue
			}
			if sign, ok := netSignIn(t); ok && r.res.Failure == nil && !handshakeDone {
				r.netFailure(sign, t)
				continue
			}
			if _, _, _, ok := replyLine(t); ok && handshakeDone {
				r.s.server(timeZero, t)
				continue
			}
			if handshakeDone && osslVerb.MatchString(t) || r.s.wait != waitNone && handshakeDone && t != "" {
				r.s.client(timeZero, t)
			}
		}
		if verifyCode != "" && r.res.Failure == nil {
			r.s.fail(probe.StepTLS, opensslVerifyCode(verifyCode), "verify error "+verifyCode+": "+verifyWhy)
		}
	},
}

// opensslVerifyCode maps OpenSSL's X509_V_ERR numbers (openssl verify(1),
// "Diagnostics") to diagnosis codes.
func opensslVerifyCode(n string) probe.Code {
	switch n {
	case "9", "10":
		return probe.CodeTLSCertExpired // not yet valid, expired
	case "62":
		return probe.CodeTLSCertHostnameMismatch
	}
	return probe.CodeTLSCertUntrusted // 18, 19, 20, 21 and the rest
}
