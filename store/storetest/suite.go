package storetest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx", for looking at what the store wrote
	_ "modernc.org/sqlite"             // "sqlite", likewise
)

// The shared store suite: one set of behaviour tests that every back end
// must pass. store's own tests run it on SQLite files and on PostgreSQL
// databases (see Postgres).

// NewDSN makes a fresh, empty database for one test and returns what
// store.Open takes for it: a SQLite file path or a PostgreSQL URL.
type NewDSN func(t testing.TB) string

// opener opens a fresh store, closed at cleanup, and says where it is.
type opener func(t testing.TB) (*store.Store, string)

var suite = []struct {
	name string
	test func(t *testing.T, open opener)
}{
	{"RoundTripFullResult", testRoundTripFullResult},
	{"NotFound", testNotFound},
	{"CreateRejectsDuplicateAndEmptyID", testCreateRejectsDuplicateAndEmptyID},
	{"Delete", testDelete},
	{"CountsAgreeWithBruteForce", testCountsAgreeWithBruteForce},
	{"ConcurrentWritesKeepTheirOwnErrors", testConcurrentWritesKeepTheirOwnErrors},
	{"WriteAfterClose", testWriteAfterClose},
	{"SaveAndCreateIfAbsent", testSaveAndCreateIfAbsent},
	{"ConcurrentSavesOfOneAttempt", testConcurrentSavesOfOneAttempt},
	{"MigrationsAppliedOnce", testMigrationsAppliedOnce},
	{"ConcurrentOpensMigrateOnce", testConcurrentOpensMigrateOnce},
	{"RefusesNewerSchema", testRefusesNewerSchema},
	{"OpenFailsOnNonDatabase", testOpenFailsOnNonDatabase},
	{"MarkInterrupted", testMarkInterrupted},
	{"Prune", testPrune},
	{"PingAndIntegrity", testPingAndIntegrity},
	{"ConcurrentWritersAndReaders", testConcurrentWritersAndReaders},
	{"KeysetPagination", testKeysetPagination},
	{"ListDefaultsAndLastPage", testListDefaultsAndLastPage},
	{"BadCursor", testBadCursor},
	{"SummaryFields", testSummaryFields},
	{"Filters", testFilters},
	{"Count", testCount},
	{"FreeTextFoldsUnicodeCase", testFreeTextFoldsUnicodeCase},
	{"SearchIndexFollowsWrites", testSearchIndexFollowsWrites},
	{"SearchCountIsCapped", testSearchCountIsCapped},
	{"SearchTermsAreNotQuerySyntax", testSearchTermsAreNotQuerySyntax},
	{"SearchIndexHoldsFinishedAttempts", testSearchIndexHoldsFinishedAttempts},
	{"SearchFindsBasicReplyCodes", testSearchFindsBasicReplyCodes},
	{"Servers", testServers},
	{"Breakdown", testBreakdown},
	{"LastSuccessBefore", testLastSuccessBefore},
	{"KindFilter", testKindFilter},
	{"LastSuccessIgnoresExplanations", testLastSuccessIgnoresExplanations},
	{"ServersSkipAttemptsWithoutHost", testServersSkipAttemptsWithoutHost},
	{"ExplanationsAreNotServerAttempts", testExplanationsAreNotServerAttempts},
	{"ServersSummaryFollowsWrites", testServersSummaryFollowsWrites},
	{"ServersAgreeWithBruteForce", testServersAgreeWithBruteForce},
	{"WatchSeesWrites", testWatchSeesWrites},
	{"WatchSeesOtherReplicas", testWatchSeesOtherReplicas},
	{"InterruptedOnlyWhenOwnerIsGone", testInterruptedOnlyWhenOwnerIsGone},
	{"LeasesHoldAcrossStores", testLeasesHoldAcrossStores},
	{"ExpiredLeaseIsFree", testExpiredLeaseIsFree},
	{"GoneReplicasPlacesAreFreed", testGoneReplicasPlacesAreFreed},
	{"GoneReplicasPlacesAreFreedWithoutAttempts", testGoneReplicasPlacesAreFreedWithoutAttempts},
	{"LeasesRenewedWhileHeld", testLeasesRenewedWhileHeld},
	{"HitsAreShared", testHitsAreShared},
	{"ClaimOnce", testClaimOnce},
	{"MonitorCRUD", testMonitorCRUD},
	{"SecretsRotate", testSecretsRotate},
	{"RecordRunKeepsChangesAndTheLatest", testRecordRunKeepsChangesAndTheLatest},
	{"RecordRunRefusesAStaleStatus", testRecordRunRefusesAStaleStatus},
	{"DeliveryLog", testDeliveryLog},
	{"BytesPerUnchangedRun", testBytesPerUnchangedRun},
	{"MonitorRunClaimedOnce", testMonitorRunClaimedOnce},
}

// Run runs the shared suite, each test on a database of its own made by
// newDSN.
func Run(t *testing.T, newDSN NewDSN) {
	open := func(t testing.TB) (*store.Store, string) {
		t.Helper()
		dsn := newDSN(t)
		s, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return s, dsn
	}
	for _, c := range suite {
		t.Run(c.name, func(t *testing.T) { c.test(t, open) })
	}
}

// rawDB opens the store's database directly, to look at or tamper with
// what the store wrote. Its queries use the back end's own placeholders.
func rawDB(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	driver, source := "sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)"
	if store.IsPostgres(dsn) {
		driver, source = "pgx", dsn
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sqliteOnly skips a test of something SQLite alone has.
func sqliteOnly(t testing.TB, dsn, what string) {
	t.Helper()
	if store.IsPostgres(dsn) {
		t.Skipf("SQLite only: %s", what)
	}
}

// base is the time the tests' attempts start from: fixed, UTC, whole
// milliseconds (the store keeps milliseconds in its columns).
var base = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// attempt is a small finished attempt with the fields the filters look at.
func attempt(id string, at time.Time, host string, port int, outcome probe.Outcome, code string) probe.Result {
	r := probe.Result{
		ID:        id,
		Status:    probe.StatusDone,
		Kind:      probe.KindProbe,
		Outcome:   outcome,
		Settings:  probe.Settings{Host: host, Port: port, Security: probe.SecurityStartTLS, User: "user@" + host},
		StartedAt: at,
		Diagnosis: &probe.Diagnosis{Code: probe.Code(code), Severity: probe.SeverityError, Title: "title of " + code},
	}
	if outcome == probe.OutcomeFailure {
		r.Failure = &probe.Failure{Step: probe.StepAuth, Reply: 535, Enhanced: "5.7.8",
			Lines: []string{"5.7.8 Authentication failed for " + id, "second line"}}
	}
	return r
}

func mustCreate(t testing.TB, s *store.Store, rs ...probe.Result) {
	t.Helper()
	for _, r := range rs {
		if err := s.Create(context.Background(), r); err != nil {
			t.Fatalf("create %s: %v", r.ID, err)
		}
	}
}
