package explain

import (
	"regexp"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Exchange and Microsoft 365 text forms.
//
// Bounce (NDR) text: "Remote Server returned '550 5.7.60 SMTP; Client
// does not have permissions to send as this sender'", "#550 5.7.1
// RESOLVER.RST.AuthRequired; authentication required ##", and the
// DSN's "Diagnostic-Code: smtp; 550 5.7.1 ...".
//
// The SMTP receive protocol log (CSV): date-time, connector-id,
// session-id, sequence-number, local-endpoint, remote-endpoint, event,
// data, context; event "<" is what the client sent, ">" what Exchange
// answered, "*" a note.
var (
	ndrRemote  = regexp.MustCompile(`(?i)Remote Server returned '(.*?)'?$`)
	ndrHash    = regexp.MustCompile(`#([45]\d\d) ([45]\.\d{1,3}\.\d{1,3}) (.*?)\s*##`)
	ndrDiag    = regexp.MustCompile(`(?i)Diagnostic-Code: smtp; ?(.*)$`)
	exProtocol = regexp.MustCompile(`^(\d{4}-\d\d-\d\dT[\d:.]+Z),([^,]*),([^,]*),(\d+),([^,]*),([^,]*),([<>*+-]),(.*?)(?:,(.*))?$`)
)

var formatExchangeNDR = &format{
	Name:  "exchange-ndr",
	Title: "Exchange and Microsoft 365 bounce (NDR) and DSN text",
	kind:  kindError,
	claims: func(line string) bool {
		return strings.Contains(line, "Remote Server") && ndrRemote.MatchString(line) || strings.Contains(line, "##") && ndrHash.MatchString(line) ||
			strings.Contains(line, "iagnostic") && ndrDiag.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		for _, line := range lines {
			msg := ""
			if m := ndrRemote.FindStringSubmatch(line); m != nil {
				msg = m[1]
			} else if m := ndrHash.FindStringSubmatch(line); m != nil {
				msg = m[1] + " " + m[2] + " " + m[3]
			} else if m := ndrDiag.FindStringSubmatch(line); m != nil {
				msg = m[1]
			} else {
				continue
			}
			// "550 5.7.60 SMTP; Client does not ...": the "SMTP;" names the
			// protocol, not part of the words.
			msg = strings.Replace(msg, " SMTP; ", " ", 1)
			if code, rl, ok := extractReply(msg, nil); ok {
				r.s.failReply("", "", code, rl)
				return
			}
		}
	},
}

var formatExchange = &format{
	Name:  "exchange",
	Title: "Exchange SMTP receive protocol log (CSV)",
	kind:  kindServerLog,
	claims: func(line string) bool {
		return len(line) > 24 && line[4] == '-' && line[10] == 'T' && exProtocol.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		type session struct {
			addr, user string
			lastAuth   time.Time
		}
		sessions := map[string]*session{}
		for _, line := range lines {
			m := exProtocol.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			r.log.lines++
			at := stamp(m[1], r.now)
			id, local, remote, ev, data := m[3], m[5], m[6], m[7], strings.Trim(m[8], `"`)
			s := sessions[id]
			if s == nil {
				host, _ := hostPort(remote)
				s = &session{addr: host}
				sessions[id] = s
				if _, p := hostPort(local); p != 0 {
					r.setPort(p)
				}
			}
			switch ev {
			case "<":
				if strings.HasPrefix(strings.ToUpper(data), "AUTH") {
					s.lastAuth = at
				}
			case ">":
				code, _, text, ok := replyLine(data)
				if !ok {
					continue
				}
				switch {
				case code == 235:
					r.login(at, eventSuccess, s.user, s.addr, "")
				case code == 535 || code == 534:
					r.login(at, eventFailure, s.user, s.addr, text)
					r.told("auth", probe.StepAuth, code, enhanced(text), text)
					r.keepLine(at, line)
				case code == 454 || code == 435:
					r.login(at, eventBackend, s.user, s.addr, text)
					r.told("backend", probe.StepAuth, code, enhanced(text), text)
					r.keepLine(at, line)
				case code >= 500 && strings.Contains(strings.ToLower(text), "relay"):
					r.otherLine("relay refused")
					r.told("relay", probe.StepRcpt, code, enhanced(text), text)
					r.keepLine(at, line)
				}
			case "*":
				// "*,User@domain,Authenticated" / "Inbound AUTH LOGIN failed because of LogonDenied"
				if i := strings.Index(data, "@"); i > 0 && !strings.Contains(data, " ") {
					s.user = data
				}
			}
		}
	},
}
