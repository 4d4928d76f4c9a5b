package explain

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzExplain: no text makes Explain panic, keep invalid UTF-8 or control
// characters, or exceed its bounds. The corpus texts seed it.
func FuzzExplain(f *testing.F) {
	files, _ := filepath.Glob("testdata/corpus/*.txt")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			_, text, _ := strings.Cut(string(b), "\n--\n")
			f.Add(text)
		}
	}
	f.Add("S: 334 VXNlcm5hbWU6\nC: \xff\nS: 334 UGFzc3dvcmQ6\nC: \x1b[2J\nS: 535 \u202e")
	f.Fuzz(func(t *testing.T, text string) {
		res, _ := explain(text, testNow)
		if res.Diagnosis == nil {
			t.Fatal("no diagnosis")
		}
		if len(res.Transcript) > maxTranscriptLines+2 {
			t.Fatalf("%d transcript lines", len(res.Transcript))
		}
		for _, s := range resultTexts(res) {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 kept: %q", s)
			}
			for _, r := range s {
				if (r < 0x20 && r != '\t') || r == 0x7f || isBidi(r) {
					t.Fatalf("control character %U kept in %q", r, s)
				}
			}
		}
	})
}
