package snippet

import (
	"fmt"
	"strings"
)

// text builds a snippet line by line.
type text struct{ b strings.Builder }

func (t *text) line(format string, args ...any) {
	fmt.Fprintf(&t.b, format, args...)
	t.b.WriteByte('\n')
}

func (t *text) String() string { return t.b.String() }

// The test message the runnable snippets send.
const (
	testSubject = "smtpdoctor test"
	testBody    = "Sent with the settings smtpdoctor found working."
)
