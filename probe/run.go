package probe

import (
	"context"
	"net/netip"
	"os"
	"strings"
	"time"
)

const (
	defaultStepTimeout  = 10 * time.Second
	defaultTotalTimeout = 60 * time.Second
)

// prober is the state of one Run.
type prober struct {
	ctx      context.Context
	s        Settings
	secret   Secret
	o        Options
	res      Result
	tr       *transcript
	start    time.Time
	totalEnd time.Time
	cur      int // index of the running step in res.Steps, -1 when none
	w        *wire
	host     string // Settings.Host without brackets
	isIP     bool
	// ext is the current EHLO extension list, keyword (upper case) to
	// parameters; it is replaced after STARTTLS (RFC 3207 §4.2).
	ext       map[string]string
	tlsActive bool
	// until, when set, caps every deadline: the greeting step uses it to
	// keep the second connection's TLS check inside the step's own time.
	until time.Time
}

// Run probes one SMTP server as Settings ask and returns everything it
// saw. It never returns an error: a failure is part of the Result
// (Failure, Steps, Transcript). It does not choose the diagnosis; Status is
// done and Outcome is left for probe/diagnosis.
func Run(ctx context.Context, s Settings, secret Secret, o Options) Result {
	p := newProber(s, secret, o)
	ctx, cancel := context.WithDeadline(ctx, p.totalEnd)
	defer cancel()
	p.ctx = ctx
	p.run()
	if p.w != nil {
		p.w.close()
	}
	p.finishStep(StepFailed, "")
	p.res.Status = StatusDone
	p.res.DurationMS = time.Since(p.start).Milliseconds()
	p.observe()
	return p.res
}

func newProber(s Settings, secret Secret, o Options) *prober {
	if o.StepTimeout <= 0 {
		o.StepTimeout = defaultStepTimeout
	}
	if o.TotalTimeout <= 0 {
		o.TotalTimeout = defaultTotalTimeout
	}
	if s.Security == "" {
		s.Security = SecurityAuto
	}
	if s.Mech == "" {
		s.Mech = MechAuto
	}
	if s.Port == 0 {
		s.Port = 587
		if s.Security == SecurityTLS {
			s.Port = 465
		}
	}
	start := time.Now()
	p := &prober{
		s:        s,
		secret:   secret,
		o:        o,
		start:    start,
		totalEnd: start.Add(o.TotalTimeout),
		cur:      -1,
		host:     BareHost(s.Host),
	}
	if a, err := netip.ParseAddr(p.host); err == nil {
		p.isIP = true
		p.host = a.String()
	}
	p.res = Result{
		Status:     StatusRunning,
		Kind:       KindProbe,
		Settings:   s,
		StartedAt:  start.UTC(),
		Origin:     o.Origin,
		Findings:   []Finding{},
		Steps:      []Step{},
		Transcript: []Line{},
	}
	p.tr = &transcript{start: start, res: &p.res, scrub: newScrubber(s.User, secret.Password)}
	return p
}

// run walks the conversation; each step returns false when the probe
// cannot go on (the failure is then recorded).
func (p *prober) run() {
	p.inputHints()
	addrs, ok := p.resolve()
	if !ok {
		return
	}
	if !p.connect(addrs) {
		return
	}
	switch {
	case p.implicit():
		if !p.implicitTLS() {
			return
		}
	case p.raceModes():
		if !p.raceTLS() {
			return
		}
	}
	if !p.greeting() {
		return
	}
	if !p.ehlo(StepEHLO) {
		return
	}
	if !p.startTLS() {
		return
	}
	if p.s.User != "" {
		if !p.auth() {
			p.quit()
			return
		}
	}
	if !p.mail() {
		p.quit()
		return
	}
	p.quit()
}

// implicit reports whether TLS starts with the connection (RFC 8314 §3):
// asked for, or auto on port 465.
func (p *prober) implicit() bool {
	return p.s.Security == SecurityTLS || (p.s.Security == SecurityAuto && p.s.Port == 465)
}

