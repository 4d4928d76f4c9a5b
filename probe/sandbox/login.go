package sandbox

import (
	"github.com/emersion/go-sasl"
)

// loginServer is the server side of the LOGIN mechanism
// (draft-murchison-sasl-login), which go-sasl only has as a client. Many
// clients still prefer LOGIN, so the sandbox offers it. The username may
// come as the initial response (go-sasl's client does that) or in answer to
// the "Username:" challenge.
type loginServer struct {
	authenticate func(username, password string) error
	username     string
	state        int
}

const (
	loginWantUser = iota
	loginWantPassword
	loginDone
)

func newLoginServer(authenticate func(username, password string) error) sasl.Server {
	return &loginServer{authenticate: authenticate}
}

func (s *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch s.state {
	case loginWantUser:
		if response == nil {
			return []byte("Username:"), false, nil
		}
		s.username = string(response)
		s.state = loginWantPassword
		return []byte("Password:"), false, nil
	case loginWantPassword:
		s.state = loginDone
		if err := s.authenticate(s.username, string(response)); err != nil {
			return nil, true, err
		}
		return nil, true, nil
	default:
		return nil, true, sasl.ErrUnexpectedClientResponse
	}
}
