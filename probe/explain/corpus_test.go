package explain

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
)

// corpusCase is one real pasted text from a public source, with what it
// must be read as. The file starts with "# key: value" lines, then "--",
// then the text as it was pasted.
type corpusCase struct {
	name, source, format string
	expect               probe.Code
	secrets, findings    []string
	// settings is "host:port security user" as the text reveals them,
	// when the file says.
	settings string
	text     string
}

func loadCorpus(t *testing.T) []corpusCase {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusCase
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		head, text, ok := strings.Cut(string(raw), "\n--\n")
		if !ok {
			t.Fatalf("%s: no \"--\" line between the header and the text", f)
		}
		c := corpusCase{name: strings.TrimSuffix(filepath.Base(f), ".txt"), text: text}
		for _, l := range strings.Split(head, "\n") {
			k, v, _ := strings.Cut(strings.TrimPrefix(l, "# "), ": ")
			switch k {
			case "source":
				c.source = v
			case "format":
				c.format = v
			case "expect":
				c.expect = probe.Code(v)
			case "secret":
				c.secrets = append(c.secrets, v)
			case "finding":
				c.findings = append(c.findings, v)
			case "settings":
				c.settings = v
			}
		}
		if !strings.HasPrefix(c.source, "https://") || c.format == "" || !probe.KnownCode(string(c.expect)) {
			t.Fatalf("%s: header needs a source URL, a format and a known expected code (got %q %q %q)", f, c.source, c.format, c.expect)
		}
		out = append(out, c)
	}
	return out
}

// TestCorpus reads every pasted text of the corpus and checks the format
// that read it, the diagnosis, the findings it must carry, and that none
// of its secrets survive anywhere in the result.
func TestCorpus(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	cases := loadCorpus(t)
	if len(cases) < 60 {
		t.Errorf("the corpus has %d texts; it should have at least 60", len(cases))
	}
	formatsSeen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, used := explain(c.text, now)
			formatsSeen[c.format] = true
			if !slices.Contains(used, c.format) {
				t.Errorf("read by %v, want %s", used, c.format)
			}
			if res.Diagnosis == nil || res.Diagnosis.Code != c.expect {
				t.Errorf("diagnosis %v, want %s\n%s", code(res), c.expect, dump(res))
			}
			if st := res.Settings; c.settings != "" {
				if got := fmt.Sprintf("%s:%d %s %s", st.Host, st.Port, st.Security, st.User); got != c.settings {
					t.Errorf("settings %q, want %q", got, c.settings)
				}
			}
			for _, f := range c.findings {
				if !slices.ContainsFunc(res.Findings, func(x probe.Finding) bool { return string(x.Code) == f }) {
					t.Errorf("finding %s missing; findings %v", f, res.Findings)
				}
			}
			js, _ := json.Marshal(res)
			// Saving diagnoses again (the lifecycle does): same answer.
			var again probe.Result
			if err := json.Unmarshal(js, &again); err != nil {
				t.Fatal(err)
			}
			diagnosis.Diagnose(&again)
			if code(again) != code(res) || len(again.Findings) != len(res.Findings) || again.Outcome != res.Outcome {
				t.Errorf("diagnosing again gave %s %v %d findings, first %s %v %d findings", code(again), again.Outcome, len(again.Findings), code(res), res.Outcome, len(res.Findings))
			}
			for _, s := range c.secrets {
				if strings.Contains(string(js), s) {
					t.Errorf("secret %q survived in the result JSON", s)
				}
			}
		})
	}
	for _, f := range formats {
		if !formatsSeen[f.Name] {
			t.Errorf("no corpus text for format %s (%s)", f.Name, f.Title)
		}
	}
}

func code(r probe.Result) probe.Code {
	if r.Diagnosis == nil {
		return ""
	}
	return r.Diagnosis.Code
}

func dump(r probe.Result) string {
	b, _ := json.MarshalIndent(struct {
		Failure  *probe.Failure
		Settings probe.Settings
		Findings []probe.Finding
	}{r.Failure, r.Settings, r.Findings}, "", "  ")
	return string(b)
}
