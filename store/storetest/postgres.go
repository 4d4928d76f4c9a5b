package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// PostgresEnv names the PostgreSQL server the tests may use: a URL whose
// role may create databases (.ci/postgres.sh starts one and writes it to
// /tmp/smtpdoctor-postgres.env).
const PostgresEnv = "SMTPDOCTOR_TEST_POSTGRES"

// PostgresServer returns the URL in SMTPDOCTOR_TEST_POSTGRES (or in
// /tmp/smtpdoctor-postgres.env). Without one the test is skipped, or fails
// when SMTPDOCTOR_REQUIRE_REAL is set: in CI PostgreSQL must be tested.
func PostgresServer(t testing.TB) string {
	t.Helper()
	u := os.Getenv(PostgresEnv)
	if u == "" {
		u = envFile("/tmp/smtpdoctor-postgres.env", PostgresEnv)
	}
	if u == "" {
		if os.Getenv("SMTPDOCTOR_REQUIRE_REAL") != "" {
			t.Fatalf("SMTPDOCTOR_REQUIRE_REAL is set but %s is not: .ci/postgres.sh did not run or failed", PostgresEnv)
		}
		t.Skipf("no PostgreSQL: set %s (bash .ci/postgres.sh starts one)", PostgresEnv)
	}
	return u
}

// envFile reads one `export NAME=value` line of a file written by a .ci
// script.
func envFile(path, name string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "export "+name+"="); ok {
			return strings.Trim(v, `'"`)
		}
	}
	return ""
}

// Postgres makes an empty database of its own for one test on the server
// PostgresServer names, dropped at cleanup, and returns its URL: tests
// running at once never see each other's rows.
func Postgres(t testing.TB) string {
	t.Helper()
	server := PostgresServer(t)
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	name := "smtpdoctor_test_" + strings.ToLower(rand.Text()[:12])
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// template0: a clean copy, whatever was added to template1.
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE template0`); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", server)
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// Sessions a test left open are ended first (DROP DATABASE …
		// WITH (FORCE) would also try autovacuum's, which only a
		// superuser may end; a plain DROP stops autovacuum itself).
		// Only client sessions: an autovacuum worker busy in the
		// database is listed too, and ending it is refused.
		if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`, name); err != nil {
			t.Errorf("drop test database: %v", err)
		}
		var err2 error
		for range 20 {
			if _, err2 = admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name); err2 == nil {
				return
			}
			time.Sleep(100 * time.Millisecond) // ended sessions take a moment to go
		}
		t.Errorf("drop test database: %v", err2)
	})
	u.Path = "/" + name
	return u.String()
}

// CachedPostgres returns the URL of a database on the server PostgresServer
// names that holds about n typical attempts spread over the Span before
// now, made once and kept (like CachedDB) for later runs; its name carries
// the schema and generator versions. Callers must not write to it.
//
// It is filled quickly rather than one Generate call per row: a thousandth
// of the attempts are generated (Typical, over a thousandth of the Span),
// and PostgreSQL copies them a thousand times over, each copy shifted back
// by that much, in one INSERT … SELECT with generate_series. Documents
// repeat, which changes nothing the history pages read.
func CachedPostgres(ctx context.Context, t testing.TB, n int) string {
	t.Helper()
	server := PostgresServer(t)
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("smtpdoctor_bench_s%s_g%d_n%d", schemaKey(), generatorVersion, n)
	u.Path = "/" + name
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var exists int
	admin.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_database WHERE datname = $1`, name).Scan(&exists)
	if exists == 1 {
		return u.String()
	}
	building := name + "_building"
	admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building)
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+building+` TEMPLATE template0`); err != nil {
		t.Fatal(err)
	}
	bu := *u
	bu.Path = "/" + building
	s, err := store.Open(ctx, bu.String())
	if err != nil {
		t.Fatal(err)
	}
	const copies = 1000
	seedN := max(n/copies, 1)
	rng := NewRand(1)
	now := time.Now().UTC().Truncate(time.Millisecond)
	slice := Span / copies
	step := slice / time.Duration(seedN)
	var rs []probe.Result
	for j := range seedN {
		rs = append(rs, Typical(rng, now.Add(-slice+time.Duration(j)*step)))
	}
	if err := s.CreateBatch(ctx, rs); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("pgx", bu.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		fmt.Sprintf(`INSERT INTO attempts (id, started_at, host, port, security, username, status, outcome,
			code, title, failed_step, reply_text, search_text, duration_ms, doc, owner)
		SELECT id || '-' || k, started_at - k::bigint * %d, host, port, security, username, status, outcome,
			code, title, failed_step, reply_text, search_text, duration_ms, doc, owner
		FROM attempts CROSS JOIN generate_series(1, %d) AS k`, slice.Milliseconds(), copies-1),
		`VACUUM ANALYZE`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("fill %s: %v", building, err)
		}
	}
	db.Close()
	if _, err := admin.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		t.Fatal(err)
	}
	return u.String()
}
