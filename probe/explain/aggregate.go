package explain

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// eventKind is what one server log line says about a login.
type eventKind int

const (
	eventFailure eventKind = iota // the password (or user) was refused
	eventBackend                  // the authentication back end failed
	eventSuccess                  // a login worked
)

// event is one login seen in a server log.
type event struct {
	at     time.Time
	kind   eventKind
	user   string
	addr   string
	reason string
}

// sampleLines is how many relevant log lines are kept as the transcript:
// enough to show what the lines look like; the table tells the rest.
const sampleLines = 200

// aggregate gathers a server log's logins into the answers IT staff ask
// for: which accounts, from where, how often, since when.
type aggregate struct {
	format string
	lines  int
	events []event
	other  map[string]int
	sample int
	// reply is what the server told the client, by event kind, for the
	// diagnosis engine: the most common one is diagnosed.
	replies map[string]int
	reply   map[string]*probe.Failure
}

func newAggregate(format string) *aggregate {
	return &aggregate{format: format, other: map[string]int{}, replies: map[string]int{}, reply: map[string]*probe.Failure{}}
}

func (a *aggregate) empty() bool { return a.lines == 0 && len(a.events) == 0 && len(a.other) == 0 }

// keepLine keeps a relevant log line as a transcript note, within bounds.
func (r *reader) keepLine(at time.Time, line string) {
	if r.log.sample < sampleLines {
		r.log.sample++
		r.s.note(at, line)
	}
}

// login records one login event. The username is kept as the server
// logged it: administrators need it to act; it is not a secret. Lines
// reach the formats escaped and with shaped secrets removed already.
func (r *reader) login(at time.Time, k eventKind, user, addr, reason string) {
	r.log.events = append(r.log.events, event{at: at, kind: k, user: r.red.scrub(user), addr: addr, reason: r.red.scrub(reason)})
}

// told records the reply the client was given for a kind of event, so
// that the engine can diagnose what users of the server see.
func (r *reader) told(key, step string, code int, enh string, lines ...string) {
	r.log.replies[key]++
	if _, ok := r.log.reply[key]; !ok {
		for i := range lines {
			lines[i] = r.red.scrub(lines[i])
		}
		r.log.reply[key] = &probe.Failure{Step: step, Reply: code, Enhanced: enh, Lines: keep(lines)}
	}
}

// otherLine counts a notable line that is not a login.
func (r *reader) otherLine(kind string) { r.log.other[kind]++ }

// finish puts the aggregate in the result, and the most told reply in
// the failure for the engine to read.
func (a *aggregate) finish(res *probe.Result, red *redactor) {
	sum := &probe.LogSummary{Format: a.format, Lines: a.lines}
	var fails []event
	for _, e := range a.events {
		switch e.kind {
		case eventSuccess:
			sum.Successes++
		default:
			sum.Failures++
			fails = append(fails, e)
		}
	}
	for _, e := range fails {
		if e.at.IsZero() {
			continue
		}
		if sum.First.IsZero() || e.at.Before(sum.First) {
			sum.First = e.at
		}
		if e.at.After(sum.Last) {
			sum.Last = e.at
		}
	}
	sum.Accounts, sum.AccountsTotal = rows(fails, func(e event) string { return e.user }, func(e event) string { return e.addr })
	sum.Addresses, sum.AddressesTotal = rows(fails, func(e event) string { return e.addr }, func(e event) string { return e.user })
	sum.Reasons, _ = rows(fails, func(e event) string { return e.reason }, nil)
	sum.Histogram, sum.BucketSeconds = histogram(fails, sum.First, sum.Last)
	for k, n := range a.other {
		sum.Other = append(sum.Other, probe.LogRow{Key: k, Count: n})
	}
	slices.SortFunc(sum.Other, func(x, y probe.LogRow) int { return y.Count - x.Count })
	sum.Pattern = classify(fails)
	res.LogSummary = sum

	// The reply users were told most often is what the engine reads;
	// during an outage, the back end's reply.
	key := ""
	for k, n := range a.replies {
		if key == "" || n > a.replies[key] || (n == a.replies[key] && k < key) {
			key = k
		}
	}
	if sum.Pattern == probe.CodeLogBackendOutage {
		if _, ok := a.reply["backend"]; ok {
			key = "backend"
		}
	}
	if f := a.reply[key]; f != nil && res.Failure == nil {
		res.Failure = f
		res.Steps = append(res.Steps, probe.Step{Name: f.Step, Status: probe.StepFailed})
	}
	if res.Failure == nil && sum.Failures == 0 && len(a.other) == 0 {
		return
	}
	if sum.Failures > 0 && res.Failure == nil {
		res.Failure = &probe.Failure{Step: probe.StepAuth, Reply: 535, Enhanced: "5.7.8", Lines: []string{"5.7.8 Authentication failed"}}
	}
}

// notLogged stands for a value the log line did not carry.
const notLogged = "(not logged)"

// maxRows bounds each table: the top of the list answers the question.
const maxRows = 20

