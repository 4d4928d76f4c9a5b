package report

// Palette is the ANSI colours a report is written in; the zero value
// writes plain text.
type Palette struct{ Red, Yellow, Green, Dim, Bold, Reset string }

// PaletteFor is the terminal palette when color is set, else plain text.
func PaletteFor(color bool) Palette {
	if !color {
		return Palette{}
	}
	return Palette{Red: "\x1b[31m", Yellow: "\x1b[33m", Green: "\x1b[32m", Dim: "\x1b[2m", Bold: "\x1b[1m", Reset: "\x1b[0m"}
}
