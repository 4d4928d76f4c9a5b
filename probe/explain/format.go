package explain

import (
	"slices"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// kind is what a format is: the conversation seen by a client, an error a
// client printed, or a server's log.
type kind int

const (
	kindTranscript kind = iota
	kindError
	kindServerLog
)

// format is one kind of pasted text this package reads.
type format struct {
	Name  string // short, stable: "phpmailer"
	Title string // for people: "PHPMailer SMTPDebug output"
	kind  kind
	// generic formats (a bare reply, a network error) read only what the
	// specific ones left: a library's own format knows its step better.
	generic bool
	// claims reports whether a line belongs to this format; the format
	// with most claimed lines reads the text.
	claims func(line string) bool
	// read turns the lines into the result, through the reader.
	read func(r *reader, lines []string)
}

// formats is every format understood, in the order they are listed to
// people. Each is defined in its own file.
var formats = []*format{
	formatPHPMailer, formatNodemailer, formatEmailJS, formatSmtplib, formatJavaMail, formatMailKit,
	formatSwaks, formatMsmtp, formatCurl, formatOpenSSL, formatHMailServer,
	formatDotNet, formatSymfony, formatGo, formatRuby, formatGenSMTP, formatExchangeNDR, formatNetError, formatReply, formatOAuthChallenge, formatLoginRefused,
	formatPostfix, formatDovecot, formatExim, formatSendmail, formatOpenSMTPD, formatExchange, formatNginxMail,
}

// Formats lists what Explain understands, for people: the "not
// recognised" answer and the help texts show it.
func Formats() []string {
	out := make([]string, 0, len(formats))
	for _, f := range formats {
		out = append(out, f.Title)
	}
	return out
}

// recogniseLines is how many lines recognise looks at.
const recogniseLines = 4000

// scored is a format and how many lines it claimed.
type scored struct {
	f     *format
	lines int
}

// recognise counts the lines each format claims, most first; formats that
// claim nothing are left out.
func recognise(lines []string) []scored {
	counts := make([]int, len(formats))
	// The first lines tell the format; reading all of a long log would
	// only cost time.
	if len(lines) > recogniseLines {
		lines = lines[:recogniseLines]
	}
	for _, l := range lines {
		if len(l) < 3 {
			continue
		}
		for i, f := range formats {
			if f.claims(l) {
				counts[i]++
			}
		}
	}
	var out []scored
	for i, n := range counts {
		if n > 0 {
			out = append(out, scored{formats[i], n})
		}
	}
	slices.SortStableFunc(out, func(a, b scored) int { return b.lines - a.lines })
	return out
}

// reader is what a format's read function writes to.
type reader struct {
	res *probe.Result
	red *redactor
	s   *session
	log *aggregate
	now time.Time
}

// Settings read from text are bounded as the form bounds them (RFC 1035
// names, RFC 5321 §4.5.3.1 paths): text may be hostile.
const (
	maxHostLen = 253
	maxUserLen = 320
)

func (r *reader) setHost(host string) {
	if host != "" && r.res.Settings.Host == "" && len(host) <= maxHostLen {
		r.res.Settings.Host = Escape(host)
	}
}

func (r *reader) setPort(port int) {
	if port > 0 && port < 65536 && r.res.Settings.Port == 0 {
		r.res.Settings.Port = port
	}
}

func (r *reader) setSecurity(sec probe.Security) {
	if r.res.Settings.Security == "" || r.res.Settings.Security == probe.SecurityAuto {
		r.res.Settings.Security = sec
	}
}

func (r *reader) setUser(user string) {
	if user != "" && r.res.Settings.User == "" && !isPlaceholder(user) && len(user) <= maxUserLen {
		r.res.Settings.User = Escape(user)
	}
}
