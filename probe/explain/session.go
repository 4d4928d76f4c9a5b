package explain

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Bounds on what one explanation keeps: the same as a probe's transcript,
// so that a pasted text is never larger stored than a probe result.
const (
	maxTranscriptLines = 2000
	maxTranscriptBytes = 256 << 10
)

// session turns an SMTP conversation, read from a client's log or a
// server's, into the probe's model: it follows the commands to know the
// step, gathers multi-line replies, notes what EHLO offered and where TLS
// began, and keeps the first reply that failed.
type session struct {
	res *probe.Result
	red *redactor

	start    time.Time // first timestamp seen, for at_ms
	bytes    int
	step     string
	lastCmd  string
	mech     string
	tls      bool
	wait     saslWait
	pending  []string // lines of a reply not yet complete
	pendCode int
	steps    []string // in the order they began
	failed   string   // step of the failure
	// refusal is the token's error challenge (a 334, RFC 7628 §3.2.2), the
	// failure when nothing later in the text says how the AUTH ended.
	refusal *probe.Failure
	// sawSMTP reports that at least one command or reply was read.
	sawSMTP bool
}

func newSession(res *probe.Result, red *redactor) *session {
	return &session{res: res, red: red}
}

// add records one transcript line, escaped and redacted, within bounds.
func (s *session) add(at time.Time, dir probe.Direction, text string) {
	if s.res.TranscriptCut {
		return
	}
	text = Escape(text)
	if len(s.res.Transcript) >= maxTranscriptLines-1 || s.bytes+len(text) > maxTranscriptBytes {
		s.res.TranscriptCut = true
		s.res.Transcript = append(s.res.Transcript, probe.Line{AtMS: s.ms(at), Dir: probe.DirNote,
			Text: fmt.Sprintf("transcript cut here: it reached its bound (%d lines, %d KiB); the rest of the text was still read", maxTranscriptLines, maxTranscriptBytes>>10)})
		return
	}
	s.bytes += len(text)
	s.res.Transcript = append(s.res.Transcript, probe.Line{AtMS: s.ms(at), Dir: dir, Text: text})
}

func (s *session) ms(at time.Time) int64 {
	if at.IsZero() {
		return 0
	}
	if s.start.IsZero() {
		s.start = at
	}
	if d := at.Sub(s.start); d > 0 {
		return d.Milliseconds()
	}
	return 0
}

// note records a remark of the reader's own, or a line of the client's
// log that is neither command nor reply ("Connection: opened").
func (s *session) note(at time.Time, text string) {
	s.add(at, probe.DirNote, s.red.scrub(text))
}

// client records a command the client sent and moves to its step.
func (s *session) client(at time.Time, line string) {
	s.flush(at)
	s.sawSMTP = true
	wait := s.wait
	if wait == waitSASL && s.mech == "PLAIN" {
		wait = waitPlain
	}
	s.wait = waitNone
	red := s.red.client(line, wait)
	s.add(at, probe.DirClient, red)
	if wait != waitNone {
		return // a SASL response belongs to the AUTH step
	}
	verb := strings.ToUpper(firstWord(line))
	switch verb {
	case "EHLO", "HELO":
		if s.tls {
			s.enter(probe.StepEHLOTLS)
		} else {
			s.enter(probe.StepEHLO)
		}
	case "STARTTLS":
		s.enter(probe.StepStartTLS)
	case "AUTH":
		s.enter(probe.StepAuth)
		f := strings.Fields(line)
		if len(f) > 1 {
			s.mech = strings.ToUpper(f[1])
			s.auth().Mechanism = s.mech
		}
	case "MAIL":
		s.enter(probe.StepMail)
		if a := angle(line); a != "" && s.res.Settings.From == "" {
			s.res.Settings.From = a
		}
	case "RCPT":
		s.enter(probe.StepRcpt)
		if a := angle(line); a != "" && s.res.Settings.To == "" {
			s.res.Settings.To = a
		}
	case "DATA", "BDAT":
		s.enter(probe.StepData)
	case "QUIT":
		s.enter(probe.StepQuit)
	case "RSET", "NOOP":
	default:
		// Message content after DATA, or a line we cannot place.
		if s.step == probe.StepData {
			return
		}
	}
	if verb != "" && (s.step != probe.StepData || verb == "DATA") {
		s.lastCmd = red
	}
	if (verb == "EHLO" || verb == "HELO") && s.res.Settings.HELO == "" {
		s.res.Settings.HELO = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(line, firstWord(line)), " "))
	}
}

