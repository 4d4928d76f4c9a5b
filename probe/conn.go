package probe

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Bounds on what a server may send. RFC 5321 §4.5.3.1.5 limits a reply
// line to 512 octets; real servers overstep that, so the bound is lenient
// but finite.
const (
	maxLineBytes    = 2000
	maxReplyLines   = 100
	maxProbeBytes   = 1 << 20
	firstBytesKept  = 64
	readBufferBytes = 4096
)

var (
	errBudget     = errors.New("the server sent more than 1 MiB in one probe")
	errReplyLines = fmt.Errorf("reply longer than %d lines", maxReplyLines)
)

// badReplyError is a line that is not an SMTP reply line.
type badReplyError struct{ line string }

func (e *badReplyError) Error() string {
	return fmt.Sprintf("not an SMTP reply line: %q", e.line)
}

// countConn counts and bounds the bytes read from the TCP connection and
// keeps the first few, so that a failed TLS handshake can tell what the
// server sent instead (a plaintext "220", "HTTP/1.1").
type countConn struct {
	net.Conn
	mu    sync.Mutex
	n     int
	first []byte
}

func (c *countConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	room := maxProbeBytes - c.n
	c.mu.Unlock()
	if room <= 0 {
		return 0, errBudget
	}
	if len(p) > room {
		p = p[:room]
	}
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.n += n
	if k := firstBytesKept - len(c.first); k > 0 && n > 0 {
		c.first = append(c.first, p[:min(k, n)]...)
	}
	c.mu.Unlock()
	return n, err
}

func (c *countConn) firstBytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.first)
}

// wire is the SMTP connection: plaintext or TLS over a countConn, with a
// bounded line reader, a deadline on every read and write, and every line
// recorded in the transcript as it passes.
type wire struct {
	p    *prober
	raw  *countConn
	conn net.Conn // raw, or a *tls.Conn over raw
	r    *bufio.Reader
	// read is set once any server byte arrived on this wire, to tell
	// "no greeting at all" from "a greeting that stopped half way".
	read bool
}

func newWire(p *prober, c net.Conn) *wire {
	cc := &countConn{Conn: c}
	return &wire{p: p, raw: cc, conn: cc, r: bufio.NewReaderSize(cc, readBufferBytes)}
}

// upgrade switches the wire to a TLS connection over the same TCP stream.
func (w *wire) upgrade(c net.Conn) {
	w.conn = c
	w.r = bufio.NewReaderSize(c, readBufferBytes)
}

func (w *wire) close() { w.raw.Close() }

func (w *wire) deadline() time.Time { return w.p.stepDeadline() }

// send writes one command line. shown is what the transcript records: the
// line itself, or its redacted form for AUTH payloads.
func (w *wire) send(line, shown string) error {
	w.p.tr.add(DirClient, shown)
	return w.write([]byte(line + "\r\n"))
}

func (w *wire) write(b []byte) error {
	w.conn.SetWriteDeadline(w.deadline())
	if _, err := w.conn.Write(b); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// readLine reads one line, without its CRLF (a bare LF is accepted).
// Lines longer than maxLineBytes are cut, the rest discarded.
func (w *wire) readLine() (string, error) {
	var line []byte
	cut := false
	for {
		chunk, err := w.r.ReadSlice('\n')
		if len(chunk) > 0 {
			w.read = true
		}
		if room := maxLineBytes - len(line); room > 0 {
			line = append(line, chunk[:min(room, len(chunk))]...)
		}
		if len(line) >= maxLineBytes && len(chunk) > 0 && !bytes.HasSuffix(line, []byte("\n")) {
			cut = true
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if len(line) > 0 {
				// A partial line before the failure is still worth showing.
				w.p.tr.add(DirServer, string(line))
			}
			return "", err
		}
		break
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if cut {
		w.p.tr.note("the line above was cut at %d bytes", maxLineBytes)
	}
	return string(line), nil
}

// readReply reads one whole reply, recording every line. The deadline is
// for the whole reply, not per line, so a server dripping one line at a
// time cannot stretch a step.
func (w *wire) readReply() (reply, error) {
	var r reply
	w.conn.SetReadDeadline(w.deadline())
	for {
		line, err := w.readLine()
		if err != nil {
			return r, err
		}
		shown := line
		if len(r.Lines) == 0 {
			shown = annotate334(line)
		}
		w.p.tr.add(DirServer, shown)
		code, final, text, ok := parseLine(line)
		if !ok || (r.Code != 0 && code != r.Code) {
			return r, &badReplyError{line: Escape(truncate(line, 80))}
		}
		if r.Code == 0 {
			r.Code = code
			r.Enhanced = enhancedCode(text)
		}
		r.Lines = append(r.Lines, w.p.tr.scrub.clean(Escape(text)))
		if final {
			return r, nil
		}
		if len(r.Lines) >= maxReplyLines {
			return r, errReplyLines
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
