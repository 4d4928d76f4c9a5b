package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// useColor decides --color: "always", "never", or "auto" (anything else),
// which colours a terminal unless NO_COLOR is set or TERM is dumb.
func useColor(mode string, w io.Writer, e env) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	// https://no-color.org: any value of NO_COLOR turns colour off.
	if f, ok := w.(*os.File); ok && e.get("NO_COLOR") == "" && e.get("TERM") != "dumb" {
		return term.IsTerminal(int(f.Fd()))
	}
	return false
}