func (s *session) enter(step string) {
	s.step = step
	if !slices.Contains(s.steps, step) {
		s.steps = append(s.steps, step)
	}
}

// server records one line of a reply; a reply is read once its last line
// arrives (or the next command begins).
func (s *session) server(at time.Time, line string) {
	code, final, text, ok := replyLine(strings.TrimRight(line, " "))
	if !ok {
		if len(s.pending) > 0 {
			// A line of the reply that lost its code.
			s.pending = append(s.pending, strings.TrimSpace(line))
			s.add(at, probe.DirServer, s.red.scrub(line))
		} else if strings.TrimSpace(line) != "" {
			s.note(at, line)
		}
		return
	}
	s.sawSMTP = true
	if parts := splitGlued(code, text); len(parts) > 1 {
		// Lines glued together by the client's log: every part but the
		// last continues the reply; the last ends it if the line did.
		for i, p := range parts {
			sep := "-"
			if i == len(parts)-1 && final {
				sep = " "
			}
			s.server(at, strconv.Itoa(code)+sep+p)
		}
		return
	}
	if len(s.pending) > 0 && s.pendCode != code {
		s.flush(at)
	}
	s.pendCode = code
	s.pending = append(s.pending, text)
	s.add(at, probe.DirServer, s.red.scrub(line))
	if final {
		s.reply(code, s.pending)
		s.pending = nil
	}
}

// flush completes a reply whose last line never came (a log cut short).
func (s *session) flush(at time.Time) {
	if len(s.pending) > 0 {
		s.reply(s.pendCode, s.pending)
		s.pending = nil
	}
}

// reply acts on one complete reply at the current step.
func (s *session) reply(code int, lines []string) {
	for i := range lines {
		lines[i] = s.red.scrub(strings.TrimSpace(lines[i]))
	}
	step := s.step
	if step == "" {
		// The text begins with a reply and no command: the greeting, or
		// a reply whose command was not pasted.
		step = probe.StepGreeting
		if code != 220 && code != 421 && code != 554 {
			step = stepFor(code, strings.Join(lines, " "))
		}
		s.enter(step)
		s.step = step
	}
	switch {
	case code == 220 && step == probe.StepGreeting:
		s.serverInfo().Banner = keep(lines)
	case code == 250 && (step == probe.StepEHLO || step == probe.StepEHLOTLS):
		si := s.serverInfo()
		if len(lines) > 0 {
			si.EHLODomain = firstWord(lines[0])
		}
		ext := keep(lines[1:])
		if s.tls {
			si.ExtensionsTLS = ext
		} else {
			si.Extensions = ext
		}
		for _, e := range ext {
			if f := strings.Fields(strings.ReplaceAll(e, "=", " ")); len(f) > 1 && strings.EqualFold(f[0], "AUTH") {
				if s.tls {
					s.auth().OfferedAfterTLS = f[1:]
				} else {
					s.auth().OfferedBeforeTLS = f[1:]
				}
			}
		}
	case code == 220 && step == probe.StepStartTLS:
		s.tls = true
		s.res.TLS = &probe.TLSInfo{Mode: "starttls", Version: tlsUnknown}
	case code == 235:
		s.auth().Succeeded = true
		if s.failed == probe.StepAuth {
			// An earlier mechanism failed, a later one worked.
			s.res.Failure, s.failed = nil, ""
		}
	case code == 334:
		s.wait = challenge(lines)
		if s.wait == waitSASL && s.oauthError(first(lines)) {
			s.refusal = &probe.Failure{Step: probe.StepAuth, Command: s.lastCmd, Reply: code, Lines: keep(lines)}
		}
	case code >= 400 && step != probe.StepQuit:
		if s.res.Failure == nil {
			s.failed = step
			s.res.Failure = &probe.Failure{
				Step:     step,
				Command:  s.lastCmd,
				Reply:    code,
				Enhanced: enhanced(first(lines)),
				Lines:    keep(lines),
			}
		}
	}
}

