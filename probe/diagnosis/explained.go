package diagnosis

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// This file is what the engine adds for pasted text (kind explain, made by
// probe/explain): text nothing recognised, a server log's pattern, what
// was removed from the text, and, where text alone cannot decide, what
// else the cause could be and which probe decides. It lives here, not in
// probe/explain, so that diagnosing a stored explanation again (the
// lifecycle does, on saving) gives the same answer.

// explained completes the diagnosis of pasted text.
func explained(r *probe.Result) {
	if fl := r.Failure; fl != nil && fl.Code == probe.CodeInputUnrecognized {
		r.Diagnosis = unrecognisedDiagnosis(fl.Err)
		r.Findings = []probe.Finding{}
		r.Outcome = probe.OutcomeWarning
		return
	}
	sawEHLO := r.Server != nil && (len(r.Server.Extensions) > 0 || len(r.Server.ExtensionsTLS) > 0)
	r.Findings = slices.DeleteFunc(r.Findings, func(f probe.Finding) bool {
		switch f.Code {
		case probe.CodeAuthNotTested:
			// "No username was given, so the probe did not log in" is
			// about probes; a pasted text may simply not show the login.
			return true
		case probe.CodeAuthNotOffered, probe.CodeAuthOnlyAfterTLS:
			// What EHLO offered is known only when the text shows it.
			return !sawEHLO
		}
		return false
	})
	for i, f := range r.Findings {
		if f.Code == probe.CodeInputRedacted {
			r.Findings[i].Severity = probe.SeverityInfo
			r.Findings[i].Title = "Secrets were removed from the pasted text"
			r.Findings[i].Detail = "Removed before anything was kept or shown: " + strings.TrimSuffix(f.Detail, ".") +
				". Nothing of them is stored; change any password that was pasted where others can see it."
		}
	}
	if s := r.LogSummary; s != nil && r.Failure == nil && r.Diagnosis != nil && r.Diagnosis.Code == probe.CodeOK {
		r.Diagnosis.Title = "No failed logins in this log"
		r.Diagnosis.Summary = fmt.Sprintf("%d log lines read: no login failed and nothing was refused.", s.Lines)
		r.Diagnosis.Remediation = []string{"If a client still fails, paste its own error or debug output, or the server's log from the time it failed."}
	}
	if s := r.LogSummary; s != nil && s.Pattern != "" && r.Diagnosis != nil {
		if d := patternDiagnosis(s); d != nil {
			told := *r.Diagnosis
			r.Findings = append([]probe.Finding{{Code: told.Code, Severity: probe.SeverityInfo,
				Title: "What the failing clients were told: " + told.Title, Detail: told.Summary}}, r.Findings...)
			r.Diagnosis = d
			if d.Severity == probe.SeverityWarning && r.Outcome == probe.OutcomeFailure {
				// Password guessing that fails is the server doing its job.
				r.Outcome = probe.OutcomeWarning
			}
		}
	}
	textOnly(r)
}

func unrecognisedDiagnosis(understood string) *probe.Diagnosis {
	return &probe.Diagnosis{
		Code:     probe.CodeInputUnrecognized,
		Severity: probe.SeverityWarning,
		Title:    "Nothing in this text was recognised",
		Summary: "smtpdoctor found no SMTP reply, mail library log or mail server log line it knows in this text, so it makes no diagnosis rather than guess one. " +
			sentence(plain(understood, 2000)),
		Remediation: []string{
			"Paste the whole error message your app printed, including the three-digit reply code (535, 550, ...) and the lines after it.",
			"Better still, turn on the mail library's debug output and paste all of it: PHPMailer $mail->SMTPDebug = 2; Nodemailer logger: true, debug: true; Python server.set_debuglevel(1); JavaMail mail.debug=true; MailKit new SmtpClient(new ProtocolLogger(\"smtp.log\")); or run swaks, msmtp --debug or curl -v against the server.",
			"For a mail server, paste its log lines (Postfix and Exim mail.log, Dovecot's auth log).",
			"Or test the server directly with a probe: enter its host, port and username in the form.",
		},
	}
}

// alternatives says, for diagnoses that text alone cannot settle, what
// else the cause could be.
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
func textOnly(r *probe.Result) {
	if r.Diagnosis == nil {
		return
	}
	alt, ok := alternatives[r.Diagnosis.Code]
	if !ok {
		return
	}
	target := "the server"
	if h := r.Settings.Host; h != "" {
		target = plain(h, 255)
		if r.Settings.Port != 0 {
			target = fmt.Sprintf("%s port %d", target, r.Settings.Port)
		}
	}
	r.Findings = append(r.Findings, probe.Finding{Code: probe.CodeInputTextOnly, Severity: probe.SeverityInfo,
		Title:  "Read from text only: a probe would decide",
		Detail: alt + " A probe of " + target + " with the same username decides between these: it reads what the server offers and runs the login step by step."})
}

