package probe

import (
	"strings"
	"testing"
)

func TestCheckSecret(t *testing.T) {
	for _, ok := range []string{"", "hunter2", "pässwörd with spaces", "ya29.a0AfH6SM-_~+/=", "emoji 😀"} {
		if err := CheckSecret(ok); err != nil {
			t.Errorf("CheckSecret(%q) = %v", ok, err)
		}
	}
	for in, want := range map[string]string{
		"pw\n":     "line break (LF) at position 3",
		"a\rb":     "carriage return (CR) at position 2",
		"\x00pw":   "NUL character at position 1",
		"pw\x1b[m": `\x1b at position 3`,
		"pw\x7f":   "DEL",
	} {
		err := CheckSecret(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckSecret(%q) = %v, want it to say %q", in, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("CheckSecret(%q) repeats the secret: %v", in, err)
		}
	}
}
