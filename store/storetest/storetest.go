// Package storetest fills stores with realistic attempts, for benchmarks and
// for tests that need volume: each attempt is a plausible probe of a real
// kind of server (Gmail, Microsoft 365, Postfix, a firewalled host) with a
// transcript of typical length, a certificate chain and a diagnosis, so that
// sizes and timings measured on it are those of real use.
package storetest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// generatorVersion changes whenever Typical changes what it makes, so that
// cached databases made by an older generator are not reused.
const generatorVersion = 1

// NewRand is a deterministic source for Typical and Generate.
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x5eed))
}

// ID returns a permalink-like id: 128 random bits, URL-safe base64.
func ID(rng *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Span is how far back Generate spreads attempts from now.
const Span = 365 * 24 * time.Hour

// Generate stores n typical attempts, spread evenly over the Span before
// now, in transactions of a few thousand rows. Two batches are in flight,
// so that one is compressed while the other is written.
func Generate(ctx context.Context, s *store.Store, n int, seed uint64) error {
	const batch = 5000
	rng := NewRand(seed)
	now := time.Now().UTC().Truncate(time.Millisecond)
	step := Span / time.Duration(max(n, 1))

	batches := make(chan []probe.Result)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			var err error
			for rs := range batches {
				if err == nil {
					err = s.CreateBatch(ctx, rs)
				}
			}
			errs <- err
		}()
	}
	for i := 0; i < n; i += batch {
		rs := make([]probe.Result, 0, batch)
		for j := i; j < min(i+batch, n); j++ {
			rs = append(rs, Typical(rng, now.Add(-Span+time.Duration(j)*step)))
		}
		batches <- rs
	}
	close(batches)
	if err := errors.Join(<-errs, <-errs); err != nil {
		return fmt.Errorf("storetest: generate: %w", err)
	}
	return nil
}

// CachedDB returns the path of a database holding n attempts made by
// Generate(seed), made once and kept under os.TempDir() for the next run.
// The name carries the schema and generator versions, so a change to
// either makes a new one. Callers must not write to it.
func CachedDB(ctx context.Context, n int, seed uint64) (string, error) {
	dir := filepath.Join(os.TempDir(), "smtpdoctor-storetest")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("storetest: %w", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("attempts-s%s-g%d-n%d-seed%d.db",
		schemaKey(), generatorVersion, n, seed))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp, err := os.CreateTemp(dir, "building-*.db")
	if err != nil {
		return "", fmt.Errorf("storetest: %w", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	defer os.Remove(tmp.Name() + "-wal")
	defer os.Remove(tmp.Name() + "-shm")
	s, err := store.Open(ctx, tmp.Name())
	if err != nil {
		return "", fmt.Errorf("storetest: %w", err)
	}
	if err := Generate(ctx, s, n, seed); err != nil {
		s.Close()
		return "", err
	}
	if err := s.Checkpoint(ctx); err != nil {
		s.Close()
		return "", fmt.Errorf("storetest: %w", err)
	}
	if err := s.Close(); err != nil {
		return "", fmt.Errorf("storetest: %w", err)
	}
	// Renamed only when complete: an interrupted run leaves no half-filled
	// database under the final name.
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("storetest: %w", err)
	}
	return path, nil
}