// rows counts events by key, most first, with each key's time span and
// how many distinct partners (by other) it had.
func rows(events []event, key, other func(event) string) ([]probe.LogRow, int) {
	type acc struct {
		row      probe.LogRow
		partners map[string]bool
	}
	by := map[string]*acc{}
	for _, e := range events {
		k := key(e)
		if k == "" {
			k = notLogged
		}
		a := by[k]
		if a == nil {
			a = &acc{row: probe.LogRow{Key: k}, partners: map[string]bool{}}
			by[k] = a
		}
		a.row.Count++
		if !e.at.IsZero() {
			if a.row.First.IsZero() || e.at.Before(a.row.First) {
				a.row.First = e.at
			}
			if e.at.After(a.row.Last) {
				a.row.Last = e.at
			}
		}
		if other != nil && other(e) != "" {
			a.partners[other(e)] = true
		}
	}
	out := make([]probe.LogRow, 0, len(by))
	for _, a := range by {
		a.row.Distinct = len(a.partners)
		out = append(out, a.row)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	total := len(out)
	if len(out) > maxRows {
		out = out[:maxRows]
	}
	return out, total
}

// histogram puts failures in at most 24 buckets of a round size.
func histogram(events []event, first, last time.Time) ([]probe.LogBucket, int64) {
	if first.IsZero() {
		return nil, 0
	}
	span := last.Sub(first)
	size := time.Minute
	for _, s := range []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour} {
		size = s
		if span/s < 24 {
			break
		}
	}
	start := first.Truncate(size)
	n := int(last.Sub(start)/size) + 1
	if n > 400 {
		n = 400
	}
	buckets := make([]probe.LogBucket, n)
	for i := range buckets {
		buckets[i].Start = start.Add(time.Duration(i) * size)
	}
	for _, e := range events {
		if e.at.IsZero() {
			continue
		}
		if i := int(e.at.Sub(start) / size); i >= 0 && i < n {
			buckets[i].Count++
		}
	}
	return buckets, int64(size / time.Second)
}

// classify names the pattern of the failures. The thresholds are
// deliberately plain: an outage is when back-end errors are at least half
// of the failures; password guessing is many accounts, many addresses,
// unknown users, or clients that give up at Postfix's "Password:" prompt
// (logged as its base64, UGFzc3dvcmQ6); one client is one account (or no
// account logged) from at most two addresses, failing again and again.
func classify(fails []event) probe.Code {
	if len(fails) < 2 {
		return ""
	}
	users, addrs := map[string]bool{}, map[string]bool{}
	backend, prompt, unknown := 0, 0, 0
	for _, e := range fails {
		if e.user != "" {
			users[e.user] = true
		}
		if e.addr != "" {
			addrs[e.addr] = true
		}
		r := strings.ToLower(e.reason)
		switch {
		case e.kind == eventBackend:
			backend++
		case strings.Contains(r, "ugfzc3dvcmq6") || strings.Contains(r, "password:"):
			prompt++
		case strings.Contains(r, "unknown user"):
			unknown++
		}
	}
	n := len(fails)
	switch {
	case backend*2 >= n:
		return probe.CodeLogBackendOutage
	case len(users) >= 3 || len(addrs) >= 5 || (len(users) != 1 && len(addrs) >= 3):
		return probe.CodeLogBruteForce
	case len(users) == 1 && len(addrs) <= 2:
		// One named account from one or two places: whatever the
		// reason, that is one client with a wrong setting.
		return probe.CodeLogClientMisconfigured
	case prompt*2 >= n || unknown*2 >= n && n >= 3:
		return probe.CodeLogBruteForce
	case len(users) == 0 && len(addrs) <= 2:
		return probe.CodeLogClientMisconfigured
	}
	return ""
}

// diagnose puts the pattern first: for a log, what is happening to the
// server matters more than what one client was told, which becomes a
// finding.
func (a *aggregate) diagnose(res *probe.Result) {
	sum := res.LogSummary
	if sum == nil || sum.Pattern == "" || res.Diagnosis == nil {
		return
	}
	told := *res.Diagnosis
	d := patternDiagnosis(sum)
	res.Findings = append([]probe.Finding{{Code: told.Code, Severity: probe.SeverityInfo,
		Title: "What the failing clients were told: " + told.Title, Detail: told.Summary}}, res.Findings...)
	res.Diagnosis = d
	if d.Severity == probe.SeverityWarning && res.Outcome == probe.OutcomeFailure {
		// Password guessing that fails is the server doing its job.
		res.Outcome = probe.OutcomeWarning
	}
}

func patternDiagnosis(sum *probe.LogSummary) *probe.Diagnosis {
	span := spanWords(sum.First, sum.Last)
	top := func(rows []probe.LogRow) string {
		if len(rows) == 0 {
			return "(none logged)"
		}
		return fmt.Sprintf("%s (%d)", rows[0].Key, rows[0].Count)
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
			Links: []probe.Link{{Title: "Guide: password guessing and server logs", URL: "/guide#causes"}},
		}
	case probe.CodeLogClientMisconfigured:
		who := top(sum.Accounts)
		where := top(sum.Addresses)
		return &probe.Diagnosis{
			Code: probe.CodeLogClientMisconfigured, Severity: probe.SeverityError,
			Title: "One client keeps failing to log in",
			Summary: fmt.Sprintf("%d failed logins%s, all for account %s from address %s%s. One account from one place, again and again, is a device or app with a wrong or old password, not an attack.",
				sum.Failures, span, who, where, every(sum)),
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
		return " at " + first.Format("2006-01-02 15:04:05")
	}
	return fmt.Sprintf(" between %s and %s", first.Format("2006-01-02 15:04"), last.Format("2006-01-02 15:04"))
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
