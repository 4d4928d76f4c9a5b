package explain

import (
	"regexp"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// swaks' transcript: " -> " the client, "<-  " the server, " ~> " and
// "<~  " the same inside TLS, "<** " and "<~* " a server reply swaks took
// as an error, "*** " swaks' own errors and "=== " its notes ("Trying
// host:port...", "TLS started with cipher ...").
var (
	swaksLine   = regexp.MustCompile(`^\s*(->|~>|<-|<~|<\*\*|<~\*|\*\*\*|===)\s?(.*)$`)
	swaksTrying = regexp.MustCompile(`^Trying (\S+?)\.\.\.`)
)

var formatSwaks = &format{
	Name:  "swaks",
	Title: "swaks transcripts",
	kind:  kindTranscript,
	claims: func(line string) bool {
		m := swaksLine.FindStringSubmatch(line)
		if m == nil {
			return false
		}
		switch m[1] {
		case "<-", "<~", "<**", "<~*":
			_, _, _, ok := replyLine(strings.TrimSpace(m[2]))
			return ok
		case "===", "***":
			return true
		}
		return strings.HasPrefix(line, " ->") || strings.HasPrefix(line, " ~>")
	},
	read: func(r *reader, lines []string) {
		for _, line := range lines {
			m := swaksLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			text := strings.TrimLeft(m[2], " ")
			switch m[1] {
			case "->", "~>":
				r.s.client(timeZero, m[2])
			case "<-", "<~", "<**", "<~*":
				r.s.server(timeZero, text)
			case "===":
				if t := swaksTrying.FindStringSubmatch(text); t != nil {
					h, p := hostPort(t[1])
					r.setHost(h)
					r.setPort(p)
				}
				if strings.HasPrefix(text, "TLS started") {
					r.s.tls = true
					r.res.TLS = &probe.TLSInfo{Mode: "starttls", Version: tlsUnknown}
				}
				r.s.note(timeZero, "=== "+text)
			case "***":
				r.s.note(timeZero, "*** "+text)
				if sign, ok := netSignIn(text); ok {
					r.netFailure(sign, text)
				} else if strings.Contains(text, "TLS startup failed") {
					r.s.fail(probe.StepStartTLS, probe.CodeTLSHandshakeFailed, text)
				} else if strings.Contains(text, "Host did not advertise STARTTLS") {
					r.s.fail(probe.StepStartTLS, probe.CodeTLSStartTLSNotOffered, text)
				} else if strings.Contains(text, "Host did not advertise authentication") || strings.Contains(text, "No authentication type succeeded") && r.res.Failure == nil && r.res.Auth == nil {
					r.s.fail(probe.StepAuth, probe.CodeAuthNotOffered, text)
				}
			}
		}
	},
}

// timeZero is for formats whose lines carry no time.
var timeZero time.Time
