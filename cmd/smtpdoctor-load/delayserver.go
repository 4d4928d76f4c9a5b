package main

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"sync"
	"time"
)

// delayServer is a scripted SMTP server that waits a fixed delay before
// every SMTP reply (not before TLS handshake records: the handshake costs
// both clients alike), as a far-away server would look. It counts, per
// connection, the replies sent before the client's QUIT, and whether the
// client was still there to read the 221.
type delayServer struct {
	ln    net.Listener
	delay time.Duration
	tls   *tls.Config
	mu    sync.Mutex
	logs  []delayLog
}

type delayLog struct {
	waits      int  // replies sent before QUIT arrived
	waitedQuit bool // the client read (or at least stayed for) the 221
	commands   []string
}

func startDelayServer(pki *testPKI, delay time.Duration) (*delayServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &delayServer{ln: ln, delay: delay, tls: pki.server}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				l := s.serve(c)
				s.mu.Lock()
				s.logs = append(s.logs, l)
				s.mu.Unlock()
			}()
		}
	}()
	return s, nil
}

func (s *delayServer) addr() string { return s.ln.Addr().String() }
func (s *delayServer) close()       { s.ln.Close() }

// take returns and forgets the connection logs so far.
func (s *delayServer) take() []delayLog {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.logs
	s.logs = nil
	return l
}

func (s *delayServer) serve(raw net.Conn) (log delayLog) {
	defer raw.Close()
	var c net.Conn = raw
	r := bufio.NewReader(c)
	replies := 0
	reply := func(text string) bool {
		time.Sleep(s.delay)
		c.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write([]byte(text)); err != nil {
			return false
		}
		replies++
		return true
	}
	if !reply("220 delay.test ESMTP\r\n") {
		return log
	}
	for range 20 {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		line, err := r.ReadString('\n')
		if err != nil {
			return log
		}
		line = strings.TrimRight(line, "\r\n")
		f := strings.Fields(strings.ToUpper(line))
		if len(f) == 0 {
			f = []string{""}
		}
		log.commands = append(log.commands, f[0])
		_, isTLS := c.(*tls.Conn)
		switch f[0] {
		case "EHLO", "HELO":
			ext := "250-delay.test\r\n250-PIPELINING\r\n"
			if isTLS {
				ext += "250 AUTH PLAIN\r\n"
			} else {
				ext += "250 STARTTLS\r\n"
			}
			if !reply(ext) {
				return log
			}
		case "STARTTLS":
			if !reply("220 2.0.0 ready to start TLS\r\n") {
				return log
			}
			tc := tls.Server(raw, s.tls)
			tc.SetDeadline(time.Now().Add(10 * time.Second))
			if err := tc.Handshake(); err != nil {
				return log
			}
			c, r = tc, bufio.NewReader(tc)
		case "AUTH":
			if len(f) == 2 { // no initial response: a 334 round trip more
				if !reply("334 \r\n") {
					return log
				}
				if _, err := r.ReadString('\n'); err != nil {
					return log
				}
			}
			if !reply("235 2.7.0 Authentication successful\r\n") {
				return log
			}
		case "QUIT":
			log.waits = replies
			// Hold the 221 for the delay, then see whether the client is
			// still there: one that did not wait has closed by now.
			c.SetReadDeadline(time.Now().Add(s.delay))
			var one [1]byte
			_, err := r.Read(one[:])
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.SetWriteDeadline(time.Now().Add(10 * time.Second))
				_, werr := c.Write([]byte("221 2.0.0 bye\r\n"))
				log.waitedQuit = werr == nil
			}
			return log
		default:
			if !reply("502 5.5.1 not in this script\r\n") {
				return log
			}
		}
	}
	return log
}
