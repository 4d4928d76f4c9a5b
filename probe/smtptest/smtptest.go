// Package smtptest runs scripted SMTP servers on 127.0.0.1:0 for tests: a
// server that says exactly what a scenario needs (a multi-line or 421
// banner, a 535 at AUTH, silence at RCPT, HTTP bytes instead of a greeting,
// an expired certificate after STARTTLS) so that the probe and the diagnosis
// can be tested against real sockets instead of mocks.
//
// Usage:
//
//	srv := smtptest.Start(t, smtptest.Script{
//		Replies: map[string][]string{
//			"AUTH": {"535-5.7.8 Username and Password not accepted.", "535 5.7.8 https://support.google.com/mail/?p=BadCredentials - gsmtp"},
//		},
//	})
//	// dial srv.Addr ("127.0.0.1:NNNNN"), or use srv.Host and srv.Port
//
// Replies maps a command verb (upper case: "EHLO", "AUTH", "MAIL", ...) to
// the reply lines, each a whole line as sent ("250-PIPELINING"), without the
// CRLF. A list may hold several replies in a row: after a reply whose last
// line is a 334 (RFC 4954 continuation) or 354 (DATA), the server reads the
// client's next line (or, for DATA, the message up to ".") and sends the
// next reply of the list. Special lines: Hang (go silent and keep the
// connection open), Close (drop the connection), Raw(s) (bytes with no
// CRLF). After any 421 reply the server closes the connection, as real
// servers do (RFC 5321 §3.8).
//
// Verbs with no entry get sensible defaults: a 220 banner, an EHLO that
// offers STARTTLS (when TLS is set and the session is not yet encrypted) and
// AUTH PLAIN LOGIN, STARTTLS that upgrades, AUTH that accepts PLAIN and LOGIN
// (checking User/Password when set), 250 to MAIL, RCPT, RSET, 354 then 250
// to DATA, 221 to QUIT, 502 to anything else.
package smtptest

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Special reply lines.
const (
	// Hang makes the server stop answering but keep the connection open
	// until the client goes away or the test ends.
	Hang = "\x00hang"
	// Close makes the server drop the connection at that point.
	Close = "\x00close"
)

// Raw returns a special reply line whose bytes are sent as they are, with
// no CRLF added: for non-SMTP banners, binary garbage, half lines.
func Raw(s string) string { return "\x00raw:" + s }

// Script says how the server behaves.
type Script struct {
	// Greeting is the banner, one entry per line; nil means
	// "220 smtptest.invalid ESMTP ready". Use {Hang} for a server that never
	// greets and {Raw("SSH-2.0-OpenSSH_9.6\r\n")} for something else.
	Greeting []string
	// Replies overrides the reply per verb (see the package doc).
	Replies map[string][]string
	// TLSReplies, when set, overrides Replies once the session is
	// encrypted (after STARTTLS, or always with Implicit): for example
	// an EHLO that offers AUTH only after TLS.
	TLSReplies map[string][]string
	// TLS enables STARTTLS (or implicit TLS with Implicit). Build it with
	// ServerTLS.
	TLS *tls.Config
	// Implicit makes the server speak TLS from the first byte (RFC 8314).
	Implicit bool
	// User and Password, when set, are what the default AUTH handler
	// accepts (PLAIN and LOGIN); otherwise it accepts anything.
	User, Password string
	// Hook, when set, sees every command line first; returning true means
	// it has answered (through s) and the script does nothing more.
	Hook func(s *Session, line string) bool
	// Domain names the server in the default banner and EHLO.
	Domain string
}

// Server is a running scripted server.
type Server struct {
	Addr string // "127.0.0.1:port"
	Host string // "127.0.0.1"
	Port int

	script Script
	ln     net.Listener
	wg     sync.WaitGroup

	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	lines    []string
	accepted int
	done     bool
}

// Start listens on 127.0.0.1:0 and serves the script to every connection
// until the test ends.
func Start(t testing.TB, s Script) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	if s.Domain == "" {
		s.Domain = "smtptest.invalid"
	}
	addr := ln.Addr().(*net.TCPAddr)
	srv := &Server{
		Addr:   addr.String(),
		Host:   addr.IP.String(),
		Port:   addr.Port,
		script: s,
		ln:     ln,
		conns:  map[net.Conn]struct{}{},
	}
	srv.wg.Add(1)
	go srv.accept()
	t.Cleanup(srv.Close)
	return srv
}

// Close stops the server and drops every connection.
func (srv *Server) Close() {
	srv.mu.Lock()
	if srv.done {
		srv.mu.Unlock()
		return
	}
	srv.done = true
	srv.ln.Close()
	for c := range srv.conns {
		c.Close()
	}
	srv.mu.Unlock()
	srv.wg.Wait()
}