// stepDeadline is when the current read or write must be done: one step
// timeout from now, but never past the probe's own deadline.
func (p *prober) stepDeadline() time.Time {
	d := time.Now().Add(p.o.StepTimeout)
	if !p.until.IsZero() && d.After(p.until) {
		d = p.until
	}
	if d.After(p.totalEnd) {
		return p.totalEnd
	}
	return d
}

func (p *prober) ms() int64 { return time.Since(p.start).Milliseconds() }

// beginStep starts a named step (ending the previous one as ok if it was
// still running) and tells the observer.
func (p *prober) beginStep(name string) {
	p.finishStep(StepOK, "")
	p.res.Steps = append(p.res.Steps, Step{Name: name, Status: StepRunning, StartedMS: p.ms()})
	p.cur = len(p.res.Steps) - 1
	p.observe()
}

// finishStep ends the running step, if any, with status.
func (p *prober) finishStep(status StepStatus, detail string) {
	if p.cur < 0 {
		return
	}
	st := &p.res.Steps[p.cur]
	st.Status = status
	st.DurationMS = p.ms() - st.StartedMS
	if detail != "" {
		st.Detail = Escape(detail)
	}
	p.cur = -1
	p.observe()
}

func (p *prober) stepName() string {
	if p.cur < 0 {
		if n := len(p.res.Steps); n > 0 {
			return p.res.Steps[n-1].Name
		}
		return ""
	}
	return p.res.Steps[p.cur].Name
}

// observe hands a copy of the result so far to Options.Observe.
func (p *prober) observe() {
	if p.o.Observe == nil {
		return
	}
	p.o.Observe(p.snapshot())
}

// snapshot copies everything the probe may still change, so an observer
// can keep it.
func (p *prober) snapshot() Result {
	r := p.res
	r.Steps = append([]Step(nil), r.Steps...)
	r.Transcript = append([]Line(nil), r.Transcript...)
	r.Observations = append([]Observation(nil), r.Observations...)
	r.Findings = append([]Finding{}, r.Findings...)
	if r.TLS != nil {
		t := *r.TLS
		r.TLS = &t
	}
	if r.Server != nil {
		s := *r.Server
		r.Server = &s
	}
	if r.Network != nil {
		n := *r.Network
		n.Addresses = append([]AddressAttempt(nil), n.Addresses...)
		r.Network = &n
	}
	if r.Auth != nil {
		a := *r.Auth
		r.Auth = &a
	}
	if r.Failure != nil {
		f := *r.Failure
		r.Failure = &f
	}
	r.DurationMS = p.ms()
	return r
}

// observation records a fact for the diagnosis, once per code and detail.
func (p *prober) observation(code Code, detail string) {
	detail = p.tr.scrub.clean(Escape(detail))
	for _, o := range p.res.Observations {
		if o.Code == code && o.Detail == detail {
			return
		}
	}
	p.res.Observations = append(p.res.Observations, Observation{Code: code, Detail: detail})
}

// ehloName is the name we give in EHLO: the user's choice, else this
// machine's name when it is a full domain name, else an address literal of
// our end of the connection. RFC 5321 §4.1.4 asks for an FQDN or an
// address literal; "localhost" gets refused or rate-limited by big
// providers (Gmail answers 421 to it).
func (p *prober) ehloName() string {
	if h := helloName(p.s.HELO); h != "" {
		return h
	}
	if h, err := os.Hostname(); err == nil && strings.Contains(strings.Trim(h, "."), ".") &&
		!strings.HasPrefix(strings.ToLower(h), "localhost") {
		return strings.Trim(h, ".")
	}
	if p.w != nil {
		if ap, err := netip.ParseAddrPort(p.w.raw.LocalAddr().String()); err == nil {
			a := ap.Addr().Unmap()
			if a.Is6() {
				return "[IPv6:" + a.String() + "]"
			}
			return "[" + a.String() + "]"
		}
	}
	return "smtpdoctor.invalid"
}

// helloName keeps a user-given EHLO name to one token: a CR, LF or space
// would let a form field smuggle a second command into the session.
func helloName(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}
