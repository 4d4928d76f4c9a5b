package probe

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

func TestInputHints(t *testing.T) {
	tests := []struct {
		name, user, pass string
		want             []string
		not              []string
	}{
		{"clean", "alice@example.com", "hunter2-long", nil,
			[]string{"input.whitespace", "input.username_not_address", "input.app_password_spaces", "input.password_non_ascii"}},
		{"trailing space in password", "alice@example.com", "secret-pass ", []string{"input.whitespace"}, nil},
		{"leading space in user", " alice@example.com", "secret-pass", []string{"input.whitespace"}, nil},
		{"bare username", "alice", "secret-pass", []string{"input.username_not_address"}, nil},
		{"app password with spaces", "alice@gmail.com", "abcd efgh ijkl mnop", []string{"input.app_password_spaces"}, []string{"input.whitespace"}},
		{"non-ascii password", "alice@example.com", "pässwörd-123", []string{"input.password_non_ascii"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProber(Settings{Host: "x.example", User: tt.user}, Secret{Password: tt.pass}, Options{})
			p.inputHints()
			r := p.res
			for _, c := range tt.want {
				if !hasObservation(r, Code(c)) {
					t.Errorf("missing %s in %+v", c, r.Observations)
				}
			}
			for _, c := range tt.not {
				if hasObservation(r, Code(c)) {
					t.Errorf("unexpected %s in %+v", c, r.Observations)
				}
			}
			if s := strings.TrimSpace(tt.pass); len(s) >= minScrubLen && strings.Contains(dump(r), s) {
				t.Errorf("password in result")
			}
		})
	}
}

func TestObserveSnapshots(t *testing.T) {
	ca := smtptest.NewCA(t, "ca")
	srv := smtptest.Start(t, smtptest.Script{TLS: smtptest.ServerTLS(ca.Valid(t, "127.0.0.1"), 0)})
	var snaps []Result
	o := testOptions()
	o.RootCAs = ca.Pool
	o.Observe = func(r Result) { snaps = append(snaps, r) }
	r := runProbe(t, Settings{Host: srv.Host, Port: srv.Port, User: testUser}, testPass, o)
	if len(snaps) < 2*len(r.Steps) {
		t.Fatalf("%d snapshots for %d steps", len(snaps), len(r.Steps))
	}
	// An early snapshot must not change when the probe goes on.
	first := snaps[0]
	if len(first.Steps) != 1 || first.Steps[0].Name != StepResolve || first.Steps[0].Status != StepRunning {
		t.Errorf("first snapshot steps %+v", first.Steps)
	}
	last := snaps[len(snaps)-1]
	if last.Status != StatusDone || len(last.Steps) != len(r.Steps) {
		t.Errorf("last snapshot %+v", last.Steps)
	}
	for _, s := range r.Steps {
		if s.Status == StepRunning {
			t.Errorf("step %s still running at the end", s.Name)
		}
	}
	for _, s := range snaps {
		assertNoSecret(t, s, testUser, testPass)
	}
}

func TestTranscriptBound(t *testing.T) {
	res := &Result{}
	tr := &transcript{start: time.Now(), res: res, scrub: newScrubber("u", "secret-value")}
	for i := 0; i < 3*maxTranscriptLines; i++ {
		tr.add(DirServer, "250-line with secret-value inside")
	}
	if !res.TranscriptCut || len(res.Transcript) != maxTranscriptLines {
		t.Fatalf("cut %v, %d lines", res.TranscriptCut, len(res.Transcript))
	}
	if last := res.Transcript[len(res.Transcript)-1]; last.Dir != DirNote || !strings.Contains(last.Text, "cut") {
		t.Errorf("last line %+v", last)
	}
	if strings.Contains(res.Transcript[0].Text, "secret-value") {
		t.Errorf("not scrubbed: %q", res.Transcript[0].Text)
	}
	res2 := &Result{}
	tr2 := &transcript{start: time.Now(), res: res2}
	big := strings.Repeat("x", 1000)
	for i := 0; i < 1000; i++ {
		tr2.add(DirServer, big)
	}
	total := 0
	for _, l := range res2.Transcript {
		total += len(l.Text)
	}
	if !res2.TranscriptCut || total > maxTranscriptBytes+1000 {
		t.Errorf("cut %v, %d bytes", res2.TranscriptCut, total)
	}
}

