package report

import (
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// An explanation of pasted text reads as one: nothing was connected to,
// the log's aggregate is there, and TLS is what the text can tell.
func TestExplainedReport(t *testing.T) {
	first := time.Date(2026, 11, 14, 9, 0, 0, 0, time.UTC)
	r := probe.Result{
		Kind: probe.KindExplain, Status: probe.StatusDone, Outcome: probe.OutcomeWarning,
		Settings:  probe.Settings{Host: "mail.example.org", Port: 587},
		Diagnosis: &probe.Diagnosis{Code: probe.CodeLogBruteForce, Title: "Password guessing against this server", Summary: "s"},
		TLS:       &probe.TLSInfo{Mode: "starttls", Version: "TLS (version not in the text)"},
		LogSummary: &probe.LogSummary{Lines: 3, Failures: 3, First: first, Last: first.Add(10 * time.Minute),
			Addresses: []probe.LogRow{{Key: "198.51.100.7\x1b[2J", Count: 3}}, AddressesTotal: 1, BucketSeconds: 300,
			Histogram: []probe.LogBucket{{Start: first, Count: 2}, {Start: first.Add(5 * time.Minute), Count: 1}}},
	}
	out := Text(r, Options{})
	for _, want := range []string{"smtpdoctor explain  mail.example.org:587", "nothing was connected to", "[log.brute_force]",
		"Log summary  3 lines, 3 failed logins", "198.51.100.7\\x1b[2J", "Failed logins per 5 minutes", "certificate are not in the text"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Error("an escape sequence from the log reached the report")
	}
}
