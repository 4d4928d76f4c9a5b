package attempt

import (
	"slices"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
)

// A try-all that started from discovery tries the ports discovery named
// for its host first (an SRV record's own port), then the usual ones it
// did not name; candidates on other hosts, and MX hosts, add nothing.
func TestGroupCombosPutDiscoveredPortsFirst(t *testing.T) {
	d := &discover.Discovery{Candidates: []discover.Candidate{
		{Host: "mail.example.com", Port: 465, Security: probe.SecurityTLS, Submission: true},
		{Host: "mail.example.com", Port: 2465, Security: probe.SecurityTLS, Submission: true},
		{Host: "other.example.net", Port: 587, Security: probe.SecurityStartTLS, Submission: true},
		{Host: "mail.example.com", Port: 25, Security: probe.SecurityStartTLS, Submission: false},
	}}
	got := groupCombos(d, "mail.example.com", discover.DefaultCombos())
	want := []discover.Combo{
		{Port: 465, Security: probe.SecurityTLS}, {Port: 2465, Security: probe.SecurityTLS},
		{Port: 587, Security: probe.SecurityStartTLS}, {Port: 25, Security: probe.SecurityStartTLS}, {Port: 2525, Security: probe.SecurityStartTLS},
	}
	if !slices.Equal(got, want) {
		t.Errorf("combos %v, want %v", got, want)
	}
	if got := groupCombos(nil, "x", discover.DefaultCombos()); !slices.Equal(got, discover.DefaultCombos()) {
		t.Errorf("without discovery %v, want the usual ones", got)
	}
}
