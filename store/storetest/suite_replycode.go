package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// People search for the basic reply code ("535", "554") as often as for
// the enhanced one; both must find the attempt, whether the search goes
// through the trigram index (three characters or more) or walks.
func testSearchFindsBasicReplyCodes(t *testing.T, open opener) {
	ctx := context.Background()
	s, _ := open(t)
	a := attempt("a535", base, "smtp.example.com", 587, probe.OutcomeFailure, "auth.credentials_rejected")
	b := attempt("b554", base.Add(time.Minute), "mx.example.org", 25, probe.OutcomeFailure, "smtp.service_unavailable")
	b.Failure = &probe.Failure{Step: probe.StepGreeting, Reply: 554, Enhanced: "5.7.1",
		Lines: []string{"5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org"}}
	c := attempt("c-refused", base.Add(2*time.Minute), "mail.example.net", 587, probe.OutcomeFailure, "net.refused")
	c.Failure = &probe.Failure{Step: probe.StepConnect, Err: "dial tcp 192.0.2.1:587: connect: connection refused"}
	mustCreate(t, s, a, b, c)

	for q, want := range map[string]string{"535": "a535", "554": "b554", "554 5.7.1": "b554", "535 5.7.8": "a535"} {
		p, err := s.List(ctx, store.Filter{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(p); len(got) != 1 || got[0] != want {
			t.Errorf("search %q = %v, want [%s]", q, got, want)
		}
	}
	p, err := s.List(ctx, store.Filter{Host: "mx.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Attempts) != 1 || p.Attempts[0].Reply != "554 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org" {
		t.Errorf("reply shown as %+v", p.Attempts)
	}
	// A connection that got no reply keeps its error, with no code made up.
	p, err = s.List(ctx, store.Filter{Host: "mail.example.net"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Attempts) != 1 || p.Attempts[0].Reply != "dial tcp 192.0.2.1:587: connect: connection refused" {
		t.Errorf("error shown as %+v", p.Attempts)
	}
}
