package store_test

import (
	"path/filepath"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// The shared store suite (store/storetest) on each back end.

func TestSuiteSQLite(t *testing.T) {
	storetest.Run(t, func(t testing.TB) string { return filepath.Join(t.TempDir(), "test.db") })
}

func TestSuitePostgres(t *testing.T) {
	storetest.PostgresServer(t) // skip (or fail) once, not per test
	storetest.Run(t, storetest.Postgres)
}
