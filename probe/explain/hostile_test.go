package explain

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
)

// strings in a result that reach a page or a terminal
func resultTexts(res probe.Result) []string {
	var out []string
	for _, l := range res.Transcript {
		out = append(out, l.Text)
	}
	if f := res.Failure; f != nil {
		out = append(out, f.Command, f.Err)
		out = append(out, f.Lines...)
	}
	s := res.Settings
	out = append(out, s.Host, s.User, s.From, s.To, s.HELO)
	if d := res.Diagnosis; d != nil {
		out = append(out, d.Title, d.Summary)
		out = append(out, d.Remediation...)
	}
	for _, f := range res.Findings {
		out = append(out, f.Title, f.Detail)
	}
	if ls := res.LogSummary; ls != nil {
		for _, rows := range [][]probe.LogRow{ls.Accounts, ls.Addresses, ls.Reasons, ls.Other} {
			for _, r := range rows {
				out = append(out, r.Key)
			}
		}
	}
	return out
}

func TestHostileTextCannotBreakAPageOrATerminal(t *testing.T) {
	hostile := "S: 220 evil.example ESMTP \x1b[2J\x1b]0;pwned\x07 \u202eexe.txt\u2066\n" +
		"C: EHLO \xff\xfe\x00x\n" +
		"S: 535 5.7.8 bad \x1b[31mred\u202d \xc3\x28\n" +
		"Nov 14 09:08:30 mail postfix/smtpd[1]: warning: unknown[1.2.3.4]: SASL LOGIN authentication failed: \u202e\x1b[1mx\n"
	for _, text := range []string{hostile, strings.Repeat("x\x00\u202e", 1000), "\xff\xfe\xfd"} {
		res, _ := explain(text, testNow)
		for _, s := range resultTexts(res) {
			if !utf8.ValidString(s) {
				t.Errorf("invalid UTF-8 kept: %q", s)
			}
			for _, r := range s {
				if (r < 0x20 && r != '\t') || r == 0x7f || isBidi(r) {
					t.Errorf("control or bidi character %U kept in %q", r, s)
					break
				}
			}
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatal(err)
		}
	}
}

func isBidi(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

func TestHugeInputsStayBounded(t *testing.T) {
	// 100,000 transcript lines: the transcript keeps its bound and says so.
	var b strings.Builder
	for i := 0; b.Len() < MaxInput-100; i++ {
		b.WriteString("S: 250-EXTENSION\n")
	}
	res, _ := explain("C: EHLO x\n"+b.String(), testNow)
	if len(res.Transcript) > maxTranscriptLines+2 || !res.TranscriptCut {
		t.Errorf("transcript has %d lines (cut %v), want at most %d and cut", len(res.Transcript), res.TranscriptCut, maxTranscriptLines+2)
	}
	js, _ := json.Marshal(res)
	if len(js) > 2*maxTranscriptBytes+64<<10 {
		t.Errorf("result is %d bytes", len(js))
	}

	// More than MaxInput: the rest is not read, and the result says so.
	long := strings.Repeat("535 5.7.8 Authentication failed\n", MaxInput/32+100)
	res, _ = explain(long, testNow)
	if !strings.Contains(res.Transcript[len(res.Transcript)-1].Text, "only the first") {
		t.Errorf("cut input not told; last line %q", res.Transcript[len(res.Transcript)-1].Text)
	}

	// One enormous line costs no more than a normal one and breaks nothing.
	res, _ = explain("535 5.7.8 "+strings.Repeat("A", MaxInput-20), testNow)
	for _, l := range res.Transcript {
		if len(l.Text) > maxLineBytes+100 {
			t.Errorf("a transcript line of %d bytes was kept", len(l.Text))
		}
	}
}

func TestUnrecognisedTextListsTheFormats(t *testing.T) {
	res, used := explain("Hello,\nmy mail does not work, please help.\nThanks\n", testNow)
	if res.Diagnosis == nil || res.Diagnosis.Code != probe.CodeInputUnrecognized {
		t.Fatalf("diagnosis %v, want input.unrecognized", res.Diagnosis)
	}
	if len(used) != 0 || res.Failure == nil || res.Failure.Reply != 0 || res.Failure.Code != probe.CodeInputUnrecognized || len(res.Findings) != 0 || res.Outcome != probe.OutcomeWarning {
		t.Errorf("a guess was made: formats %v, failure %v, findings %v", used, res.Failure, res.Findings)
	}
	again := res
	diagnosis.Diagnose(&again)
	if again.Diagnosis.Code != probe.CodeInputUnrecognized || again.Outcome != probe.OutcomeWarning {
		t.Errorf("diagnosing again gave %s %s", again.Diagnosis.Code, again.Outcome)
	}
	for _, f := range formats {
		if !strings.Contains(res.Diagnosis.Summary, f.Title) {
			t.Errorf("the answer does not list %q", f.Title)
		}
	}
}

func TestTextOnlySaysWhatElseAndWhichProbe(t *testing.T) {
	res, _ := explain("Connection: opening to smtp.example.com:587, timeout=300\nSERVER -> CLIENT: 535 5.7.8 Error: authentication failed: authentication failure\n", testNow)
	if res.Diagnosis.Code != probe.CodeAuthCredentialsRejected {
		t.Fatalf("diagnosis %s", res.Diagnosis.Code)
	}
	var detail string
	for _, f := range res.Findings {
		if f.Code == probe.CodeInputTextOnly {
			detail = f.Detail
		}
	}
	for _, want := range []string{"Most likely", "app password", "disabled", "A probe of smtp.example.com port 587"} {
		if !strings.Contains(detail, want) {
			t.Errorf("input.text_only detail lacks %q: %q", want, detail)
		}
	}
}