// challenge says what a 334 asks for: base64 "Username:" or "Password:"
// (the LOGIN mechanism), or some other SASL challenge.
func challenge(lines []string) saslWait {
	c := strings.TrimSpace(first(lines))
	dec := c
	if raw, err := base64.StdEncoding.DecodeString(c); err == nil {
		dec = string(raw)
	}
	switch strings.ToLower(strings.TrimSpace(dec)) {
	case "username:", "user name", "username":
		return waitUsername
	case "password:", "password":
		return waitPassword
	}
	return waitSASL
}

// fail records a failure established without a reply: a refused
// connection, a TLS error, a timeout.
func (s *session) fail(step string, code probe.Code, errText string) {
	if s.res.Failure != nil {
		return
	}
	s.enter(step)
	s.failed = step
	s.res.Failure = &probe.Failure{Step: step, Code: code, Command: s.lastCmd, Err: s.red.scrub(Escape(errText))}
	s.add(timeZero, probe.DirNote, "failed: "+s.res.Failure.Err)
}

// failReply records a reply found outside a transcript (an exception's
// message) at the step it names or implies.
func (s *session) failReply(step, command string, code int, lines []string) {
	if s.res.Failure != nil {
		return
	}
	s.sawSMTP = true
	if step == "" {
		step = stepOfCommand(command)
	}
	if step == "" {
		step = stepFor(code, strings.Join(lines, " "))
	}
	s.enter(step)
	s.step = step
	if command != "" {
		s.lastCmd = s.red.client(command, waitNone)
		s.add(timeZero, probe.DirClient, s.lastCmd)
	}
	// The reply as the server sent it, so the transcript shows it.
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		s.add(timeZero, probe.DirServer, s.red.scrub(strconv.Itoa(code)+sep+l))
	}
	s.reply(code, lines)
}

// oauthError reads a 334 challenge that is the JSON error of XOAUTH2 or
// OAUTHBEARER (RFC 7628 §3.2.2), and reports whether it was one: the
// server refused the token.
func (s *session) oauthError(challenge string) bool {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(challenge))
	if err != nil {
		return false
	}
	e, ok := probe.DecodeOAuthError(raw, s.red.scrub)
	if ok {
		s.auth().OAuthError = e
	}
	return ok
}

func (s *session) auth() *probe.AuthInfo {
	if s.res.Auth == nil {
		s.res.Auth = &probe.AuthInfo{}
	}
	return s.res.Auth
}

func (s *session) serverInfo() *probe.ServerInfo {
	if s.res.Server == nil {
		s.res.Server = &probe.ServerInfo{}
	}
	return s.res.Server
}

// finish completes the last reply and lists the steps seen.
func (s *session) finish() {
	s.flush(time.Time{})
	if s.res.Failure == nil && s.refusal == nil {
		s.quitBeforeLogin()
	}
	if s.res.Failure == nil && s.refusal != nil && !s.auth().Succeeded {
		// The token's error challenge and no failure after it: the client
		// gave up there (RFC 7628 §3.2.3 has it answer, and the server then
		// fail the AUTH; many report the challenge, or send QUIT, whose
		// 535 is then not the AUTH's), so the challenge is the refusal.
		s.enter(probe.StepAuth)
		s.failed, s.res.Failure = probe.StepAuth, s.refusal
	}
	// AUTH refused on a connection whose EHLO listed no AUTH: the server
	// does not offer it here, which is what a probe would establish
	// before ever sending AUTH (RFC 4954 §3: AUTH is an EHLO extension).
	if f := s.res.Failure; f != nil && f.Code == "" && f.Step == probe.StepAuth && f.Reply >= 500 && f.Reply <= 504 && s.res.Server != nil {
		ext := s.res.Server.Extensions
		offered := s.res.Auth != nil && len(s.res.Auth.OfferedBeforeTLS) > 0
		if s.tls {
			ext = s.res.Server.ExtensionsTLS
			offered = s.res.Auth != nil && len(s.res.Auth.OfferedAfterTLS) > 0
		}
		if len(ext) > 0 && !offered {
			f.Code = probe.CodeAuthNotOffered
		}
	}
	for _, st := range s.steps {
		status := probe.StepOK
		if st == s.failed {
			status = probe.StepFailed
		}
		s.res.Steps = append(s.res.Steps, probe.Step{Name: st, Status: status})
		if st == s.failed {
			break
		}
	}
}

