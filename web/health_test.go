package web

import (
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"testing"
)

// corruptPages overwrites every page of the database file but the first
// (the header and the schema root) with noise, as a failing disk would.
func corruptPages(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() <= 4096 {
		t.Fatalf("the database has one page; nothing to corrupt")
	}
	noise := make([]byte, fi.Size()-4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	if _, err := f.WriteAt(noise, 4096); err != nil {
		t.Fatal(err)
	}
}

// A damaged database file gives 500s; /healthz must say so too instead of
// answering 200 because SELECT 1 still works.
func TestHealthzFailsOnACorruptDatabase(t *testing.T) {
	e := newEnv(t, Config{})
	for range 50 {
		e.storedAttempt(nil)
	}
	if err := e.store.Checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	if resp, _ := e.get("/healthz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz before the damage = %d", resp.StatusCode)
	}
	corruptPages(t, e.dbPath)
	resp, page := e.get("/history")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("/history of a damaged database = %d, want 500:\n%s", resp.StatusCode, page)
	}
	resp, body := e.get("/healthz")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "damaged") {
		t.Errorf("/healthz after a 500 from a damaged database = %d %q, want 503 saying damaged", resp.StatusCode, body)
	}
}

func TestReadyzOnAWritableDatabase(t *testing.T) {
	e := newEnv(t, Config{})
	resp, body := e.get("/readyz")
	if resp.StatusCode != http.StatusOK || body != "ready\n" {
		t.Errorf("/readyz = %d %q", resp.StatusCode, body)
	}
}
