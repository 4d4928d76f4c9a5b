package diagnosis

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// corpusEntry is one real reply from testdata/replies.txt (its header
// describes the format) and what the diagnosis must make of it.
type corpusEntry struct {
	ID, Class, Source string
	Line              int // where the entry starts in the file
	Host              string
	Banner            []string // greeting lines, without "220 "
	Cert              string   // the name the server's certificate is for
	TLS               string   // "starttls", "none" or "implicit"
	User, From        string   // User "" means no login is tried
	Mech              string   // the AUTH mechanism the user chose; "" = auto
	Step              string
	Want              string
	Provider          string // "" no check, "-" none, otherwise a key
	Reply             []string
}

// corpusClasses are the kinds of failure the corpus must cover, each with
// real replies.
var corpusClasses = []string{
	"provider", "tls-words", "policy", "after-data", "not-logged-in",
	"too-many", "mislabel", "intercepted", "generic",
}

// corpusSteps are the steps at which a reply can be replayed.
var corpusSteps = []string{"greeting", "ehlo", "tls", "starttls", "auth", "mail", "rcpt", "data"}

// readCorpus parses the corpus file. Every mistake in it is an error that
// names the line, so that a bad entry cannot silently test nothing.
func readCorpus(path string) ([]corpusEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("corpus: open: %w", err)
	}
	defer f.Close()
	var (
		out  []corpusEntry
		cur  *corpusEntry
		n    int
		errs []string
	)
	flush := func() {
		if cur == nil {
			return
		}
		if err := cur.complete(); err != nil {
			errs = append(errs, fmt.Sprintf("line %d (%s): %v", cur.Line, cur.ID, err))
		}
		out = append(out, *cur)
		cur = nil
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "#"):
			continue
		case strings.TrimSpace(line) == "":
			flush()
			continue
		}
		if cur == nil {
			cur = &corpusEntry{Line: n, User: "alice@example.com"}
		}
		if isReplyLine(line) {
			cur.Reply = append(cur.Reply, line)
			continue
		}
		if len(cur.Reply) > 0 {
			errs = append(errs, fmt.Sprintf("line %d: header %q after the reply lines", n, line))
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			errs = append(errs, fmt.Sprintf("line %d: %q is neither a reply line nor \"key: value\"", n, line))
			continue
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(key) {
		case "id":
			cur.ID = val
		case "class":
			cur.Class = val
		case "source":
			cur.Source = val
		case "host":
			cur.Host = val
		case "banner":
			cur.Banner = append(cur.Banner, val)
		case "cert":
			cur.Cert = val
		case "tls":
			cur.TLS = val
		case "user":
			cur.User = val
		case "from":
			cur.From = val
		case "mech":
			cur.Mech = val
		case "step":
			cur.Step = val
		case "want":
			cur.Want = val
		case "provider":
			cur.Provider = val
		default:
			errs = append(errs, fmt.Sprintf("line %d: unknown key %q", n, key))
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("corpus: read: %w", err)
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("corpus %s:\n%s", path, strings.Join(errs, "\n"))
	}
	return out, nil
}

// isReplyLine is "NNN", "NNN text" or "NNN-text" with a 2xx-5xx code.
func isReplyLine(s string) bool {
	if len(s) < 3 || s[0] < '2' || s[0] > '5' {
		return false
	}
	if _, err := strconv.Atoi(s[:3]); err != nil {
		return false
	}
	return len(s) == 3 || s[3] == ' ' || s[3] == '-'
}

// complete fills in defaults and checks the entry.
func (e *corpusEntry) complete() error {
	if e.Host == "" {
		e.Host = "mail.example.com"
	}
	if e.Cert == "" {
		e.Cert = e.Host
	}
	if e.TLS == "" {
		e.TLS = "starttls"
	}
	if e.User == "-" {
		e.User = ""
	}
	if e.From == "" {
		e.From = "alice@example.com"
		if strings.Contains(e.User, "@") {
			e.From = e.User
		}
	}
	var problems []string
	need := func(name, v string) {
		if v == "" {
			problems = append(problems, "no "+name)
		}
	}
	need("id", e.ID)
	need("class", e.Class)
	need("source", e.Source)
	need("step", e.Step)
	need("want", e.Want)
	if e.Source != "" && !strings.HasPrefix(e.Source, "https://") {
		problems = append(problems, "the source is not an https URL")
	}
	if !contains(corpusClasses, e.Class) {
		problems = append(problems, fmt.Sprintf("unknown class %q", e.Class))
	}
	if !contains(corpusSteps, e.Step) {
		problems = append(problems, fmt.Sprintf("unknown step %q", e.Step))
	}
	if !contains([]string{"starttls", "none", "implicit"}, e.TLS) {
		problems = append(problems, fmt.Sprintf("unknown tls %q", e.TLS))
	}
	if len(e.Reply) == 0 && e.Step != "tls" && e.Step != "starttls" {
		problems = append(problems, "no reply lines")
	}
	if e.Step == "auth" && e.User == "" {
		problems = append(problems, "a reply at auth needs a username")
	}
	for i, l := range e.Reply {
		if l[:3] != e.Reply[0][:3] {
			problems = append(problems, "reply lines with different codes")
		}
		last := i == len(e.Reply)-1
		if len(l) > 3 && (l[3] == '-') == last {
			problems = append(problems, fmt.Sprintf("reply line %d: only the last line has a space after the code", i+1))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// replyCode is the entry's three-digit reply code, 0 when it has none.
func (e *corpusEntry) replyCode() int {
	if len(e.Reply) == 0 {
		return 0
	}
	c, _ := strconv.Atoi(e.Reply[0][:3])
	return c
}
