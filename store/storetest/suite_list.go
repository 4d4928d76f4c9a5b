package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// ids returns the ids of a page's attempts.
func ids(p store.Page) []string {
	var out []string
	for _, a := range p.Attempts {
		out = append(out, a.ID)
	}
	return out
}

// listAll follows the cursor to the end and returns every id, in order.
func listAll(t *testing.T, s *store.Store, f store.Filter) []string {
	t.Helper()
	var all []string
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("cursor never ended")
		}
		p, err := s.List(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Attempts) > max(f.Limit, 0) && f.Limit > 0 {
			t.Fatalf("page of %d attempts, limit %d", len(p.Attempts), f.Limit)
		}
		all = append(all, ids(p)...)
		if p.Next == "" {
			return all
		}
		f.Cursor = p.Next
	}
}

func testKeysetPagination(t *testing.T, open opener) {
	s, _ := open(t)
	// 53 attempts; many share a millisecond, so the order among those
	// rests on the id alone. Expected order: newest first, then id
	// descending.
	var want []probe.Result
	for i := range 53 {
		at := base.Add(time.Duration(i/4) * time.Millisecond) // four per millisecond
		want = append(want, attempt(fmt.Sprintf("id-%02d-%c", i, 'a'+rune(i*7%26)), at, "h", 25, probe.OutcomeSuccess, "ok"))
	}
	for _, i := range []int{5, 50, 0, 17} { // insertion order must not matter
		want[i], want[len(want)-1-i] = want[len(want)-1-i], want[i]
	}
	mustCreate(t, s, want...)
	slices.SortFunc(want, func(a, b probe.Result) int {
		if c := b.StartedAt.Compare(a.StartedAt); c != 0 {
			return c
		}
		return -compareStrings(a.ID, b.ID)
	})
	var wantIDs []string
	for _, r := range want {
		wantIDs = append(wantIDs, r.ID)
	}

	for _, limit := range []int{1, 3, 4, 7, 53, 100} {
		got := listAll(t, s, store.Filter{Limit: limit})
		if !slices.Equal(got, wantIDs) {
			t.Errorf("limit %d: pages gave\n%v\nwant\n%v", limit, got, wantIDs)
		}
	}

	// A page boundary inside a run of equal times, and attempts added
	// while paging (newer ones) do not shift what comes next.
	p1, err := s.List(context.Background(), store.Filter{Limit: 6})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, attempt("newer", base.Add(time.Hour), "h", 25, probe.OutcomeSuccess, "ok"))
	p2, err := s.List(context.Background(), store.Filter{Limit: 6, Cursor: p1.Next})
	if err != nil {
		t.Fatal(err)
	}
	if got := append(ids(p1), ids(p2)...); !slices.Equal(got, wantIDs[:12]) {
		t.Errorf("two pages with an insert between gave %v, want %v", got, wantIDs[:12])
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func testListDefaultsAndLastPage(t *testing.T, open opener) {
	s, _ := open(t)
	for i := range store.DefaultLimit + 1 {
		mustCreate(t, s, attempt(fmt.Sprint("a", i), base.Add(time.Duration(i)*time.Second), "h", 25, probe.OutcomeSuccess, "ok"))
	}
	p, err := s.List(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Attempts) != store.DefaultLimit || p.Next == "" {
		t.Fatalf("first page: %d attempts, next %q; want %d and a cursor", len(p.Attempts), p.Next, store.DefaultLimit)
	}
	p, err = s.List(context.Background(), store.Filter{Cursor: p.Next})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Attempts) != 1 || p.Next != "" || p.Attempts[0].ID != "a0" {
		t.Fatalf("last page: %v next %q; want [a0] and no cursor", ids(p), p.Next)
	}
}

func testBadCursor(t *testing.T, open opener) {
	s, _ := open(t)
	for _, c := range []string{"!!!", "bm90LWEtY3Vyc29y" /* "not-a-cursor" */, "MTIz" /* "123" */} {
		_, err := s.List(context.Background(), store.Filter{Cursor: c})
		if !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("cursor %q: %v, want ErrBadCursor", c, err)
		}
	}
}

