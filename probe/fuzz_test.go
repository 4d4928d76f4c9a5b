package probe

import (
	"bytes"
	"encoding/base64"
	"net"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// bytesConn is a net.Conn that reads from a fixed buffer: the reply parser
// under fuzzing needs no network.
type bytesConn struct {
	*bytes.Reader
}

func (bytesConn) Write(b []byte) (int, error)      { return len(b), nil }
func (bytesConn) Close() error                     { return nil }
func (bytesConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (bytesConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (bytesConn) SetDeadline(time.Time) error      { return nil }
func (bytesConn) SetReadDeadline(time.Time) error  { return nil }
func (bytesConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzReadReply feeds arbitrary server bytes to the reply reader: it must
// never panic, and whatever it returns and records must be bounded, valid
// UTF-8 and well-formed.
func FuzzReadReply(f *testing.F) {
	for _, seed := range []string{
		"220 mail.example.com ESMTP\r\n",
		"250-mail.example.com\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n",
		"535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 https://support.google.com/mail/?p=BadCredentials\r\n",
		"334 UGFzc3dvcmQ6\r\n",
		"HTTP/1.1 400 Bad Request\r\n\r\n",
		"SSH-2.0-OpenSSH_9.6\r\n",
		"250-a\r\n251 b\r\n",
		"220\n",
		"\x00\xff\xfe garbage",
		"250-" + strings.Repeat("x", 5000) + "\r\n250 ok\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := newProber(Settings{Host: "x.example"}, Secret{}, Options{})
		w := newWire(p, bytesConn{bytes.NewReader(data)})
		for range 5 {
			r, err := w.readReply()
			if err != nil {
				break
			}
			if r.Code < 100 || r.Code > 599 || len(r.Lines) == 0 || len(r.Lines) > maxReplyLines {
				t.Fatalf("bad reply %+v", r)
			}
			for _, l := range r.Lines {
				if !utf8.ValidString(l) || len(l) > 4*maxLineBytes {
					t.Fatalf("bad line %q", l)
				}
			}
			if r.Enhanced != "" && enhancedCode(r.Enhanced) != r.Enhanced {
				t.Fatalf("enhanced %q", r.Enhanced)
			}
		}
		for _, l := range p.res.Transcript {
			if !utf8.ValidString(l.Text) || len(l.Text) > 4*maxLineBytes+200 {
				t.Fatalf("bad transcript line %q", l.Text)
			}
		}
	})
}

// FuzzRedact checks the transcript's defences for any user, secret and
// server text: the redacted AUTH lines and the scrubbed server lines never
// hold the secret or its base64 forms.
func FuzzRedact(f *testing.F) {
	f.Add("alice@example.com", "correct horse", "535 5.7.8 bad")
	f.Add("u", "d]d]", "d]d]d]")
	f.Add("bob", "pässwörd\xff", "echo pässwörd\xff back")
	f.Add("alice", "alice", "hello alice")
	f.Add("", "=3D,", "n,a=,")
	f.Fuzz(func(t *testing.T, user, pass, server string) {
		if len(pass) < minScrubLen {
			return // shorter secrets are not scrubbed from server text (see minScrubLen)
		}
		res := &Result{}
		tr := &transcript{start: time.Now(), res: res, scrub: newScrubber(user, pass)}
		tr.add(DirServer, server+pass+server)
		tr.add(DirServer, server+base64.StdEncoding.EncodeToString([]byte(pass)))
		for _, m := range []saslMech{
			&plainMech{user: user, pass: pass}, &loginMech{user: user, pass: pass},
			&cramMD5Mech{user: user, pass: pass},
			&oauthMech{user: user, token: pass}, &oauthMech{bearer: true, user: user, token: pass},
		} {
			if _, shown := m.start(); shown != "" {
				tr.add(DirClient, "AUTH "+m.name()+" "+shown)
			}
			for range 2 {
				if _, shown, err := m.next([]byte("Password:")); err == nil {
					tr.add(DirClient, shown)
				}
			}
		}
		forms := secretForms(user, pass)
		forms = append(forms, Escape(pass))
		for _, l := range res.Transcript {
			for _, f := range forms {
				if len(f) >= minScrubLen && strings.Contains(l.Text, f) {
					t.Fatalf("line %q holds %q", l.Text, f)
				}
			}
		}
	})
}