func TestEscape(t *testing.T) {
	tests := map[string]string{
		"plain":           "plain",
		"caf\xe9":         `caf\xe9`,
		"\x1b[31mred":     `\x1b[31mred`,
		"tab\tok":         "tab\tok",
		"ünïcödé":         "ünïcödé",
		"nul\x00":         `nul\x00`,
		"\xf0\x9f\x98":    `\xf0\x9f\x98`,
		"del\x7f":         `del\x7f`,
		"emoji 😀 stays":   "emoji 😀 stays",
		"bad \xff\xfe ok": `bad \xff\xfe ok`,
		// C1 controls: U+009B is a one-byte CSI to many terminals.
		"csi \u009b2J": `csi \u009b2J`,
		"nel\u0085":    `nel\u0085`,
		// Bidi overrides and isolates reorder what is shown; zero-width
		// characters hide inside words.
		"535 \u202edeined":    `535 \u202edeined`,
		"iso\u2067late\u2069": `iso\u2067late\u2069`,
		"pay\u200bpal":        `pay\u200bpal`,
		"\ufeffbom":           `\ufeffbom`,
		"line\u2028sep":       `line\u2028sep`,
		"replacement \ufffd":  `replacement \ufffd`,
	}
	for in, want := range tests {
		if got := Escape(in); got != want || !utf8.ValidString(got) {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseLine(t *testing.T) {
	tests := []struct {
		line  string
		code  int
		final bool
		text  string
		ok    bool
	}{
		{"250 OK", 250, true, "OK", true},
		{"250-PIPELINING", 250, false, "PIPELINING", true},
		{"220", 220, true, "", true},
		{"535 5.7.8 nope", 535, true, "5.7.8 nope", true},
		{"HTTP/1.1 400", 0, false, "", false},
		{"25", 0, false, "", false},
		{"2500 x", 0, false, "", false},
		{"650 x", 0, false, "", false},
		{"SSH-2.0", 0, false, "", false},
	}
	for _, tt := range tests {
		code, final, text, ok := parseLine(tt.line)
		if code != tt.code || final != tt.final || text != tt.text || ok != tt.ok {
			t.Errorf("parseLine(%q) = %d %v %q %v", tt.line, code, final, text, ok)
		}
	}
	for in, want := range map[string]string{
		"5.7.8 Username":   "5.7.8",
		"5.7.139 Auth":     "5.7.139",
		"4.7.0":            "4.7.0",
		"Hello 5.7.8":      "",
		"3.1.1 x":          "",
		"5.7 x":            "",
		"5.7.1234 x":       "",
		"5.x.1 x":          "",
		"":                 "",
		"mail.example.com": "",
	} {
		if got := enhancedCode(in); got != want {
			t.Errorf("enhancedCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestChooseMech(t *testing.T) {
	tests := []struct {
		want    Mechanism
		offered []string
		tls     bool
		got     string
		err     bool
	}{
		{MechAuto, []string{"LOGIN", "PLAIN", "CRAM-MD5"}, true, "PLAIN", false},
		{MechAuto, []string{"LOGIN", "PLAIN", "CRAM-MD5"}, false, "CRAM-MD5", false},
		{MechAuto, []string{"LOGIN"}, true, "LOGIN", false},
		{MechAuto, []string{"XOAUTH2", "OAUTHBEARER"}, true, "", true},
		{MechXOAUTH2, []string{"XOAUTH2", "PLAIN"}, true, "XOAUTH2", false},
		{MechLogin, []string{"PLAIN"}, true, "", true},
		{"gssapi", []string{"GSSAPI"}, true, "", true},
	}
	for _, tt := range tests {
		got, err := chooseMech(tt.want, tt.offered, tt.tls)
		if got != tt.got || (err != nil) != tt.err {
			t.Errorf("chooseMech(%s, %q, %v) = %q, %v", tt.want, tt.offered, tt.tls, got, err)
		}
	}
}

func TestRedactedForms(t *testing.T) {
	const pass = "pa55word!"
	for _, m := range []saslMech{
		&plainMech{user: "u@x", pass: pass}, &loginMech{user: "u@x", pass: pass},
		&oauthMech{user: "u@x", token: pass}, &oauthMech{bearer: true, user: "u@x", token: pass},
	} {
		_, shown := m.start()
		if strings.Contains(shown, pass) || !strings.Contains(shown, "u@x") {
			t.Errorf("%s start shown %q", m.name(), shown)
		}
	}
	_, shown, _ := (&loginMech{user: "u@x", pass: pass, sentPass: false}).next([]byte("Password:"))
	if shown != "[redacted: password withheld]" {
		t.Errorf("login password shown %q", shown)
	}
}
