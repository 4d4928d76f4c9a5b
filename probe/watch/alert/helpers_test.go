package alert

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

// received is one request a test receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is a real HTTP server on loopback that answers with the status
// codes given in turn (200 once they run out) and keeps what it got.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status []int
}

func newReceiver(t *testing.T, status ...int) *receiver {
	rc := &receiver{status: status}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{r.Header.Clone(), b})
		code := http.StatusOK
		if len(rc.status) > 0 {
			code, rc.status = rc.status[0], rc.status[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(code)
		io.WriteString(w, http.StatusText(code))
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// mailbox is a real SMTP server (go-smtp) on 127.0.0.1:0 with STARTTLS and
// AUTH PLAIN for one account, keeping the messages it accepts.
type mailbox struct {
	host  string
	port  int
	roots *x509.CertPool
	mu    sync.Mutex
	msgs  []mail
}

type mail struct {
	from, to string
	data     []byte
}

func newMailbox(t *testing.T, user, password string) *mailbox {
	ca := smtptest.NewCA(t, "alert test CA")
	mb := &mailbox{roots: ca.Pool}
	srv := smtp.NewServer(&mailBackend{mb: mb, user: user, password: password})
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{ca.Valid(t, "127.0.0.1")}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	host, port, _ := net.SplitHostPort(l.Addr().String())
	mb.host = host
	mb.port, _ = strconv.Atoi(port)
	return mb
}

func (mb *mailbox) messages() []mail {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]mail(nil), mb.msgs...)
}

func (mb *mailbox) settings(user string) *probe.Settings {
	return &probe.Settings{Host: mb.host, Port: mb.port, Security: probe.SecurityStartTLS, User: user, From: "smtpdoctor@example.com"}
}

type mailBackend struct {
	mb             *mailbox
	user, password string
}

func (b *mailBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{b: b}, nil }

type mailSession struct {
	b        *mailBackend
	authed   bool
	from, to string
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.b.user || pass != s.b.password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		s.authed = true
		return nil
	}), nil
}
func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	s.from = from
	return nil
}
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == "nobody@example.com" {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	s.to = to
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mb.mu.Lock()
	s.b.mb.msgs = append(s.b.mb.msgs, mail{s.from, s.to, b})
	s.b.mb.mu.Unlock()
	return nil
}
func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

var errRefused = errors.New("refused by the test policy")

func testMonitor() watch.Monitor {
	return watch.Monitor{ID: "mon123", Name: "Office relay", Settings: probe.Settings{Host: "smtp.example.com", Port: 587}}
}

func failingEvent() watch.Event {
	return watch.Event{Kind: watch.EventFailing, At: time.Date(2026, 11, 30, 3, 12, 9, 0, time.UTC), AttemptID: "att456",
		Outcome: probe.OutcomeFailure, Code: probe.CodeAuthCredentialsRejected, Title: "The server refused the username or password"}
}
