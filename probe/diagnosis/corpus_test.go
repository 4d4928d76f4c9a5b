package diagnosis

import (
	"context"
	"crypto/tls"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/provider"
	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// The reply corpus (testdata/replies.txt) is real replies that real servers
// sent: pasted into public bug trackers, quoted in providers' help pages,
// or written in server source code, each with its source. Every entry is
// replayed through a real socket: a scripted server on 127.0.0.1 says the
// reply at the step where it came, under the host name the user typed, the
// real probe talks to it, and the diagnosis must come out as the entry
// says.

const corpusFile = "testdata/replies.txt"

// corpusKnownWrong are entries the diagnosis does not get right yet, with
// the reason. Each is still replayed: when one starts passing, the test
// says so, and it must be taken off this list.
var corpusKnownWrong = map[string]string{}

func TestCorpusIsWellFormed(t *testing.T) {
	entries, err := readCorpus(corpusFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 150 {
		t.Errorf("the corpus has %d replies; it must keep at least 150", len(entries))
	}
	ids := map[string]int{}
	seen := map[string]int{} // the same reply from the same source counts once
	classes := map[string]int{}
	for _, e := range entries {
		if prev, dup := ids[e.ID]; dup {
			t.Errorf("line %d: id %q already used at line %d", e.Line, e.ID, prev)
		}
		ids[e.ID] = e.Line
		key := e.Source + "\n" + e.Step + "\n" + strings.Join(e.Reply, "\n")
		if prev, dup := seen[key]; dup && len(e.Reply) > 0 {
			t.Errorf("line %d (%s): the same reply from the same source as line %d", e.Line, e.ID, prev)
		}
		seen[key] = e.Line
		classes[e.Class]++
		if !probe.KnownCode(e.Want) {
			t.Errorf("line %d (%s): want %q is not a diagnosis code", e.Line, e.ID, e.Want)
		}
		if e.Provider != "" && e.Provider != "-" {
			if _, ok := provider.ByKey(e.Provider); !ok {
				t.Errorf("line %d (%s): provider %q is not in the provider table", e.Line, e.ID, e.Provider)
			}
		}
	}
	for _, c := range corpusClasses {
		if classes[c] < 3 {
			t.Errorf("class %s has %d replies; every class needs real replies (at least 3)", c, classes[c])
		}
	}
	for id := range corpusKnownWrong {
		if _, ok := ids[id]; !ok {
			t.Errorf("known-wrong entry %q is not in the corpus", id)
		}
	}
	if len(corpusKnownWrong) > 5 {
		t.Errorf("%d entries are known wrong; fix the diagnosis instead of growing the list", len(corpusKnownWrong))
	}
}

func TestCorpusReplay(t *testing.T) {
	entries, err := readCorpus(corpusFile)
	if err != nil {
		t.Fatal(err)
	}
	ca := smtptest.NewCA(t, "corpus CA")
	certs := &certCache{ca: ca, m: map[string]tls.Certificate{}}
	for _, e := range entries {
		t.Run(e.ID, func(t *testing.T) {
			t.Parallel()
			res := replayEntry(t, certs, e)
			problems := judgeEntry(e, &res)
			reason, known := corpusKnownWrong[e.ID]
			switch {
			case known && len(problems) == 0:
				t.Errorf("now right; take it off corpusKnownWrong (%s)", reason)
			case known:
				t.Skipf("known wrong: %s (%s)", reason, strings.Join(problems, "; "))
			case len(problems) > 0:
				d := res.Diagnosis
				t.Errorf("line %d, source %s:\n%s\ngot %s (rule %+v): %s\ntranscript:\n%s",
					e.Line, e.Source, strings.Join(problems, "\n"), d.Code, d.Rule, d.Summary, transcript(res))
			}
		})
	}
}

// certCache issues one certificate per name: key generation is the slow
// part of a replay.
type certCache struct {
	ca *smtptest.CA
	mu sync.Mutex
	m  map[string]tls.Certificate
}

func (c *certCache) get(t *testing.T, name string) tls.Certificate {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cert, ok := c.m[name]; ok {
		return cert
	}
	cert := c.ca.Valid(t, name)
	c.m[name] = cert
	return cert
}

// replayEntry runs the real probe against a server that says the entry's
// reply at its step, and diagnoses the result.
func replayEntry(t *testing.T, certs *certCache, e corpusEntry) probe.Result {
	t.Helper()
	domain := e.Host
	if e.Cert != e.Host {
		// The source showed only the certificate: the greeting must not
		// claim the typed host's name either.
		domain = "localhost"
	}
	var greeting []string
	if len(e.Banner) > 0 {
		greeting = smtptest.Reply(220, e.Banner...)
		domain = firstField(e.Banner[0])
	}
	s := smtptest.Script{
		Domain: domain, Greeting: greeting,
		TLS:        smtptest.ServerTLS(certs.get(t, e.Cert), 0),
		Implicit:   e.TLS == "implicit",
		Replies:    map[string][]string{},
		TLSReplies: map[string][]string{},
	}
	mechs := "AUTH PLAIN LOGIN"
	if e.Mech != "" {
		mechs += " " + strings.ToUpper(e.Mech)
	}
	if s.Implicit {
		s.Replies["EHLO"] = smtptest.Reply(250, domain, "ENHANCEDSTATUSCODES", mechs)
	} else {
		// STARTTLS and AUTH before TLS, as most submission servers that
		// answer in plaintext at all do, so that a plaintext probe gets
		// as far as the reply.
		s.Replies["EHLO"] = smtptest.Reply(250, domain, "STARTTLS", "ENHANCEDSTATUSCODES", mechs)
		s.TLSReplies["EHLO"] = smtptest.Reply(250, domain, "ENHANCEDSTATUSCODES", mechs)
	}
	reply := e.Reply
	both := func(verb string, r []string) {
		s.Replies[verb] = r
		if !s.Implicit {
			s.TLSReplies[verb] = r
		}
	}
	switch e.Step {
	case probe.StepGreeting:
		s.Greeting = reply
	case probe.StepEHLO:
		both("EHLO", reply)
	case probe.StepStartTLS:
		if len(reply) > 0 {
			s.Replies["STARTTLS"] = reply
		}
	case probe.StepTLS:
		// The certificate is the point: nothing else to say.
	case probe.StepAuth:
		both("AUTH", reply)
	case probe.StepMail:
		both("MAIL", reply)
	case probe.StepRcpt:
		both("RCPT", reply)
	case probe.StepData:
		both("DATA", append([]string{"354 End data with <CR><LF>.<CR><LF>"}, reply...))
	}
	srv := smtptest.Start(t, s)
	sec := map[string]probe.Security{"starttls": probe.SecurityStartTLS, "none": probe.SecurityNone, "implicit": probe.SecurityTLS}[e.TLS]
	set := probe.Settings{
		Host: e.Host, Port: srv.Port, Security: sec, User: e.User, Mech: probe.MechAuto,
		From: e.From, To: "bob@example.net", HELO: "client.example.org",
		Send: e.Step == probe.StepData,
	}
	if e.Mech != "" {
		set.Mech = probe.Mechanism(strings.ToLower(e.Mech))
	}
	res := probe.Run(context.Background(), set, probe.Secret{Password: "right-or-wrong"}, replayOptions(certs.ca))
	Diagnose(&res)
	return res
}

// judgeEntry lists what is wrong with the diagnosis of a replayed entry.
func judgeEntry(e corpusEntry, r *probe.Result) []string {
	var p []string
	switch {
	case len(e.Reply) == 0:
		// A certificate entry: the probe carries on past a certificate
		// it cannot verify, so there may be no failure at all.
	case r.Failure == nil:
		return []string{"the probe saw no failure"}
	case r.Failure.Step != e.Step && !(e.Step == probe.StepEHLO && r.Failure.Step == probe.StepEHLOTLS):
		p = append(p, "the probe failed at "+r.Failure.Step+", the reply belongs to "+e.Step)
	}
	d := r.Diagnosis
	if d == nil {
		return append(p, "no diagnosis")
	}
	if string(d.Code) != e.Want {
		p = append(p, "code "+string(d.Code)+", want "+e.Want)
	}
	switch e.Provider {
	case "":
	case "-":
		if d.Provider != "" {
			p = append(p, "named the provider "+d.Provider+", want none")
		}
	default:
		want, _ := provider.ByKey(e.Provider)
		if d.Provider != want.Name {
			p = append(p, "provider "+strconvQuote(d.Provider)+", want "+strconvQuote(want.Name))
		}
	}
	if code := e.replyCode(); code != 0 && !strings.Contains(d.Summary, strconv.Itoa(code)) {
		p = append(p, "the summary does not cite the code the server sent ("+strconv.Itoa(code)+")")
	}
	steps := strings.ToLower(strings.Join(d.Remediation, "\n"))
	if e.User == "" && strings.Contains(strings.ToLower(d.Summary), "login worked") {
		p = append(p, "the summary says the login worked, but none was tried")
	}
	if d.Code == probe.CodeAuthRateLimited && !strings.Contains(steps, "wait") && !strings.Contains(steps, "stop retrying") {
		p = append(p, "a rate limit whose steps do not say to stop and wait")
	}
	if d.Code == probe.CodeAuthRateLimited && strings.Contains(steps, "reset the password") {
		p = append(p, "a rate limit whose steps say to reset the password")
	}
	if pr, ok := provider.ByKey(e.Provider); ok && pr.Kind == provider.KindService && strings.Contains(steps, "doveadm") {
		p = append(p, "server-software advice (doveadm) for a hosted service")
	}
	return p
}

func strconvQuote(s string) string { return strconv.Quote(s) }
