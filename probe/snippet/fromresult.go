package snippet

import (
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// FromResult reads the working settings out of a finished probe. It says
// false when nothing worked that a client could copy: the probe failed, is
// not done, asked for a login that did not succeed, or was pasted text.
func FromResult(r *probe.Result) (Input, bool) {
	// Pasted text (kind explain) was read, not tried: nothing is proven.
	if r == nil || r.Status != probe.StatusDone || r.Kind == probe.KindExplain {
		return Input{}, false
	}
	if r.Outcome != probe.OutcomeSuccess && r.Outcome != probe.OutcomeWarning {
		return Input{}, false
	}
	s := r.Settings
	if s.Host == "" || s.Port == 0 {
		return Input{}, false
	}
	in := Input{Host: s.Host, Port: s.Port, User: s.User, Mech: s.Mech, From: s.From, To: s.To}
	if s.User != "" {
		if r.Auth == nil || !r.Auth.Succeeded {
			return Input{}, false
		}
		// The mechanism that succeeded is the proven one; a client left
		// to choose may pick another the server offers and fail with it.
		if m := r.Auth.Mechanism; m != "" {
			in.Mech = probe.Mechanism(strings.ToLower(m))
		}
	}
	in.Security = securityUsed(r)
	if s.User == "" && offersAuth(r, in.Security) {
		// Nobody sends mail through a submission server without
		// logging in: the snippets keep the login, with a placeholder.
		in.User, in.LoginUntested = PlaceholderUser, true
	}
	return in, true
}

// PlaceholderUser stands in for the username when the probe did not log in.
const PlaceholderUser = "YOUR-USERNAME"

// offersAuth says whether the server offered AUTH where the client would
// log in: after STARTTLS or on the implicit-TLS connection when TLS was
// used, else on the plaintext one.
func offersAuth(r *probe.Result, sec probe.Security) bool {
	if r.Auth == nil {
		return false
	}
	if sec == probe.SecurityNone {
		return len(r.Auth.OfferedBeforeTLS) > 0
	}
	return len(r.Auth.OfferedAfterTLS) > 0 || len(r.Auth.OfferedBeforeTLS) > 0
}

// securityUsed resolves "auto" into what the conversation did.
func securityUsed(r *probe.Result) probe.Security {
	if r.TLS != nil {
		if r.TLS.Mode == "implicit" {
			return probe.SecurityTLS
		}
		return probe.SecurityStartTLS
	}
	switch r.Settings.Security {
	case probe.SecurityTLS, probe.SecurityStartTLS:
		return r.Settings.Security
	}
	return probe.SecurityNone
}

// FromSettings is the input for replaying what was asked, whether or not
// it worked: the "Reproduce it yourself" command lines of a failed probe,
// which show a provider the failure on their own terms. Auto security
// becomes what auto starts with (implicit TLS on 465, else STARTTLS); an
// auto mechanism is left to the client.
func FromSettings(s probe.Settings) (Input, error) {
	in := Input{Host: s.Host, Port: s.Port, Security: s.Security, Mech: s.Mech, User: s.User, From: s.From, To: s.To}
	if in.Security == probe.SecurityAuto || in.Security == "" {
		in.Security = probe.SecurityStartTLS
		if s.Port == 465 {
			in.Security = probe.SecurityTLS
		}
	}
	return in, in.Validate()
}

// Only returns the snippets of one group, in page order.
func Only(all []Snippet, g Group) []Snippet {
	var out []Snippet
	for _, s := range all {
		if s.Group == g {
			out = append(out, s)
		}
	}
	return out
}
