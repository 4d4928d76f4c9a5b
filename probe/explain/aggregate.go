package explain

import (
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
