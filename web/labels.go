package web

import (
	"fmt"
	"net"
	"strconv"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// How the pages name what a result holds: targets, security modes, steps,
// durations. Templates and the change list share them.

// contextLine says, before the verdict, what was tested, when and from
// where, for someone who opens a shared link with no other context.
func contextLine(r probe.Result) string {
	if isExplained(r) {
		return "Read from pasted text; nothing was connected to · " + fmtTime(r.StartedAt)
	}
	s := securityLabel(r.Settings.Security)
	if r.Settings.User != "" {
		s += ", signing in as " + r.Settings.User
	} else {
		s += ", without signing in"
	}
	s += " · " + fmtTime(r.StartedAt)
	if r.Origin != "" {
		s += " · from " + r.Origin
	}
	return s
}

func whenText(r probe.Result) string {
	if r.DurationMS > 0 {
		return fmtTime(r.StartedAt) + ", took " + fmtMS(r.DurationMS)
	}
	return fmtTime(r.StartedAt)
}

func target(s probe.Settings) string {
	return net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
}

func securityLabel(s probe.Security) string {
	switch s {
	case probe.SecurityStartTLS:
		return "STARTTLS"
	case probe.SecurityTLS:
		return "SSL/TLS (implicit)"
	case probe.SecurityNone:
		return "none (plaintext)"
	case probe.SecurityAuto:
		return "auto"
	}
	return string(s)
}

func fmtMS(ms int64) string {
	if ms < 1000 {
		return strconv.FormatInt(ms, 10) + " ms"
	}
	return fmt.Sprintf("%.2f s", float64(ms)/1000)
}

var stepLabels = map[string]string{
	probe.StepResolve: "Resolve name", probe.StepConnect: "Connect", probe.StepTLS: "TLS handshake",
	probe.StepGreeting: "Greeting", probe.StepEHLO: "EHLO", probe.StepStartTLS: "STARTTLS",
	probe.StepEHLOTLS: "EHLO after TLS", probe.StepAuth: "AUTH", probe.StepMail: "MAIL FROM",
	probe.StepRcpt: "RCPT TO", probe.StepData: "DATA", probe.StepQuit: "QUIT",
}

func stepLabel(name string) string {
	if l, ok := stepLabels[name]; ok {
		return l
	}
	return name
}
