package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
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
		if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = $1 AND pid <> pg_backend_pid()`, name); err != nil {
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
