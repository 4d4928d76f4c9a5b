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
	r.s.finish()

	if !r.s.sawSMTP && res.Failure == nil && (r.log == nil || r.log.empty()) {
		unrecognised(&res, len(lines))
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
	diagnosis.Diagnose(&res)
	res.Findings = slices.DeleteFunc(res.Findings, func(f probe.Finding) bool {
		// "No username was given, so the probe did not log in" is about
		// probes; a pasted text may simply not show the login.
		return f.Code == probe.CodeAuthNotTested
	})
	if r.log != nil {
		r.log.diagnose(&res)
	}
	textOnly(&res)
	if s := red.summary(); s != "" {
		res.Findings = append(res.Findings, probe.Finding{Code: probe.CodeInputRedacted, Severity: probe.SeverityInfo,
			Title:  "Secrets were removed from the pasted text",
			Detail: "Removed before anything was kept or shown: " + s + ". Nothing of them is stored; change any password that was pasted in plain text where others can see it."})
	}
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

// unrecognised is the answer for text nothing could read: no diagnosis
// dressed up from a guess, but what was expected and how to get it.
func unrecognised(res *probe.Result, lines int) {
	res.Transcript = []probe.Line{{Dir: probe.DirNote, Text: fmt.Sprintf("read %d lines of pasted text; none was recognised", lines)}}
	res.Outcome = probe.OutcomeWarning
	res.Diagnosis = &probe.Diagnosis{
		Code:     probe.CodeInputUnrecognized,
		Severity: probe.SeverityWarning,
		Title:    "Nothing in this text was recognised",
		Summary: "smtpdoctor found no SMTP reply, mail library log or mail server log line it knows in this text, so it makes no diagnosis rather than guess one. " +
			"It understands: " + strings.Join(Formats(), "; ") + ".",
		Remediation: []string{
			"Paste the whole error message your app printed, including the three-digit reply code (535, 550, ...) and the lines after it.",
			"Better still, turn on the mail library's debug output and paste all of it: PHPMailer $mail->SMTPDebug = 2; Nodemailer logger: true, debug: true; Python server.set_debuglevel(1); JavaMail mail.debug=true; MailKit new SmtpClient(new ProtocolLogger(\"smtp.log\")); or run swaks, msmtp --debug or curl -v against the server.",
			"For a mail server, paste its log lines (Postfix and Exim mail.log, Dovecot's auth log).",
			"Or test the server directly with a probe: enter its host, port and username in the form.",
		},
	}
}

// alternatives says, for diagnoses that text alone cannot settle, what
// else the cause could be and which probe decides.
var alternatives = map[probe.Code]string{
	probe.CodeAuthCredentialsRejected:  "Most likely a wrong password or username (a typo, an old password still saved in the app). From text alone it could also be an account password where the provider wants an app password, SMTP AUTH switched off for this mailbox, a locked or disabled account, or the wrong username form (full address or not).",
	probe.CodeAuthBlockedByPolicy:      "Most likely SMTP AUTH or basic authentication is switched off for the account or the tenant. From text alone it could also be a wrong password that the server reports with the same words.",
	probe.CodeNetTimeout:               "Most likely a firewall drops the traffic (your network, an ISP or cloud blocking outgoing SMTP ports). From text alone it could also be a wrong host or port, or a server that is down.",
	probe.CodeNetRefused:               "Most likely nothing listens on that port (wrong port, or the service is down). From text alone it could also be a local firewall that rejects rather than drops.",
	probe.CodeTLSCertUntrusted:         "Most likely a self-signed certificate or an internal CA your app does not trust. From text alone it could also be a server that sends an incomplete chain, or something on the path intercepting TLS.",
	probe.CodeSMTPServiceUnavailable:   "The server refused service; from text alone it cannot tell a temporary block (rate limit, reputation) from a lasting one.",
	probe.CodeAuthMechanismUnsupported: "Most likely the app picked a mechanism the server does not offer on this connection. From text alone it could also be AUTH offered only after STARTTLS.",
	probe.CodeAuthRequired:             "Most likely the app sent mail without logging in (no username set, or login skipped). From text alone it could also be a login that failed silently earlier.",
	probe.CodeTLSImplicitOnPlainPort:   "Most likely the app used implicit TLS (\"SSL\", secure: true) on a port that starts in plaintext (587, 25). From text alone it could also be a proxy or firewall answering instead of the mail server.",
}

// textOnly adds the input.text_only finding: what else it could be, and
// the probe that would decide.
func textOnly(res *probe.Result) {
	if res.Diagnosis == nil {
		return
	}
	alt, ok := alternatives[res.Diagnosis.Code]
	if !ok {
		return
	}
	target := "the server"
	if h := res.Settings.Host; h != "" {
		target = h
		if res.Settings.Port != 0 {
			target = fmt.Sprintf("%s port %d", h, res.Settings.Port)
		}
	}
	res.Findings = append(res.Findings, probe.Finding{Code: probe.CodeInputTextOnly, Severity: probe.SeverityInfo,
		Title:  "Read from text only: a probe would decide",
		Detail: alt + " A probe of " + target + " with the same username decides between these: it reads what the server offers and runs the login step by step."})
}