// Lines returns every line the server received so far, from all
// connections, in order (AUTH payload lines included, as received).
func (srv *Server) Lines() []string {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return append([]string(nil), srv.lines...)
}

// Connections counts the connections accepted so far.
func (srv *Server) Connections() int {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.accepted
}

func (srv *Server) accept() {
	defer srv.wg.Done()
	for {
		c, err := srv.ln.Accept()
		if err != nil {
			return
		}
		srv.mu.Lock()
		if srv.done {
			srv.mu.Unlock()
			c.Close()
			return
		}
		srv.accepted++
		srv.conns[c] = struct{}{}
		srv.mu.Unlock()
		srv.wg.Add(1)
		go func() {
			defer srv.wg.Done()
			s := &Session{srv: srv, raw: c, conn: c}
			s.serve()
			c.Close()
			srv.mu.Lock()
			delete(srv.conns, c)
			srv.mu.Unlock()
		}()
	}
}

func (srv *Server) record(line string) {
	srv.mu.Lock()
	srv.lines = append(srv.lines, line)
	srv.mu.Unlock()
}

// Session is one client connection, for hooks.
type Session struct {
	srv  *Server
	raw  net.Conn
	conn net.Conn
	r    *bufio.Reader
	// TLS is true once the session is encrypted.
	TLS bool
}

// errStop ends a session quietly (Close, Hang, 421, QUIT).
var errStop = errors.New("smtptest: session over")

// Write sends bytes as they are.
func (s *Session) Write(b []byte) error {
	_, err := s.conn.Write(b)
	return err
}

// Reply sends reply lines, handling the special lines; it returns an error
// when the session must end.
func (s *Session) Reply(lines ...string) error {
	var buf strings.Builder
	flush := func() error {
		if buf.Len() == 0 {
			return nil
		}
		_, err := io.WriteString(s.conn, buf.String())
		buf.Reset()
		return err
	}
	for _, l := range lines {
		switch {
		case l == Hang:
			if err := flush(); err != nil {
				return err
			}
			s.hang()
			return errStop
		case l == Close:
			flush()
			return errStop
		case strings.HasPrefix(l, "\x00raw:"):
			buf.WriteString(strings.TrimPrefix(l, "\x00raw:"))
		default:
			buf.WriteString(l)
			buf.WriteString("\r\n")
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if n := len(lines); n > 0 && strings.HasPrefix(lines[n-1], "421") {
		return errStop
	}
	return nil
}

// hang waits until the client closes or the server stops: reading drains
// whatever the client sends without answering.
func (s *Session) hang() {
	buf := make([]byte, 4096)
	for {
		if _, err := s.conn.Read(buf); err != nil {
			return
		}
	}
}

// ReadLine reads one client line (without CRLF) and records it.
func (s *Session) ReadLine() (string, error) {
	line, err := s.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	s.srv.record(line)
	return line, nil
}

// StartTLS upgrades the session to TLS with the script's config.
func (s *Session) StartTLS() error {
	tc := tls.Server(s.raw, s.srv.script.TLS)
	if err := tc.Handshake(); err != nil {
		return err
	}
	s.conn = tc
	s.r = bufio.NewReader(tc)
	s.TLS = true
	return nil
}

func (s *Session) serve() {
	sc := s.srv.script
	if sc.Implicit && sc.TLS != nil {
		if err := s.StartTLS(); err != nil {
			return
		}
	} else {
		s.r = bufio.NewReader(s.conn)
	}
	greeting := sc.Greeting
	if greeting == nil {
		greeting = []string{"220 " + sc.Domain + " ESMTP ready"}
	}
	if err := s.Reply(greeting...); err != nil {
		return
	}
	for {
		line, err := s.ReadLine()
		if err != nil {
			return
		}
		if sc.Hook != nil && sc.Hook(s, line) {
			continue
		}
		if err := s.command(line); err != nil {
			return
		}
	}
}

func (s *Session) scripted(verb string) ([]string, bool) {
	sc := s.srv.script
	if s.TLS {
		if r, ok := sc.TLSReplies[verb]; ok {
			return r, true
		}
	}
	r, ok := sc.Replies[verb]
	return r, ok
}

func (s *Session) command(line string) error {
	verb, arg, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	if r, ok := s.scripted(verb); ok {
		return s.play(verb, r)
	}
	sc := s.srv.script
	switch verb {
	case "EHLO":
		lines := []string{"250-" + sc.Domain + " greets you"}
		if sc.TLS != nil && !s.TLS {
			lines = append(lines, "250-STARTTLS")
		}
		lines = append(lines, "250-AUTH PLAIN LOGIN", "250-8BITMIME", "250 PIPELINING")
		return s.Reply(lines...)
	case "HELO":
		return s.Reply("250 " + sc.Domain)
	case "STARTTLS":
		if sc.TLS == nil || s.TLS {
			return s.Reply("502 5.5.1 STARTTLS not available")
		}
		if err := s.Reply("220 2.0.0 Ready to start TLS"); err != nil {
			return err
		}
		if err := s.StartTLS(); err != nil {
			return errStop
		}
		return nil
	case "AUTH":
		return s.auth(arg)
	case "MAIL", "RCPT", "RSET", "NOOP":
		return s.Reply("250 2.0.0 OK")
	case "DATA":
		return s.play(verb, []string{"354 Go ahead", "250 2.0.0 OK queued"})
	case "QUIT":
		s.Reply("221 2.0.0 Bye")
		return errStop
	default:
		return s.Reply("502 5.5.2 Command not recognized")
	}
}

// play sends a scripted list: replies in a row, reading a client line
// after each 334 and the message after each 354.
func (s *Session) play(verb string, lines []string) error {
	for len(lines) > 0 {
		n := replyEnd(lines)
		group := lines[:n]
		lines = lines[n:]
		if err := s.Reply(group...); err != nil {
			return err
		}
		last := group[len(group)-1]
		switch {
		case strings.HasPrefix(last, "334"):
			if _, err := s.ReadLine(); err != nil {
				return err
			}
		case strings.HasPrefix(last, "354"):
			if err := s.readData(); err != nil {
				return err
			}
		}
	}
	if verb == "QUIT" {
		return errStop
	}
	return nil
}

// replyEnd is how many lines make up the first reply of the list: up to
// and including the first final line ("250 x" or a bare "250") or special
// line.
func replyEnd(lines []string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, "\x00") || len(l) < 4 || l[3] != '-' {
			return i + 1
		}
	}
	return len(lines)
}

