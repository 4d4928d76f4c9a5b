package explain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
)

// Explain reads pasted text and diagnoses it with the probe's engine. It
// connects nowhere. Text longer than MaxInput is read up to MaxInput (the
// transcript says so); callers that can refuse it should, with a clear
// message.
func Explain(text string) probe.Result {
	res, _ := explain(text, time.Now())
	return res
}

// explain is Explain at a given time, also returning the names of the
// formats that read the text.
func explain(text string, now time.Time) (probe.Result, []string) {
	text, cut := cutInput(text)
	lines := splitLines(text)

	res := probe.Result{
		Status:     probe.StatusDone,
		Kind:       probe.KindExplain,
		StartedAt:  now.UTC(),
		Settings:   probe.Settings{Security: probe.SecurityAuto, Mech: probe.MechAuto},
		Findings:   []probe.Finding{},
		Steps:      []probe.Step{},
		Transcript: []probe.Line{},
	}
	red := newRedactor()
	r := &reader{res: &res, red: red, s: newSession(&res, red), now: now}

	// Control characters and invalid UTF-8 are escaped, and secrets a
	// line gives away by its shape removed, before any format reads it;
	// what the conversation reveals (AUTH) goes as the formats read.
	for i, l := range lines {
		lines[i] = red.free(Escape(l))
	}
	found := recognise(lines)
	var used []string
	switch {
	case len(found) == 0:
	case found[0].f.kind == kindServerLog:
		f := found[0].f
		r.log = newAggregate(f.Name)
		f.read(r, lines)
		used = append(used, f.Name)
	default:
		// The transcript with most lines tells the conversation; error
		// lines (an exception after the log) add the failure when the
		// transcript did not show one.
		if i := slices.IndexFunc(found, func(s scored) bool { return s.f.kind == kindTranscript }); i >= 0 {
			found[i].f.read(r, lines)
			used = append(used, found[i].f.Name)
		}
		errs := slices.Clone(found)
		slices.SortStableFunc(errs, func(a, b scored) int {
			if a.f.generic != b.f.generic {
				if a.f.generic {
					return 1
				}
				return -1
			}
			return 0
		})
		for _, s := range errs {
			if s.f.kind == kindError && res.Failure == nil {
				before := len(res.Transcript)
				s.f.read(r, lines)
				if res.Failure != nil || len(res.Transcript) > before {
					used = append(used, s.f.Name)
				}
			}
		}
	}
	if res.Auth == nil || res.Auth.Mechanism == "" {
		if m := mechanismIn(lines); m != "" {
			r.s.auth().Mechanism = m
		}
	}
	r.s.finish()

	if !r.s.sawSMTP && res.Failure == nil && (r.log == nil || r.log.empty()) {
		unrecognised(&res, len(lines))
		diagnosis.Diagnose(&res)
		return res, nil
	}

	if cut {
		res.Transcript = append(res.Transcript, probe.Line{Dir: probe.DirNote,
			Text: fmt.Sprintf("only the first %d KiB of the text were read", MaxInput>>10)})
	}
	res.Transcript = append([]probe.Line{{Dir: probe.DirNote, Text: "read from pasted text (" + titles(used) + "); nothing was connected to"}}, res.Transcript...)
	r.setUser(red.user)
	settle(&res)
	scrubAll(&res, red)
	if r.log != nil {
		r.log.finish(&res, red)
	}
	if s := red.summary(); s != "" {
		res.Observations = append(res.Observations, probe.Observation{Code: probe.CodeInputRedacted, Detail: s})
	}
	// The same engine as for probes; it knows kind explain (what text
	// cannot decide, a log's pattern, what was removed).
	diagnosis.Diagnose(&res)
	return res, used
}

func titles(names []string) string {
	var out []string
	for _, n := range names {
		for _, f := range formats {
			if f.Name == n {
				out = append(out, f.Title)
			}
		}
	}
	if len(out) == 0 {
		return "unknown format"
	}
	return strings.Join(out, ", ")
}

// tlsUnknown is the TLS version of a session the text shows but does not
// describe.
const tlsUnknown = "TLS (version not in the text)"

// settle fills the settings the text implies but did not say: the
// security mode from the port or from STARTTLS seen, the mechanism used.
func settle(res *probe.Result) {
	st := &res.Settings
	if st.Security == probe.SecurityTLS && res.TLS == nil && res.Server != nil {
		// The conversation ran inside implicit TLS (RFC 8314).
		res.TLS = &probe.TLSInfo{Mode: "implicit", Version: tlsUnknown}
	}
	if st.Security == probe.SecurityAuto {
		switch {
		case res.TLS != nil && res.TLS.Mode == "starttls":
			st.Security = probe.SecurityStartTLS
		case st.Port == 465:
			st.Security = probe.SecurityTLS
		}
	}
	if res.Auth != nil && st.Mech == probe.MechAuto {
		switch m := probe.Mechanism(strings.ToLower(res.Auth.Mechanism)); m {
		case probe.MechPlain, probe.MechLogin, probe.MechCRAMMD5, probe.MechXOAUTH2, probe.MechOAUTHBEARER:
			st.Mech = m
		}
	}
}

// scrubAll removes secrets learnt late in the text from what was kept
// earlier (a password in a config line below the transcript).
func scrubAll(res *probe.Result, red *redactor) {
	if len(red.secrets) == 0 {
		return
	}
	for i := range res.Transcript {
		res.Transcript[i].Text = red.scrub(res.Transcript[i].Text)
	}
	if f := res.Failure; f != nil {
		f.Command = red.scrub(f.Command)
		f.Err = red.scrub(f.Err)
		for i := range f.Lines {
			f.Lines[i] = red.scrub(f.Lines[i])
		}
	}
	st := &res.Settings
	st.Host, st.User, st.From, st.To, st.HELO = red.scrub(st.Host), red.scrub(st.User), red.scrub(st.From), red.scrub(st.To), red.scrub(st.HELO)
	if s := res.Server; s != nil {
		for _, l := range [][]string{s.Banner, s.Extensions, s.ExtensionsTLS} {
			for i := range l {
				l[i] = red.scrub(l[i])
			}
		}
	}
}

// unrecognised is the answer for text nothing could read: no guess
// dressed up as a diagnosis, but what is understood (the engine words the
// rest).
func unrecognised(res *probe.Result, lines int) {
	res.Transcript = []probe.Line{{Dir: probe.DirNote, Text: fmt.Sprintf("read %d lines of pasted text; none was recognised", lines)}}
	res.Failure = &probe.Failure{Code: probe.CodeInputUnrecognized,
		Err: "It understands: " + strings.Join(Formats(), "; ")}
}