// patternDiagnosis is the diagnosis for a server log's pattern.
func patternDiagnosis(sum *probe.LogSummary) *probe.Diagnosis {
	span := spanWords(sum.First, sum.Last)
	top := func(rows []probe.LogRow) string {
		if len(rows) == 0 {
			return "(none logged)"
		}
		return fmt.Sprintf("%s (%d)", plain(rows[0].Key, 200), rows[0].Count)
	}
	switch sum.Pattern {
	case probe.CodeLogBruteForce:
		return &probe.Diagnosis{
			Code: probe.CodeLogBruteForce, Severity: probe.SeverityWarning,
			Title: "Password guessing against this server",
			Summary: fmt.Sprintf("%d failed logins%s for %s from %d addresses; the most frequent address is %s. Many accounts, many addresses, unknown users or clients that give up at the password prompt are the marks of automated guessing from the internet, not of one user's mistake.",
				sum.Failures, span, accountWords(sum), sum.AddressesTotal, top(sum.Addresses)),
			Remediation: []string{
				"Ban repeat offenders automatically: enable fail2ban's postfix-sasl jail (Postfix), dovecot jail (Dovecot) or exim jail (Exim), or CrowdSec's equivalent.",
				"Offer AUTH only where people submit mail (587 and 465): on the port 25 MX set smtpd_sasl_auth_enable = no (Postfix), and put postscreen in front of port 25 to drop bots before smtpd.",
				"Slow guessing down: smtpd_client_auth_rate_limit (Postfix, with anvil), auth_failure_delay (Dovecot).",
				"Check that none of the accounts in the table logged in successfully from the addresses in it, and that none has a weak password.",
			},
		}
	case probe.CodeLogClientMisconfigured:
		where := top(sum.Addresses)
		return &probe.Diagnosis{
			Code: probe.CodeLogClientMisconfigured, Severity: probe.SeverityError,
			Title: "One client keeps failing to log in",
			Summary: fmt.Sprintf("%d failed logins%s, all for account %s from address %s%s. One account from one place, again and again, is a device or app with a wrong or old password, not an attack.",
				sum.Failures, span, top(sum.Accounts), where, every(sum)),
			Remediation: []string{
				"Find the device or app at " + where + " (a phone, a printer or scanner, a script, a second mail app) and update the password it has saved.",
				"If the password was changed recently, this is the old one still stored somewhere; if the account uses two-step verification, the app needs an app password.",
				"Check the username form the app sends (full address or not) against what the server expects.",
				"Until it is fixed, fail2ban may ban that address: whitelist it, or fix the client first.",
			},
		}
	case probe.CodeLogBackendOutage:
		return &probe.Diagnosis{
			Code: probe.CodeLogBackendOutage, Severity: probe.SeverityError,
			Title: "The authentication back end is failing",
			Summary: fmt.Sprintf("%d logins failed%s for %s, most with errors of the authentication back end (%s), not refused passwords. Every user fails at once: the passwords are not the problem.",
				sum.Failures, span, accountWords(sum), top(sum.Reasons)),
			Remediation: []string{
				"Check that the authentication service runs and its socket exists: Dovecot's auth (doveadm auth test USER), saslauthd (testsaslauthd -u USER -p PASSWORD), and the SQL or LDAP server behind it.",
				"For Postfix with Dovecot SASL, check that smtpd_sasl_path (private/auth) exists inside Postfix's chroot and that Dovecot's service auth listener is configured for it.",
				"Read the authentication service's own log at the time of the first failure for the first error.",
				"Do not ask users to change their passwords: nothing is wrong with them.",
			},
		}
	}
	return nil
}

func spanWords(first, last time.Time) string {
	if first.IsZero() {
		return ""
	}
	if last.Sub(first) < time.Minute {
		return " at " + first.UTC().Format("2006-01-02 15:04:05")
	}
	return fmt.Sprintf(" between %s and %s", first.UTC().Format("2006-01-02 15:04"), last.UTC().Format("2006-01-02 15:04"))
}

// every describes how regularly one client fails: the mean gap.
func every(sum *probe.LogSummary) string {
	if sum.Failures < 3 || sum.First.IsZero() {
		return ""
	}
	gap := sum.Last.Sub(sum.First) / time.Duration(sum.Failures-1)
	if gap < time.Second {
		return ""
	}
	return ", about every " + gap.Round(time.Second).String()
}

// notLogged is how probe/explain names a value the log line lacked.
const notLogged = "(not logged)"

// accountWords counts the accounts named, or says the log names none
// (Postfix logs no username for a failed login).
func accountWords(sum *probe.LogSummary) string {
	n := sum.AccountsTotal
	for _, r := range sum.Accounts {
		if r.Key == notLogged {
			n--
		}
	}
	switch n {
	case 0:
		return "accounts the log does not name"
	case 1:
		return "1 account"
	}
	return fmt.Sprintf("%d accounts", n)
}