func (s *Session) readData() error {
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return err
		}
		if strings.TrimRight(line, "\r\n") == "." {
			s.srv.record(".")
			return nil
		}
	}
}

// auth is the default AUTH handler: PLAIN and LOGIN, with or without an
// initial response (RFC 4954 §4), against User/Password when set.
func (s *Session) auth(arg string) error {
	mech, ir, hasIR := strings.Cut(arg, " ")
	sc := s.srv.script
	check := func(user, pass string) error {
		if sc.User == "" && sc.Password == "" || user == sc.User && pass == sc.Password {
			return s.Reply("235 2.7.0 Authentication successful")
		}
		return s.Reply("535 5.7.8 Authentication credentials invalid")
	}
	read := func(challenge string) (string, error) {
		if err := s.Reply("334 " + challenge); err != nil {
			return "", err
		}
		line, err := s.ReadLine()
		if err != nil {
			return "", err
		}
		if line == "*" {
			return "", errCancel
		}
		b, err := decode64(line)
		if err != nil {
			return "", errBadBase64
		}
		return string(b), nil
	}
	var err error
	switch strings.ToUpper(mech) {
	case "PLAIN":
		resp := ""
		if hasIR {
			var b []byte
			if b, err = decode64(ir); err != nil {
				err = errBadBase64
			}
			resp = string(b)
		} else {
			resp, err = read("")
		}
		if err == nil {
			parts := strings.SplitN(resp, "\x00", 3)
			if len(parts) != 3 {
				return s.Reply("501 5.5.2 Malformed PLAIN response")
			}
			return check(parts[1], parts[2])
		}
	case "LOGIN":
		user := ""
		if hasIR {
			var b []byte
			if b, err = decode64(ir); err != nil {
				err = errBadBase64
			}
			user = string(b)
		} else {
			user, err = read("VXNlcm5hbWU6")
		}
		if err == nil {
			var pass string
			if pass, err = read("UGFzc3dvcmQ6"); err == nil {
				return check(user, pass)
			}
		}
	default:
		return s.Reply("504 5.5.4 Unrecognized authentication type")
	}
	switch {
	case errors.Is(err, errCancel):
		return s.Reply("501 5.0.0 Authentication cancelled")
	case errors.Is(err, errBadBase64):
		return s.Reply("501 5.5.2 Cannot decode response")
	}
	return err
}

func decode64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

var (
	errCancel    = errors.New("cancelled")
	errBadBase64 = errors.New("bad base64")
)

// Reply builds a multi-line reply from a code and texts,
// "250", "a", "b" → "250-a", "250 b".
func Reply(code int, texts ...string) []string {
	c := strconv.Itoa(code)
	out := make([]string, len(texts))
	for i, t := range texts {
		sep := "-"
		if i == len(texts)-1 {
			sep = " "
		}
		out[i] = c + sep + t
	}
	return out
}

// Flood is n copies of line followed by a final "250 end": a reply far
// longer than any real server sends, for hostile-server tests.
func Flood(n int, line string) []string {
	out := make([]string, 0, n+1)
	for range n {
		out = append(out, line)
	}
	return append(out, "250 end")
}
