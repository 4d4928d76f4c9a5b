package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/store"
	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// TestMigrateDB copies a SQLite history into PostgreSQL twice (the second
// run finds everything there and changes nothing), and the copy reads the
// same as the original.
func TestMigrateDB(t *testing.T) {
	ctx := context.Background()
	from := filepath.Join(t.TempDir(), "old.db")
	src, err := store.Open(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	if err := storetest.Generate(ctx, src, 1500, 7); err != nil {
		t.Fatal(err)
	}
	src.Close()
	to := storetest.Postgres(t)

	digest := regexp.MustCompile(`attempts: copied (\d+) rows; source (\d+) rows sha256 ([0-9a-f]{64}); target (\d+) rows sha256 ([0-9a-f]{64}): match`)
	var sums []string
	for run := range 2 {
		var out, errOut bytes.Buffer
		if err := run2(ctx, []string{"migrate-db", "--from", from, "--to", to}, &out, &errOut); err != nil {
			t.Fatalf("run %d: %v\n%s%s", run, err, out.String(), errOut.String())
		}
		m := digest.FindStringSubmatch(out.String())
		if m == nil || m[1] != "1500" || m[2] != "1500" || m[4] != "1500" || m[3] != m[5] {
			t.Fatalf("run %d printed:\n%s", run, out.String())
		}
		if strings.Contains(out.String(), "smtpdoctor:smtpdoctor@") {
			t.Errorf("the password is printed:\n%s", out.String())
		}
		sums = append(sums, m[3])
	}
	if sums[0] != sums[1] {
		t.Errorf("the checksum changed between runs: %v", sums)
	}

	a, err := store.Open(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ca, err := a.Count(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.Count(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if ca.Total != cb.Total || len(ca.ByCode) != len(cb.ByCode) {
		t.Errorf("counts differ: SQLite %+v, PostgreSQL %+v", ca, cb)
	}
	for code, n := range ca.ByCode {
		if cb.ByCode[code] != n {
			t.Errorf("code %s: SQLite %d, PostgreSQL %d", code, n, cb.ByCode[code])
		}
	}
	pa, err := a.List(ctx, store.Filter{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.List(ctx, store.Filter{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	for i := range pa.Attempts {
		if pa.Attempts[i].ID != pb.Attempts[i].ID {
			t.Fatalf("history differs at %d: %s vs %s", i, pa.Attempts[i].ID, pb.Attempts[i].ID)
		}
	}
	ra, err := a.Get(ctx, pa.Attempts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := b.Get(ctx, pa.Attempts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ra.Steps) != len(rb.Steps) || ra.Settings != rb.Settings {
		t.Errorf("the permalink reads differently after the copy")
	}
}

func TestMigrateDBUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"--from", "a.db"}, {"--from", "a.db", "--to", "a.db"}, {"--from", "a", "--to", "b", "extra"}} {
		var out, errOut bytes.Buffer
		err := run2(context.Background(), append([]string{"migrate-db"}, args...), &out, &errOut)
		if _, ok := err.(usageError); !ok {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

func run2(ctx context.Context, args []string, stdout, stderr *bytes.Buffer) error {
	return run(ctx, args, env{func(string) string { return "" }}, strings.NewReader(""), stdout, stderr)
}
