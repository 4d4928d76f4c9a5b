package main

import (
	"context"
	"errors"
	"io"
	"net"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// The account every mode authenticates as.
const (
	loadUser     = "load@example.test"
	loadPassword = "load-password-7"
)

var errBadCredentials = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}

// startSubmission starts a go-smtp submission server on loopback:
// STARTTLS, then AUTH PLAIN (only over TLS: AllowInsecureAuth is off).
// It returns the address and a function that stops it.
func startSubmission(pki *testPKI) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	return ln.Addr().String(), serveSubmission(pki, ln), nil
}

// listenSubmission is startSubmission on a given address.
func listenSubmission(pki *testPKI, addr string) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return serveSubmission(pki, ln), nil
}

func serveSubmission(pki *testPKI, ln net.Listener) func() {
	s := smtp.NewServer(backend{})
	s.Domain = "load.test"
	s.TLSConfig = pki.server
	s.AllowInsecureAuth = false
	s.ReadTimeout = 30 * time.Second
	s.WriteTimeout = 30 * time.Second
	s.ErrorLog = discardLogger{}
	go s.Serve(ln)
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			s.Close()
		}
	}
	return stop
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

type backend struct{}

func (backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{}, nil }

type session struct{ authed bool }

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, errors.New("unsupported mechanism")
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != loadUser || pass != loadPassword || (identity != "" && identity != user) {
			return errBadCredentials
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *session) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }
