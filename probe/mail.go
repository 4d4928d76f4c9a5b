package probe

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// mail tests MAIL FROM and RCPT TO when asked (and DATA only with Send),
// which is where a submission server refuses a sender the account may not
// use (RFC 6409 §4.1, 550 5.7.1) or a relay.
func (p *prober) mail() bool {
	if p.s.From == "" && p.s.To == "" {
		return true
	}
	p.beginStep(StepMail)
	mailCmd := "MAIL FROM:<" + clean(p.s.From) + ">"
	rcptCmd := "RCPT TO:<" + clean(p.s.To) + ">"
	_, pipelining := p.ext["PIPELINING"]
	if p.s.To != "" && pipelining {
		return p.mailPipelined(mailCmd, rcptCmd)
	}
	if !p.command(mailCmd, 250) {
		return false
	}
	p.finishStep(StepOK, "")
	if p.s.To == "" {
		return true
	}
	p.beginStep(StepRcpt)
	if !p.command(rcptCmd, 250, 251) {
		return false
	}
	p.finishStep(StepOK, "")
	return p.afterRcpt()
}

// mailPipelined sends MAIL and RCPT in one write when the server offers
// PIPELINING (RFC 2920 §3.1: both may be pipelined), saving a round trip;
// the replies come back in order and are read one by one.
func (p *prober) mailPipelined(mailCmd, rcptCmd string) bool {
	p.tr.add(DirClient, mailCmd)
	p.tr.add(DirClient, rcptCmd)
	if err := p.w.write([]byte(mailCmd + "\r\n" + rcptCmd + "\r\n")); err != nil {
		p.failIO(mailCmd, err)
		return false
	}
	r, err := p.w.readReply()
	if err != nil {
		p.failIO(mailCmd, err)
		return false
	}
	if r.Code != 250 {
		p.failReply(mailCmd, r)
		// The RCPT reply (503 "need MAIL" most likely) is already on its
		// way; read it so the transcript is whole.
		p.w.readReply()
		return false
	}
	p.finishStep(StepOK, "")
	p.beginStep(StepRcpt)
	if r, err = p.w.readReply(); err != nil {
		p.failIO(rcptCmd, err)
		return false
	}
	if r.Code != 250 && r.Code != 251 {
		p.failReply(rcptCmd, r)
		return false
	}
	p.finishStep(StepOK, "")
	return p.afterRcpt()
}

func (p *prober) afterRcpt() bool {
	if p.s.Send {
		return p.data()
	}
	return true
}

// clean keeps a form value from smuggling a second command into ours.
func clean(s string) string {
	return strings.NewReplacer("\r", "", "\n", "", "<", "", ">", "").Replace(strings.TrimSpace(s))
}

// exchange sends one command (with nothing secret in it) and reads its
// reply; on a network failure it records it and returns false.
func (p *prober) exchange(cmd string) (reply, bool) {
	if err := p.w.send(cmd, cmd); err != nil {
		p.failIO(cmd, err)
		return reply{}, false
	}
	r, err := p.w.readReply()
	if err != nil {
		p.failIO(cmd, err)
		return r, false
	}
	return r, true
}

// command sends one command and reads its reply, failing unless the code
// is one of ok.
func (p *prober) command(cmd string, ok ...int) bool {
	r, sent := p.exchange(cmd)
	if !sent {
		return false
	}
	for _, c := range ok {
		if r.Code == c {
			return true
		}
	}
	p.failReply(cmd, r)
	return false
}

// data sends a clearly marked test message (RFC 5321 §4.1.1.4).
func (p *prober) data() bool {
	p.beginStep(StepData)
	if !p.command("DATA", 354) {
		return false
	}
	var id [8]byte
	rand.Read(id[:])
	domain := "smtpdoctor.invalid"
	if _, d, ok := strings.Cut(clean(p.s.From), "@"); ok && d != "" {
		domain = d
	}
	msg := []string{
		"From: <" + clean(p.s.From) + ">",
		"To: <" + clean(p.s.To) + ">",
		"Subject: smtpdoctor test message",
		"Date: " + time.Now().Format(time.RFC1123Z),
		"Message-ID: <" + hex.EncodeToString(id[:]) + "@" + domain + ">",
		"Auto-Submitted: auto-generated",
		"X-Smtpdoctor: test",
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=utf-8",
		"",
		"This is a test message sent by smtpdoctor to check that this account",
		"can send mail through " + p.host + ". No action is needed; you may delete it.",
	}
	var b strings.Builder
	for _, l := range msg {
		p.tr.add(DirClient, l)
		b.WriteString(l + "\r\n")
	}
	p.tr.add(DirClient, ".")
	b.WriteString(".\r\n")
	if err := p.w.write([]byte(b.String())); err != nil {
		p.failIO("DATA", err)
		return false
	}
	r, err := p.w.readReply()
	if err != nil {
		p.failIO("DATA", err)
		return false
	}
	if r.Code != 250 {
		p.failReply("DATA", r)
		return false
	}
	p.finishStep(StepOK, fmt.Sprintf("%d %s", r.Code, truncate(r.text(), 200)))
	return true
}

// quit ends the session. RSET (when a transaction is open) and QUIT go in
// one write and no reply is awaited: the server's 221 tells us nothing the
// diagnosis needs, and waiting for it would cost a round trip on every
// probe (RFC 5321 §4.1.1.10 lets the client close after sending QUIT).
func (p *prober) quit() {
	if p.w == nil || p.ctx.Err() != nil {
		return
	}
	if f := p.res.Failure; f != nil && (f.Code == CodeNetClosed || f.Code == CodeSMTPTimeout || f.Code == CodeSMTPBadReply) {
		return // the connection is gone or unusable
	}
	p.beginStep(StepQuit)
	var b strings.Builder
	if p.s.From != "" || p.s.To != "" {
		if !p.s.Send || p.res.Failure != nil {
			p.tr.add(DirClient, "RSET")
			b.WriteString("RSET\r\n")
		}
	}
	p.tr.add(DirClient, "QUIT")
	b.WriteString("QUIT\r\n")
	if err := p.w.write([]byte(b.String())); err != nil {
		p.tr.note("QUIT could not be sent: %v", err)
	}
	p.finishStep(StepOK, "")
}
