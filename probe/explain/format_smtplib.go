package explain

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Python's smtplib with set_debuglevel(1 or 2): "send: '...'" for what the
// client wrote, "reply: b'...'" for each reply line and "reply: retcode
// (N); Msg: ..." once a reply is complete; "connect: ('host', port)". Its
// exceptions carry the reply as a (code, b'text') tuple, the lines of the
// text joined by "\n" and stripped of their codes.
var (
	pySend    = regexp.MustCompile(`\bsend: b?(['"])(.*)['"]\s*$`)
	pyReply   = regexp.MustCompile(`\breply: b?(['"])(.*)['"]\s*$`)
	pyConnect = regexp.MustCompile(`connect: (?:to )?\(['"]([^'"]+)['"], (\d+)\)`)
	pyTuple   = regexp.MustCompile(`\((\d{3}), b?(['"])(.*?)['"]\)`)
	pyExc     = regexp.MustCompile(`(SMTPAuthenticationError|SMTPSenderRefused|SMTPRecipientsRefused|SMTPDataError|SMTPConnectError|SMTPHeloError|SMTPNotSupportedError|SMTPServerDisconnected|SMTPResponseException)\b:?\s*(.*)$`)
	pyExcStep = map[string]string{"SMTPAuthenticationError": probe.StepAuth, "SMTPSenderRefused": probe.StepMail, "SMTPRecipientsRefused": probe.StepRcpt,
		"SMTPDataError": probe.StepData, "SMTPConnectError": probe.StepGreeting, "SMTPHeloError": probe.StepEHLO}
)

var formatSmtplib = &format{
	Name:  "smtplib",
	Title: "Python smtplib debug output (set_debuglevel) and its exceptions",
	kind:  kindTranscript,
	claims: func(line string) bool {
		return strings.Contains(line, "send: ") && pySend.MatchString(line) || strings.Contains(line, "reply: ") && pyReply.MatchString(line) ||
			strings.Contains(line, "SMTP") && !strings.Contains(line, "Net::SMTP") && pyExc.MatchString(line) || strings.Contains(line, "smtplib") || strings.Contains(line, ", ") && pyTuple.MatchString(line)
	},
	read: func(r *reader, lines []string) {
		for _, line := range lines {
			at := stamp(line, r.now)
			if strings.Contains(line, "reply: retcode") {
				continue
			}
			if m := pySend.FindStringSubmatch(line); m != nil {
				for _, l := range strings.Split(unescapePy(m[2]), "\n") {
					if l = strings.TrimRight(l, "\r"); l != "" {
						r.s.client(at, l)
					}
				}
				continue
			}
			if m := pyReply.FindStringSubmatch(line); m != nil {
				r.s.server(at, strings.TrimRight(unescapePy(m[2]), "\r\n"))
				continue
			}
			if m := pyConnect.FindStringSubmatch(line); m != nil {
				r.setHost(m[1])
				r.setPort(atoi(m[2]))
				continue
			}
			if r.res.Failure != nil {
				continue
			}
			if m := pyExc.FindStringSubmatch(line); m != nil {
				switch m[1] {
				case "SMTPNotSupportedError":
					if strings.Contains(strings.ToLower(m[2]), "auth") {
						r.s.fail(probe.StepAuth, probe.CodeAuthNotOffered, m[1]+": "+m[2])
					}
				case "SMTPServerDisconnected":
					r.s.fail(orStep(r.s.step, probe.StepGreeting), probe.CodeNetClosed, m[1]+": "+m[2])
				}
				if t := pyTuple.FindStringSubmatch(m[2]); t != nil {
					code, _ := strconv.Atoi(t[1])
					r.s.failReply(pyExcStep[m[1]], "", code, pyLines(code, t[3]))
				}
				continue
			}
			if t := pyTuple.FindStringSubmatch(line); t != nil {
				code, _ := strconv.Atoi(t[1])
				if code >= 400 {
					r.s.failReply("", "", code, pyLines(code, t[3]))
				}
			}
		}
	},
}

// pyLines splits an exception's reply text back into lines.
func pyLines(code int, text string) []string {
	var out []string
	for _, l := range strings.Split(unescapePy(text), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	_ = code
	return out
}

// unescapePy undoes the escapes of a Python bytes or str literal that
// matter here: line ends, quotes, backslashes and \xNN.
func unescapePy(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'x':
			if i+2 < len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
					b.WriteByte(byte(v))
					i += 2
					continue
				}
			}
			b.WriteString(`\x`)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func orStep(step, def string) string {
	if step == "" {
		return def
	}
	return step
}
