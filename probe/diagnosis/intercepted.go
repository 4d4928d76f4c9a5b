package diagnosis

import (
	"fmt"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/provider"
)

// An interception comes first: when the server that answered for Gmail or
// Microsoft 365 is a web host's own Exim, every later reply (a 535 from
// the wrong server, a certificate for the wrong name) is a consequence,
// and changing the password or the port on the same network will not
// help. probe/provider decides whether the names belong to another
// operator; this file says so.

// interception finds a server that answered for the provider's host name
// but gave another operator's names (greeting, EHLO, certificate).
func interception(f *Facts) (provider.Interception, bool) {
	r := f.R
	var banner []string
	ehlo := ""
	if r.Server != nil {
		banner, ehlo = r.Server.Banner, r.Server.EHLODomain
	}
	var certs []string
	if r.TLS != nil && len(r.TLS.Chain) > 0 {
		certs = append(certs, r.TLS.Chain[0].DNSNames...)
	}
	return provider.Intercepted(r.Settings.Host, banner, ehlo, certs)
}

// interceptionTrace is the rule trace when the answering server is not
// the provider's.
func interceptionTrace(f *Facts) (*probe.RuleTrace, bool) {
	in, ok := interception(f)
	if !ok {
		return nil, false
	}
	m := []string{"host=" + plain(f.R.Settings.Host, 200), "expected=" + in.Expected.Key, "answered=" + in.Answered}
	if in.OperatorOK {
		m = append(m, "operator="+in.Operator.Key)
	}
	return &probe.RuleTrace{ID: "intercepted", Matched: m}, true
}

var interceptedRule = Rule{
	Code: probe.CodeSMTPIntercepted, Severity: probe.SeverityError, Guide: "firewall",
	Title: "Another server answered for this provider",
	Summary: func(f *Facts) string {
		in, ok := interception(f)
		if !ok {
			return words("A server other than the provider's answered on", f.target()+".", f.detail())
		}
		who := fmt.Sprintf("a server calling itself %q", in.Answered)
		if in.OperatorOK {
			who += " (" + in.Operator.Name + ")"
		}
		s := fmt.Sprintf("You asked for %s (%s), but %s answered: the network between you and %s redirects SMTP to its own server.",
			plain(f.R.Settings.Host, 200), in.Expected.Name, who, in.Expected.Name)
		if f.Reply != 0 {
			s += fmt.Sprintf(" Its reply, not %s's: %s.", in.Expected.Name, f.answered())
		}
		return s + " Retyping the password will not help: the replies come from the wrong server."
	},
	Steps: func(f *Facts) []string {
		in, _ := interception(f)
		name, api := "the provider", "the provider's HTTPS sending API"
		if in.Expected.Name != "" {
			name = in.Expected.Name
		}
		switch {
		case in.Expected.Key == "gmail":
			api = "the Gmail API"
		case in.Expected.Family == "microsoft":
			api = "Microsoft Graph (sendMail)"
		}
		host := plain(f.R.Settings.Host, 200)
		if host == "" {
			host = "the provider's server"
		}
		steps := []string{
			"Your hosting provider (or a firewall or antivirus on this network) intercepts outbound SMTP and answers itself. Ask it to stop, or to allow this account to connect to " + host + " directly.",
			"On cPanel servers the administrator controls this in WHM → Tweak Settings → \"Restrict outgoing SMTP to root, exim, and mailman\" (SMTP Restrictions); shared hosting often keeps it on for everyone.",
			"Otherwise send through the hoster's own mail server with a mailbox of your hosting account, or over HTTPS through " + api + ", or through a sending service on port 2525, which such redirects usually leave alone.",
		}
		if in.OperatorOK && in.Operator.DocsURL != "" {
			steps = append(steps, in.Operator.Name+": "+in.Operator.DocsURL)
		}
		return append(steps, "If the app sent the "+name+" password to that server without a verified certificate, change the password afterwards.")
	},
}