// stepFor guesses the step of a reply met without its command, from what
// the reply says (RFC 4954 §6 codes belong to AUTH; relay refusals to
// RCPT TO).
func stepFor(code int, text string) string {
	t := strings.ToLower(text)
	switch {
	case code == 235 || code == 334 || code == 535 || code == 534 || code == 538 || code == 432 || code == 454 && (strings.Contains(t, "auth") || strings.Contains(t, "login")):
		return probe.StepAuth
	case code == 504 || strings.Contains(t, "authentication unsuccessful") || strings.Contains(t, "authentication failed") || strings.Contains(t, "authentication type"):
		return probe.StepAuth
	case strings.Contains(t, "relay") || strings.Contains(t, "recipient") || strings.Contains(t, "mailbox unavailable") || strings.Contains(t, "user unknown"):
		return probe.StepRcpt
	case strings.Contains(t, "starttls") && code == 530:
		return probe.StepMail
	case code == 530 || strings.Contains(t, "send as") || strings.Contains(t, "sender") || strings.Contains(t, "not authenticated") || strings.Contains(t, "authentication required") || strings.Contains(t, "authentication is required"):
		return probe.StepMail
	case code == 421 || code == 554 && strings.Contains(t, "service"):
		return probe.StepGreeting
	case code == 454 || code == 220 && strings.Contains(t, "tls"):
		return probe.StepStartTLS
	case code == 354 || code == 552:
		return probe.StepData
	}
	return probe.StepMail
}

// keep bounds the reply lines kept besides the transcript, as a probe
// does.
func keep(lines []string) []string {
	const maxLines, maxBytes = 50, 300
	out := make([]string, 0, min(len(lines), maxLines))
	for _, l := range lines[:min(len(lines), maxLines)] {
		if len(l) > maxBytes {
			i := maxBytes
			for i > 0 && (l[i]&0xC0) == 0x80 {
				i--
			}
			l = l[:i] + "…"
		}
		out = append(out, l)
	}
	if len(lines) > maxLines {
		out = append(out, fmt.Sprintf("… %d more lines not kept", len(lines)-maxLines))
	}
	return out
}

func first(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[0]
}

func firstWord(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i]
	}
	return s
}

// angle is the address between < and > in a MAIL or RCPT command.
func angle(s string) string {
	i := strings.IndexByte(s, '<')
	j := strings.LastIndexByte(s, '>')
	if i < 0 || j <= i || j-i > maxUserLen {
		return ""
	}
	return Escape(s[i+1 : j])
}

// stepOfCommand is the step a command belongs to, or "".
func stepOfCommand(cmd string) string {
	switch strings.ToUpper(firstWord(cmd)) {
	case "EHLO", "HELO":
		return probe.StepEHLO
	case "STARTTLS":
		return probe.StepStartTLS
	case "AUTH":
		return probe.StepAuth
	case "MAIL":
		return probe.StepMail
	case "RCPT":
		return probe.StepRcpt
	case "DATA", "BDAT":
		return probe.StepData
	case "CONN", "CONNECT":
		return probe.StepConnect
	}
	return ""
}

// quitBeforeLogin records the failure of a client that read the
// mechanisms the server offers and quit without using one: no AUTH, no
// MAIL FROM, then QUIT. RFC 4954 §4 leaves the choice of mechanism to
// the client; one that chooses none speaks none of those offered (a
// server that lists only LOGIN, a client that wants PLAIN or CRAM-MD5).
func (s *session) quitBeforeLogin() {
	if !slices.Contains(s.steps, probe.StepQuit) || slices.Contains(s.steps, probe.StepAuth) || slices.Contains(s.steps, probe.StepMail) || s.res.Auth == nil {
		return
	}
	offered := s.res.Auth.OfferedBeforeTLS
	if s.tls {
		offered = s.res.Auth.OfferedAfterTLS
	}
	if len(offered) == 0 {
		return
	}
	s.enter(probe.StepAuth)
	s.failed = probe.StepAuth
	s.res.Failure = &probe.Failure{Step: probe.StepAuth, Code: probe.CodeAuthMechanismUnsupported,
		Err: "the client read the mechanisms the server offers (" + strings.Join(offered, " ") + ") and quit without logging in"}
}
