package smtptest

import (
	"net"
	"sync"
	"sync/atomic"
)

// Tarpit accepts connections on loopback and never writes: the server
// that keeps a client waiting for its greeting until the client's own
// deadline. It holds every connection until Close. The memory test of the
// probe and the load tool's tarpit run share it.
type Tarpit struct {
	ln       net.Listener
	accepted atomic.Int64
	mu       sync.Mutex
	conns    []net.Conn
}

// StartTarpit listens on 127.0.0.1 on a free port.
func StartTarpit() (*Tarpit, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	tp := &Tarpit{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tp.mu.Lock()
			tp.conns = append(tp.conns, c)
			tp.mu.Unlock()
			tp.accepted.Add(1)
		}
	}()
	return tp, nil
}

// Addr is "127.0.0.1:PORT".
func (tp *Tarpit) Addr() string { return tp.ln.Addr().String() }

// Port is the port it listens on.
func (tp *Tarpit) Port() int { return tp.ln.Addr().(*net.TCPAddr).Port }

// Accepted counts the connections accepted so far.
func (tp *Tarpit) Accepted() int64 { return tp.accepted.Load() }

// Close stops listening and closes every connection it holds.
func (tp *Tarpit) Close() {
	tp.ln.Close()
	tp.mu.Lock()
	defer tp.mu.Unlock()
	for _, c := range tp.conns {
		c.Close()
	}
}