func testSummaryFields(t *testing.T, open opener) {
	s, _ := open(t)
	r := attempt("x", base.Add(1500*time.Millisecond), "Mail.Example.ORG", 587, probe.OutcomeFailure, "auth.credentials_rejected")
	r.DurationMS = 812
	mustCreate(t, s, r)
	p, err := s.List(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := store.Summary{
		ID: "x", StartedAt: base.Add(1500 * time.Millisecond), Host: "mail.example.org", Port: 587,
		Security: probe.SecurityStartTLS, User: "user@Mail.Example.ORG", Status: probe.StatusDone,
		Outcome: probe.OutcomeFailure, Code: "auth.credentials_rejected", Title: "title of auth.credentials_rejected",
		FailedStep: probe.StepAuth, DurationMS: 812, Reply: "535 5.7.8 Authentication failed for x",
		Kind: probe.KindProbe, // stored without a kind: a probe
	}
	if len(p.Attempts) != 1 || p.Attempts[0] != want {
		t.Fatalf("got %+v\nwant %+v", p.Attempts, want)
	}
}

// filterFixture stores attempts that differ in one field at a time.
func filterFixture(t *testing.T, open opener) *store.Store {
	s, _ := open(t)
	refused := attempt("refused", base.Add(4*time.Hour), "mail.example.org", 2525, probe.OutcomeFailure, "net.refused")
	refused.Failure = &probe.Failure{Step: probe.StepConnect, Code: "net.refused", Err: "dial tcp 192.0.2.1:2525: connect: connection refused"}
	running := attempt("running", base.Add(5*time.Hour), "smtp.gmail.com", 587, "", "")
	running.Status, running.Diagnosis = probe.StatusRunning, nil
	mustCreate(t, s,
		attempt("gmail-ok", base, "smtp.gmail.com", 587, probe.OutcomeSuccess, "ok"),
		attempt("gmail-465", base.Add(time.Hour), "smtp.gmail.com", 465, probe.OutcomeFailure, "auth.app_password_required"),
		attempt("o365-blocked", base.Add(2*time.Hour), "smtp.office365.com", 587, probe.OutcomeFailure, "auth.blocked_by_policy"),
		attempt("o365-warn", base.Add(3*time.Hour), "smtp.office365.com", 587, probe.OutcomeWarning, "tls.cert_untrusted"),
		refused, running,
	)
	return s
}

func testFilters(t *testing.T, open opener) {
	s := filterFixture(t, open)
	tests := []struct {
		name string
		f    store.Filter
		want []string
	}{
		{"none", store.Filter{}, []string{"running", "refused", "o365-warn", "o365-blocked", "gmail-465", "gmail-ok"}},
		{"host", store.Filter{Host: "smtp.gmail.com"}, []string{"running", "gmail-465", "gmail-ok"}},
		{"host in other case", store.Filter{Host: " SMTP.Gmail.com"}, []string{"running", "gmail-465", "gmail-ok"}},
		{"host and port", store.Filter{Host: "smtp.gmail.com", Port: 465}, []string{"gmail-465"}},
		{"port", store.Filter{Port: 2525}, []string{"refused"}},
		{"outcome", store.Filter{Outcome: probe.OutcomeFailure}, []string{"refused", "o365-blocked", "gmail-465"}},
		{"code", store.Filter{Code: "auth.blocked_by_policy"}, []string{"o365-blocked"}},
		{"since", store.Filter{Since: base.Add(3 * time.Hour)}, []string{"running", "refused", "o365-warn"}},
		{"until", store.Filter{Until: base.Add(time.Hour)}, []string{"gmail-ok"}},
		{"since and until", store.Filter{Since: base.Add(time.Hour), Until: base.Add(3 * time.Hour)}, []string{"o365-blocked", "gmail-465"}},
		{"q host", store.Filter{Q: "OFFICE365"}, []string{"o365-warn", "o365-blocked"}},
		{"q user", store.Filter{Q: "user@mail.example"}, []string{"refused"}},
		{"q code", store.Filter{Q: "app_password"}, []string{"gmail-465"}},
		{"q title", store.Filter{Q: "title of tls."}, []string{"o365-warn"}},
		{"q reply", store.Filter{Q: "authentication failed for o365"}, []string{"o365-blocked"}},
		{"q error when no reply", store.Filter{Q: "connection refused"}, []string{"refused"}},
		{"q percent is literal", store.Filter{Q: "%"}, nil},
		{"q underscore is literal", store.Filter{Q: "auth_"}, nil},
		{"combined", store.Filter{Host: "smtp.office365.com", Outcome: probe.OutcomeWarning, Q: "cert"}, []string{"o365-warn"}},
		{"nothing matches", store.Filter{Host: "nowhere.example"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := listAll(t, s, tt.f); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func testCount(t *testing.T, open opener) {
	s := filterFixture(t, open)
	ctx := context.Background()
	c, err := s.Count(ctx, store.Filter{Limit: 1, Cursor: "ignored"})
	if err != nil {
		t.Fatal(err)
	}
	want := store.Counts{
		Total:     6,
		ByOutcome: map[probe.Outcome]int64{probe.OutcomeSuccess: 1, probe.OutcomeWarning: 1, probe.OutcomeFailure: 3},
		ByCode: map[string]int64{"ok": 1, "auth.app_password_required": 1, "auth.blocked_by_policy": 1,
			"tls.cert_untrusted": 1, "net.refused": 1},
	}
	if fmt.Sprint(c) != fmt.Sprint(want) {
		t.Errorf("unfiltered: got %+v, want %+v", c, want)
	}
	c, err = s.Count(ctx, store.Filter{Host: "smtp.office365.com"})
	if err != nil {
		t.Fatal(err)
	}
	want = store.Counts{
		Total:     2,
		ByOutcome: map[probe.Outcome]int64{probe.OutcomeWarning: 1, probe.OutcomeFailure: 1},
		ByCode:    map[string]int64{"auth.blocked_by_policy": 1, "tls.cert_untrusted": 1},
	}
	if fmt.Sprint(c) != fmt.Sprint(want) {
		t.Errorf("by host: got %+v, want %+v", c, want)
	}
}

func testFreeTextFoldsUnicodeCase(t *testing.T, open opener) {
	s, _ := open(t)
	r := attempt("de", base, "mail.example.de", 587, probe.OutcomeFailure, "auth.credentials_rejected")
	r.Failure.Lines = []string{"5.7.8 Anmeldung für ÄRGER@example.de fehlgeschlagen"}
	mustCreate(t, s, r, attempt("other", base, "h", 25, probe.OutcomeSuccess, "ok"))
	for _, q := range []string{"ärger@", "FÜR ärger", "Anmeldung"} {
		if got := listAll(t, s, store.Filter{Q: q}); !slices.Equal(got, []string{"de"}) {
			t.Errorf("q %q: got %v, want [de]", q, got)
		}
	}
	// Fields are separate: a term does not match across two of them.
	if got := listAll(t, s, store.Filter{Q: "example.de\nuser"}); got != nil {
		t.Errorf("a term spanning host and user matched %v", got)
	}
}
