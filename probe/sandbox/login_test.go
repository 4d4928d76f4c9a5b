package sandbox

import (
	"errors"
	"testing"
)

// Clients that send no initial response get the "Username:" challenge
// first (go-sasl's own client always sends one, so the end-to-end tests do
// not cover this path).
func TestLoginWithoutInitialResponse(t *testing.T) {
	s := newLoginServer(checkDemo)
	steps := []struct {
		response  []byte
		challenge string
		done      bool
	}{
		{nil, "Username:", false},
		{[]byte(DemoUser), "Password:", false},
		{[]byte(DemoPassword), "", true},
	}
	for i, step := range steps {
		challenge, done, err := s.Next(step.response)
		if err != nil || string(challenge) != step.challenge || done != step.done {
			t.Fatalf("step %d: got %q, %v, %v; want %q, %v", i, challenge, done, err, step.challenge, step.done)
		}
	}
	if _, _, err := s.Next([]byte("more")); err == nil {
		t.Fatal("a response after the end was accepted")
	}
}

func TestLoginWrongPassword(t *testing.T) {
	s := newLoginServer(checkDemo)
	if _, _, err := s.Next([]byte(DemoUser)); err != nil {
		t.Fatal(err)
	}
	_, done, err := s.Next([]byte("nope"))
	if !done || !errors.Is(err, errBadCredentials) {
		t.Fatalf("got done=%v err=%v, want the 535 reply", done, err)
	}
}
