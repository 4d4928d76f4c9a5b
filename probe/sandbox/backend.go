package sandbox

import (
	"crypto/subtle"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// The replies below follow what real servers send (the sample scenarios in
// probe/diagnosis/scenarios_test.go), so
// that a sandbox diagnosis reads like one of a real server.
var (
	// RFC 3207 §4: a server that requires TLS answers other commands so.
	errMustStartTLS = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Must issue a STARTTLS command first"}
	// RFC 4954 §6: 530 5.7.0 when a command needs authentication first.
	errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	// RFC 4954 §6: 535 5.7.8, the credentials are wrong.
	errBadCredentials = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
)

// errRelayDenied is Postfix's wording for an unauthenticated RCPT to a
// domain the server does not serve.
func errRelayDenied(rcpt string) error {
	return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: fmt.Sprintf("<%s>: Relay access denied", rcpt)}
}

// checkDemo accepts exactly the demo account. The comparison is constant
// time out of habit; the password is public anyway.
func checkDemo(username, password string) error {
	userOK := subtle.ConstantTimeCompare([]byte(username), []byte(DemoUser))
	passOK := subtle.ConstantTimeCompare([]byte(password), []byte(DemoPassword))
	if userOK&passOK != 1 {
		return errBadCredentials
	}
	return nil
}

// submissionBackend is a submission server (RFC 6409): AUTH PLAIN and LOGIN
// once TLS is up, MAIL only after TLS and AUTH, any recipient after that.
type submissionBackend struct{}

func (submissionBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &submissionSession{conn: c}, nil
}

type submissionSession struct {
	conn   *smtp.Conn
	authed bool
}

var _ smtp.AuthSession = (*submissionSession)(nil)

func (s *submissionSession) AuthMechanisms() []string {
	return []string{sasl.Plain, sasl.Login}
}

func (s *submissionSession) Auth(mech string) (sasl.Server, error) {
	check := func(username, password string) error {
		if err := checkDemo(username, password); err != nil {
			return err
		}
		s.authed = true
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, password string) error {
			// RFC 4616 §2: an authorization identity other than the
			// user's own would be acting as someone else.
			if identity != "" && identity != username {
				return errBadCredentials
			}
			return check(username, password)
		}), nil
	case sasl.Login:
		return newLoginServer(check), nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *submissionSession) Mail(from string, _ *smtp.MailOptions) error {
	if _, isTLS := s.conn.TLSConnectionState(); !isTLS {
		return errMustStartTLS
	}
	if !s.authed {
		return errAuthRequired
	}
	return nil
}

func (s *submissionSession) Rcpt(string, *smtp.RcptOptions) error {
	if !s.authed {
		return errAuthRequired
	}
	return nil
}

// Data reads the message and drops it: the sandbox delivers nothing.
func (s *submissionSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}

func (s *submissionSession) Reset()        {}
func (s *submissionSession) Logout() error { return nil }

// mxBackend is an inbound MX: STARTTLS but no AUTH at all, mail accepted
// only for the sandbox's own domain. It is what people reach when they put
// the MX host (or port 25) where the submission server belongs.
type mxBackend struct{}

func (mxBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return mxSession{}, nil }

type mxSession struct{}

func (mxSession) Mail(string, *smtp.MailOptions) error { return nil }

func (mxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	at := strings.LastIndexByte(to, '@')
	if at < 0 || !strings.EqualFold(to[at+1:], Domain) {
		return errRelayDenied(to)
	}
	return nil
}

func (mxSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}

func (mxSession) Reset()        {}
func (mxSession) Logout() error { return nil }
