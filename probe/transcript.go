package probe

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Transcript bounds: a hostile or broken server must not make the result
// (stored, rendered, sent as JSON) grow without limit.
const (
	maxTranscriptLines = 2000
	maxTranscriptBytes = 256 << 10
)

// transcript records lines with their time and direction. Text is escaped
// and scrubbed at capture, so nothing unsafe is ever stored.
type transcript struct {
	start time.Time
	res   *Result
	bytes int
	scrub *scrubber
}

func (t *transcript) add(dir Direction, text string) {
	if t.res.TranscriptCut {
		return
	}
	text = t.scrub.clean(Escape(text))
	if len(t.res.Transcript) >= maxTranscriptLines-1 || t.bytes+len(text) > maxTranscriptBytes {
		t.res.TranscriptCut = true
		t.res.Transcript = append(t.res.Transcript, Line{AtMS: t.ms(), Dir: DirNote,
			Text: fmt.Sprintf("transcript cut here: it reached its bound (%d lines, %d KiB); the probe went on", maxTranscriptLines, maxTranscriptBytes>>10)})
		return
	}
	t.bytes += len(text)
	t.res.Transcript = append(t.res.Transcript, Line{AtMS: t.ms(), Dir: dir, Text: text})
}

func (t *transcript) note(format string, args ...any) {
	t.add(DirNote, fmt.Sprintf(format, args...))
}

func (t *transcript) ms() int64 { return time.Since(t.start).Milliseconds() }

// scrubber removes secrets (and their encoded forms) from text that did
// not come from our own redacted writes: server replies that echo what we
// sent, error strings. It is the second line of defence; the first is that
// client lines are redacted before they are recorded.
type scrubber struct {
	secrets []string
}

// minScrubLen: shorter secrets would turn ordinary words into [redacted];
// such a password is also too short for any server to accept.
const minScrubLen = 4

func (s *scrubber) add(secret string) {
	if s == nil || len(secret) < minScrubLen {
		return
	}
	s.secrets = append(s.secrets, secret)
	if e := Escape(secret); e != secret {
		s.secrets = append(s.secrets, e)
	}
}

func (s *scrubber) clean(text string) string {
	if s == nil {
		return text
	}
	// A replacement can itself complete a new occurrence ("d]d]" in
	// "d]d]d]"), so repeat; if that does not settle, withhold the line.
	for range 4 {
		found := false
		for _, sec := range s.secrets {
			if strings.Contains(text, sec) {
				found = true
				text = strings.ReplaceAll(text, sec, "[redacted]")
			}
		}
		if !found {
			return text
		}
	}
	if s.contains(text) {
		return "[redacted: line withheld, it contained the secret]"
	}
	return text
}

func (s *scrubber) contains(text string) bool {
	for _, sec := range s.secrets {
		if strings.Contains(text, sec) {
			return true
		}
	}
	return false
}

// Reply lines kept in the result besides the transcript (the banner, the
// EHLO extensions, a failure's reply) are bounded too: real replies are a
// few short lines, and a hostile server must not make every copy of its
// reply as large as the read bounds allow (100 lines of 2000 bytes).
const (
	maxKeptLines     = 50
	maxKeptLineBytes = 300
)

// keepLines is a bounded copy of lines; a cut line ends in "…", and a
// last line says how many were left out.
func keepLines(lines []string) []string {
	n := min(len(lines), maxKeptLines)
	out := make([]string, 0, n+1)
	for _, l := range lines[:n] {
		out = append(out, cutUTF8(l, maxKeptLineBytes))
	}
	if len(lines) > n {
		out = append(out, fmt.Sprintf("… %d more lines not kept", len(lines)-n))
	}
	return out
}

// cutUTF8 shortens s to at most max bytes without splitting a character.
func cutUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
