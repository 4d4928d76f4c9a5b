package attempt

import (
	"strings"
	"testing"
)

func TestNewIDIsParsableAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if _, ok := ParseID(id); !ok {
			t.Fatalf("ParseID(%q) refused a fresh id", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

func TestParseIDRefuses(t *testing.T) {
	for _, s := range []string{
		"",
		"short",
		strings.Repeat("A", 21),
		strings.Repeat("A", 23),
		"AAAAAAAAAAAAAAAAAAAAA=",  // padding
		"AAAAAAAAAAAAAAAAAAAA+A",  // std alphabet
		"AAAAAAAAAAAAAAAAAAAA/A",  // std alphabet
		"AAAAAAAAAAAAAAAAAAAAAB",  // non-zero padding bits: a second spelling of an id
		"../../../../etc/passwd1", // path
		"AAAAAAAAAAAAAAAAAAAA\nA", // newline
	} {
		if _, ok := ParseID(s); ok {
			t.Errorf("ParseID(%q) accepted", s)
		}
	}
}

func FuzzParseID(f *testing.F) {
	f.Add(NewID())
	f.Add("AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("AAAAAAAAAAAAAAAAAAAAAB")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := ParseID(s)
		if !ok {
			return
		}
		if id != s || len(id) != idLen {
			t.Fatalf("ParseID(%q) = %q", s, id)
		}
		b, err := idEncoding.DecodeString(id)
		if err != nil || idEncoding.EncodeToString(b) != id {
			t.Fatalf("accepted id %q is not canonical", id)
		}
	})
}
