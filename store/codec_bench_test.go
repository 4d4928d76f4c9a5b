package store_test

import (
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/store"
	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// BenchmarkEncodeDoc is the compression of one typical result, paid on
// every write of an attempt.
func BenchmarkEncodeDoc(b *testing.B) {
	r := storetest.Typical(storetest.NewRand(1), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	b.ReportAllocs()
	var size int
	for b.Loop() {
		doc, err := store.EncodeDoc(r)
		if err != nil {
			b.Fatal(err)
		}
		size = len(doc)
	}
	b.ReportMetric(float64(size), "bytes/doc")
}
