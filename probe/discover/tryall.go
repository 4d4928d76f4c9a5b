package discover

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
)

// Combo is one port and security mode to try.
type Combo struct {
	Port     int            `json:"port"`
	Security probe.Security `json:"security"`
}

// DefaultCombos are the ports mail is submitted on, in the order a working
// one is preferred: implicit TLS (RFC 8314 §3), submission with STARTTLS
// (RFC 6409), then 25 and the unofficial 2525 that some providers offer
// where 587 is blocked.
func DefaultCombos() []Combo {
	return []Combo{
		{465, probe.SecurityTLS},
		{587, probe.SecurityStartTLS},
		{25, probe.SecurityStartTLS},
		{2525, probe.SecurityStartTLS},
	}
}

// TryOptions are how TryAll runs.
type TryOptions struct {
	// Probe is passed to every probe (resolver, dialer, RootCAs, timeouts,
	// target policy). Observe is ignored: the probes run at once.
	Probe probe.Options
	// Combos replaces DefaultCombos (tests map them to loopback ports).
	Combos []Combo
}

// Row is what one port and security mode showed.
type Row struct {
	Port     int            `json:"port"`
	Security probe.Security `json:"security"`
	// Answered is true when an SMTP greeting came, whatever its code.
	Answered bool `json:"answered"`
	// Greeting is the greeting's first line, text after the code, as the
	// server sent it (escaped at capture; still untrusted).
	Greeting string `json:"greeting,omitempty"`
	// STARTTLS is true when the plaintext EHLO offered it.
	STARTTLS bool `json:"starttls"`
	// TLS is true when a TLS session was set up (implicit or STARTTLS);
	// TLSVerified when its certificate verified.
	TLS         bool `json:"tls"`
	TLSVerified bool `json:"tls_verified"`
	// AuthBeforeTLS and AuthAfterTLS are the AUTH mechanisms offered on
	// either side of TLS (RFC 4954 §3).
	AuthBeforeTLS []string `json:"auth_before_tls,omitempty"`
	AuthAfterTLS  []string `json:"auth_after_tls,omitempty"`
	// Code is the diagnosis of this probe ("ok" when it all worked), and
	// Title its headline.
	Code  probe.Code `json:"code"`
	Title string     `json:"title,omitempty"`
	// Failure is the first failure in a few words, empty when none.
	Failure string `json:"failure,omitempty"`
	// Result is the whole probe, for the transcript.
	Result probe.Result `json:"-"`
}

// Matrix is what TryAll found for one host.
type Matrix struct {
	Host string `json:"host"`
	Rows []Row  `json:"rows"`
	// Best indexes the row to submit on: the first, in Combos order, with
	// TLS and AUTH offered over it, preferring a verified certificate;
	// -1 when no row qualifies.
	Best int `json:"best"`
	// Login is the one AUTH attempt TryAll makes, on Best, when a user
	// was given; nil otherwise.
	Login *probe.Result `json:"login,omitempty"`
}

// TryAll probes host on every combination at once, without credentials,
// to map which ports answer, which offer STARTTLS, and where AUTH is
// offered. With a user, it then logs in once on the best combination. The
// login is deliberately not repeated per port: four logins at once, some
// of them wrong, is how accounts get locked or rate limited.
func TryAll(ctx context.Context, host, user string, secret probe.Secret, opts TryOptions) Matrix {
	combos := opts.Combos
	if combos == nil {
		combos = DefaultCombos()
	}
	po := opts.Probe
	po.Observe = nil

	m := Matrix{Host: host, Rows: make([]Row, len(combos)), Best: -1}
	var wg sync.WaitGroup
	for i, c := range combos {
		wg.Go(func() {
			s := probe.Settings{Host: host, Port: c.Port, Security: c.Security}
			r := probe.Run(ctx, s, probe.Secret{}, po)
			diagnosis.Diagnose(&r)
			m.Rows[i] = RowOf(c, r)
		})
	}
	wg.Wait()

	m.Best = BestRow(m.Rows)
	if user != "" && m.Best >= 0 {
		c := m.Rows[m.Best]
		s := probe.Settings{Host: host, Port: c.Port, Security: c.Security, User: user}
		r := probe.Run(ctx, s, secret, po)
		diagnosis.Diagnose(&r)
		m.Login = &r
	}
	return m
}

// RowOf sums up one diagnosed probe of c as a row of the matrix.
func RowOf(c Combo, r probe.Result) Row {
	row := Row{Port: c.Port, Security: c.Security, Result: r}
	if r.Server != nil && len(r.Server.Banner) > 0 {
		row.Answered = true
		row.Greeting = r.Server.Banner[0]
	}
	if r.Server != nil {
		row.STARTTLS = slices.ContainsFunc(r.Server.Extensions, func(e string) bool {
			kw, _, _ := strings.Cut(strings.TrimSpace(e), " ")
			return strings.EqualFold(kw, "STARTTLS")
		})
	}
	if r.TLS != nil && r.TLS.Version != "" {
		row.TLS = true
		row.TLSVerified = r.TLS.Verified
	}
	if r.Auth != nil {
		row.AuthBeforeTLS = r.Auth.OfferedBeforeTLS
		row.AuthAfterTLS = r.Auth.OfferedAfterTLS
	}
	if r.Diagnosis != nil {
		row.Code = r.Diagnosis.Code
		row.Title = r.Diagnosis.Title
	}
	row.Failure = describe(r.Failure)
	return row
}

// BestRow picks the row to submit on; see Matrix.Best.
func BestRow(rows []Row) int {
	usable := func(r Row) bool { return r.Answered && r.TLS && len(r.AuthAfterTLS) > 0 }
	for i, r := range rows {
		if usable(r) && r.TLSVerified {
			return i
		}
	}
	for i, r := range rows {
		if usable(r) {
			return i
		}
	}
	return -1
}

// describe puts a failure in a few words: the step, then the reply or the
// error.
func describe(f *probe.Failure) string {
	if f == nil {
		return ""
	}
	switch {
	case f.Reply != 0:
		text := ""
		if len(f.Lines) > 0 {
			text = " " + f.Lines[0]
		}
		return fmt.Sprintf("%s: %d%s", f.Step, f.Reply, text)
	case f.Err != "":
		return fmt.Sprintf("%s: %s", f.Step, f.Err)
	case f.Code != "":
		return fmt.Sprintf("%s: %s", f.Step, f.Code)
	}
	return f.Step
}
