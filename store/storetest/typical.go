package storetest

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// server is one kind of server a dashboard user points the probe at.
type server struct {
	host, ip, banner, ehloName string
	ext, extTLS                []string
	issuer                     string
}

var servers = []server{
	{"smtp.gmail.com", "142.250.27.108", "smtp.gmail.com ESMTP a640c23a62f3a-b8d1a2f1c3sm1234567b.12 - gsmtp", "smtp.gmail.com at your service, [203.0.113.7]",
		[]string{"SIZE 35882577", "8BITMIME", "STARTTLS", "ENHANCEDSTATUSCODES", "PIPELINING", "CHUNKING", "SMTPUTF8"},
		[]string{"SIZE 35882577", "8BITMIME", "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH", "ENHANCEDSTATUSCODES", "PIPELINING", "CHUNKING", "SMTPUTF8"},
		"CN=WR2,O=Google Trust Services,C=US"},
	{"smtp.office365.com", "52.98.207.242", "AM0PR02CA0123.outlook.office365.com Microsoft ESMTP MAIL Service ready at Mon, 2 Mar 2026 09:00:00 +0000 08DE5B4C2E1A9F3D", "AM0PR02CA0123.outlook.office365.com Hello [203.0.113.7]",
		[]string{"SIZE 157286400", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "STARTTLS", "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"},
		[]string{"SIZE 157286400", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "AUTH LOGIN XOAUTH2", "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"},
		"CN=DigiCert Cloud Services CA-1,O=DigiCert Inc,C=US"},
	{"mail.example.org", "192.0.2.25", "mail.example.org ESMTP Postfix (Debian/GNU)", "mail.example.org",
		[]string{"PIPELINING", "SIZE 10240000", "VRFY", "ETRN", "STARTTLS", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"},
		[]string{"PIPELINING", "SIZE 10240000", "VRFY", "ETRN", "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"},
		"CN=R11,O=Let's Encrypt,C=US"},
	{"email-smtp.eu-west-1.amazonaws.com", "52.48.12.33", "email-smtp.amazonaws.com ESMTP SimpleEmailService-d-4ZQ2T8P0L IP8mWq0aHfk3Jx", "email-smtp.amazonaws.com",
		[]string{"8BITMIME", "STARTTLS", "AUTH PLAIN LOGIN", "Ok"},
		[]string{"8BITMIME", "STARTTLS", "AUTH PLAIN LOGIN", "Ok"},
		"CN=Amazon RSA 2048 M02,O=Amazon,C=US"},
}

// scenario is one way a probe can end.
type scenario struct {
	weight  int
	outcome probe.Outcome
	code    probe.Code
	title   string
	step    string   // failing step; "" when it worked
	reply   int      // failing reply code
	lines   []string // failing reply lines
	err     string   // failing Go error, when no reply
}

var scenarios = []scenario{
	{30, probe.OutcomeSuccess, "ok", "Everything worked", "", 0, nil, ""},
	{20, probe.OutcomeFailure, probe.CodeAuthCredentialsRejected, "The server refused the username or password", probe.StepAuth, 535,
		[]string{"5.7.8 Username and Password not accepted. For more information, go to", "5.7.8  https://support.google.com/mail/?p=BadCredentials a640c23a62f3a-b8d1a2f1c3sm1234567b.12 - gsmtp"}, ""},
	{10, probe.OutcomeFailure, probe.CodeAuthBlockedByPolicy, "SMTP AUTH is disabled for this mailbox or tenant", probe.StepAuth, 535,
		[]string{"5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [AM0PR02CA0123.eurprd02.prod.outlook.com 2026-03-02T09:00:00.123Z 08DE5B4C2E1A9F3D]"}, ""},
	{8, probe.OutcomeFailure, probe.CodeAuthAppPasswordRequired, "The provider needs an app password", probe.StepAuth, 534,
		[]string{"5.7.9 Application-specific password required. For more information, go to", "5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor a640c23a62f3a-b8d1a2f1c3sm1234567b.12 - gsmtp"}, ""},
	{8, probe.OutcomeFailure, probe.CodeNetTimeout, "Connecting timed out: a firewall drops the traffic", probe.StepConnect, 0, nil,
		"dial tcp 192.0.2.25:587: i/o timeout"},
	{6, probe.OutcomeFailure, probe.CodeNetRefused, "Connection refused: nothing listens on that port", probe.StepConnect, 0, nil,
		"dial tcp 192.0.2.25:2525: connect: connection refused"},
	{8, probe.OutcomeWarning, probe.CodeTLSCertUntrusted, "The certificate is not signed by a trusted authority", "", 0, nil, ""},
	{5, probe.OutcomeFailure, probe.CodeAuthRequiresTLS, "AUTH is only allowed after STARTTLS", probe.StepAuth, 530,
		[]string{"5.7.0 Must issue a STARTTLS command first"}, ""},
	{5, probe.OutcomeFailure, probe.CodeAuthTemporaryFailure, "The server's login service failed; not your password", probe.StepAuth, 454,
		[]string{"4.7.0 Temporary authentication failure: Connection lost to authentication server"}, ""},
}

var totalWeight = func() int {
	n := 0
	for _, s := range scenarios {
		n += s.weight
	}
	return n
}()

// hosts are the targets; the first few are the big providers, the rest an
// organisation's own servers. Typical picks providers more often.
var hosts = func() []string {
	h := []string{"smtp.gmail.com", "smtp.office365.com", "email-smtp.eu-west-1.amazonaws.com", "smtp.sendgrid.net"}
	for i := range 36 {
		h = append(h, fmt.Sprintf("mail%d.example-%d.org", i%4+1, i))
	}
	return h
}()

var users = []string{"alice@example.org", "bob@example.com", "noreply@shop.example", "apikey", "AKIAIOSFODNN7EXAMPLE", "printer@office.example", "it-helpdesk@example.net"}

// Typical returns one realistic finished attempt started at the given
// time: a fresh id, one of the common outcomes in typical proportions, and
// a transcript of 20 to 30 lines when the conversation got that far.
func Typical(rng *rand.Rand, at time.Time) probe.Result {
	sc := pick(rng)
	var host string
	if rng.IntN(2) == 0 {
		host = hosts[rng.IntN(4)]
	} else {
		host = hosts[rng.IntN(len(hosts))]
	}
	sv := servers[rng.IntN(len(servers))]
	port := []int{587, 587, 587, 465, 25, 2525}[rng.IntN(6)]
	sec := probe.SecurityStartTLS
	if port == 465 {
		sec = probe.SecurityTLS
	}
	user := users[rng.IntN(len(users))]
	ehlo := "probe.example.net"
	r := probe.Result{
		ID:      ID(rng),
		Status:  probe.StatusDone,
		Kind:    probe.KindProbe,
		Outcome: sc.outcome,
		Settings: probe.Settings{Host: host, Port: port, Security: sec, User: user, Mech: probe.MechAuto,
			HELO: ehlo},
		StartedAt: at,
		Origin:    "dashboard-1.example.net",
		Findings:  []probe.Finding{},
	}
	addr := fmt.Sprintf("%s:%d", sv.ip, port)
	t := int64(0)
	tick := func() int64 { t += int64(1 + rng.IntN(40)); return t }
	line := func(d probe.Direction, s string) {
		r.Transcript = append(r.Transcript, probe.Line{AtMS: tick(), Dir: d, Text: s})
	}
	step := func(name string, st probe.StepStatus, detail string) {
		start := t
		tick()
		r.Steps = append(r.Steps, probe.Step{Name: name, Status: st, StartedMS: start, DurationMS: t - start, Detail: detail})
	}

	line(probe.DirNote, "resolving "+host)
	step(probe.StepResolve, probe.StepOK, sv.ip)
	r.Network = &probe.NetworkInfo{Used: addr}
	line(probe.DirNote, "connecting to "+addr)
	if sc.step == probe.StepConnect {
		step(probe.StepConnect, probe.StepFailed, sc.err)
		r.Network.Addresses = []probe.AddressAttempt{{Address: addr, Result: "timeout", Error: sc.err, DurationMS: 10000}}
		line(probe.DirNote, sc.err)
		return finish(rng, r, sc, t)
	}
	r.Network.Addresses = []probe.AddressAttempt{{Address: addr, Result: "connected", DurationMS: int64(5 + rng.IntN(80))}}
	step(probe.StepConnect, probe.StepOK, "")
	r.Server = &probe.ServerInfo{Address: addr, Banner: []string{sv.banner}, EHLODomain: sv.ehloName, Extensions: sv.ext, ExtensionsTLS: sv.extTLS}
	line(probe.DirServer, "220 "+sv.banner)
	step(probe.StepGreeting, probe.StepOK, "")
	ehloLines := func(ext []string) {
		line(probe.DirClient, "EHLO "+ehlo)
		line(probe.DirServer, "250-"+sv.ehloName)
		for i, e := range ext {
			sep := "-"
			if i == len(ext)-1 {
				sep = " "
			}
			line(probe.DirServer, "250"+sep+e)
		}
	}
	ehloLines(sv.ext)
	step(probe.StepEHLO, probe.StepOK, "")
	if sc.code == probe.CodeAuthRequiresTLS {
		line(probe.DirClient, "AUTH PLAIN [redacted]")
		return fail(rng, r, sc, t, line)
	}
	line(probe.DirClient, "STARTTLS")
	line(probe.DirServer, "220 2.0.0 Ready to start TLS")
	r.TLS = tlsInfo(rng, host, sv, sc)
	line(probe.DirNote, fmt.Sprintf("TLS %s established, %s", r.TLS.Version, r.TLS.CipherSuite))
	tlsStatus := probe.StepOK
	if !r.TLS.Verified {
		tlsStatus = probe.StepWarning
		line(probe.DirNote, "certificate not verified: "+r.TLS.VerifyError)
	}
	step(probe.StepStartTLS, tlsStatus, "")
	ehloLines(sv.extTLS)
	step(probe.StepEHLOTLS, probe.StepOK, "")
	r.Auth = &probe.AuthInfo{OfferedAfterTLS: []string{"PLAIN", "LOGIN"}, Mechanism: "PLAIN"}
	line(probe.DirClient, "AUTH PLAIN [redacted]")
	if sc.step == probe.StepAuth {
		return fail(rng, r, sc, t, line)
	}
	line(probe.DirServer, "235 2.7.0 Authentication successful")
	r.Auth.Succeeded = true
	step(probe.StepAuth, probe.StepOK, "")
	line(probe.DirClient, "QUIT")
	line(probe.DirServer, "221 2.0.0 Bye")
	step(probe.StepQuit, probe.StepOK, "")
	return finish(rng, r, sc, t)
}

func pick(rng *rand.Rand) scenario {
	n := rng.IntN(totalWeight)
	for _, s := range scenarios {
		if n < s.weight {
			return s
		}
		n -= s.weight
	}
	return scenarios[0]
}

// fail records the failing reply of sc at its step.
func fail(rng *rand.Rand, r probe.Result, sc scenario, t int64, line func(probe.Direction, string)) probe.Result {
	for i, l := range sc.lines {
		sep := "-"
		if i == len(sc.lines)-1 {
			sep = " "
		}
		line(probe.DirServer, fmt.Sprintf("%d%s%s", sc.reply, sep, l))
	}
	r.Steps = append(r.Steps, probe.Step{Name: sc.step, Status: probe.StepFailed, StartedMS: t - 30, DurationMS: 30})
	line(probe.DirClient, "QUIT")
	line(probe.DirServer, "221 2.0.0 Bye")
	return finish(rng, r, sc, t)
}

// finish adds the failure, the diagnosis and findings.
func finish(rng *rand.Rand, r probe.Result, sc scenario, t int64) probe.Result {
	r.DurationMS = t + int64(rng.IntN(50))
	if sc.step != "" {
		r.Failure = &probe.Failure{Step: sc.step, Reply: sc.reply, Lines: sc.lines, Err: sc.err}
		if sc.reply != 0 {
			r.Failure.Command = "AUTH PLAIN [redacted]"
			r.Failure.Enhanced = fmt.Sprintf("%d.7.%d", sc.reply/100, 8)
		} else {
			r.Failure.Code = sc.code
		}
	}
	sev := probe.SeverityError
	switch sc.outcome {
	case probe.OutcomeSuccess:
		sev = probe.SeverityInfo
	case probe.OutcomeWarning:
		sev = probe.SeverityWarning
	}
	r.Diagnosis = &probe.Diagnosis{
		Code: sc.code, Severity: sev, Title: sc.title,
		Summary: "The server answered " + sc.title + ". This is what the conversation shows, step by step, and what to change so that it works.",
		Remediation: []string{
			"Check the username: most providers want the full email address.",
			"If two-step verification is on, create an app password and use it instead of the account password.",
			"Ask the administrator whether authenticated SMTP is enabled for this mailbox.",
		},
		Links: []probe.Link{{Title: "Troubleshooting SMTP authentication", URL: "/guide#" + string(sc.code)}},
	}
	if rng.IntN(3) == 0 {
		r.Findings = append(r.Findings, probe.Finding{Code: probe.CodeInputPortHint, Severity: probe.SeverityInfo,
			Title: "Port 587 with STARTTLS is the usual submission port", Detail: "Port 25 is for server-to-server mail and is often blocked by ISPs."})
	}
	return r
}

// tlsInfo is a negotiated session with a three-certificate chain.
func tlsInfo(rng *rand.Rand, host string, sv server, sc scenario) *probe.TLSInfo {
	fp := func() string {
		var b [32]byte
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return hex.EncodeToString(b[:])
	}
	nb := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	info := &probe.TLSInfo{Mode: "starttls", Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ServerName: host, Verified: true,
		Chain: []probe.Certificate{
			{Subject: "CN=" + host, Issuer: sv.issuer, DNSNames: []string{host, "*." + host}, NotBefore: nb, NotAfter: nb.AddDate(0, 3, 0), SHA256: fp()},
			{Subject: sv.issuer, Issuer: "CN=Root CA,O=Example Trust,C=US", NotBefore: nb.AddDate(-2, 0, 0), NotAfter: nb.AddDate(3, 0, 0), SHA256: fp()},
		}}
	if sc.code == probe.CodeTLSCertUntrusted {
		info.Verified = false
		info.VerifyCode = sc.code
		info.VerifyError = "x509: certificate signed by unknown authority (issuer " + sv.issuer + ")"
	}
	return info
}
