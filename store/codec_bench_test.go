package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
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

// Both document formats read back to the same result: a just-created
// attempt is stored as plain JSON, a finished one deflated.
func TestDocumentFormatsRoundTrip(t *testing.T) {
	small := probe.Result{ID: "x", Status: probe.StatusQueued, Kind: probe.KindProbe, Settings: probe.Settings{Host: "smtp.example.com", Port: 587}}
	big := storetest.Typical(storetest.NewRand(1), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	for name, r := range map[string]probe.Result{"small": small, "typical": big} {
		doc, err := store.EncodeDoc(r)
		if err != nil {
			t.Fatal(err)
		}
		back, err := store.DecodeDoc(doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(back, r) {
			t.Errorf("%s: round trip changed the result", name)
		}
		if name == "small" && doc[0] != 2 || name == "typical" && doc[0] != 1 {
			t.Errorf("%s: format byte %d", name, doc[0])
		}
	}
	if _, err := store.DecodeDoc([]byte{9, 1, 2}); err == nil {
		t.Errorf("an unknown format was decoded")
	}
}
