package probe

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// A server whose EHLO replies are as long as the line and reply bounds
// allow, twice (before and after STARTTLS), overflows the transcript's own
// bound: the transcript is cut with a note, the probe goes on to the end,
// and the result stays small.
func TestTranscriptBoundOnARealProbe(t *testing.T) {
	ca := smtptest.NewCA(t, "Test CA")
	long := "250-" + strings.Repeat("X", maxLineBytes-10)
	ehlo := append(smtptest.Flood(maxReplyLines-3, long)[:maxReplyLines-3], "250-STARTTLS", "250-AUTH PLAIN", "250 8BITMIME")
	s := tlsScript(ca, t)
	s.Replies = map[string][]string{"EHLO": ehlo}
	s.TLSReplies = map[string][]string{"EHLO": ehlo}
	srv := smtptest.Start(t, s)
	o := testOptions()
	o.RootCAs = ca.Pool
	r := runProbe(t, settingsFor(srv, SecurityStartTLS), "", o)

	if !r.TranscriptCut {
		t.Fatalf("transcript not marked cut (%d lines)", len(r.Transcript))
	}
	if !strings.Contains(transcriptText(r), "transcript cut here") {
		t.Errorf("no note where the transcript was cut")
	}
	if r.Failure != nil {
		t.Errorf("the probe stopped at the transcript bound: %+v", r.Failure)
	}
	b, _ := json.Marshal(r)
	t.Logf("result: %d bytes of JSON", len(b))
	if len(b) > maxTranscriptBytes+64<<10 {
		t.Errorf("result is %d bytes: the transcript bound did not bound it", len(b))
	}
}

func TestKeepLinesBoundsCopies(t *testing.T) {
	var lines []string
	for range 120 {
		lines = append(lines, strings.Repeat("é", 400)) // 800 bytes, two-byte characters
	}
	got := keepLines(lines)
	if len(got) != maxKeptLines+1 || !strings.Contains(got[maxKeptLines], "70 more lines") {
		t.Fatalf("kept %d lines, last %q", len(got), got[len(got)-1])
	}
	for _, l := range got[:maxKeptLines] {
		if len(l) > maxKeptLineBytes+len("…") || !utf8.ValidString(l) {
			t.Fatalf("line of %d bytes, valid UTF-8 %v", len(l), utf8.ValidString(l))
		}
	}
	if short := keepLines([]string{"250 ok"}); len(short) != 1 || short[0] != "250 ok" {
		t.Errorf("a short reply changed: %q", short)
	}
}
