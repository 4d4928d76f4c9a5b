package store_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// TestBytesPerAttempt checks the storage budget: a typical attempt,
// with its document, summary columns and every index entry, takes at most
// 4 KB of database file.
func TestBytesPerAttempt(t *testing.T) {
	const n = 2000
	s, path := open(t)
	ctx := context.Background()
	if err := storetest.Generate(ctx, s, n, 7); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	per := fi.Size() / n
	js, _ := json.Marshal(storetest.Typical(storetest.NewRand(7), base))
	t.Logf("%d attempts: %d bytes, %d bytes per attempt (one typical attempt's JSON: %d bytes)", n, fi.Size(), per, len(js))
	if per > 4096 {
		t.Errorf("%d bytes per attempt, budget 4096", per)
	}
}
