package web

import (
	"fmt"
	"strconv"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// explainTarget is host:port as far as the pasted text named them.
func explainTarget(s probe.Settings) string {
	if s.Port == 0 {
		return s.Host
	}
	return target(s)
}

func fmtOptTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return fmtTime(t)
}

func shownNote(shown, total int) string {
	if total > shown {
		return fmt.Sprintf(", the first %d shown", shown)
	}
	return ""
}

// The histogram's geometry, in SVG user units: bars of histBar with a gap,
// histHeight tall.
const (
	histBar    = 10
	histGap    = 2
	histHeight = 100
)

func histViewBox(s *probe.LogSummary) string {
	return fmt.Sprintf("0 0 %d %d", len(s.Histogram)*(histBar+histGap), histHeight)
}

func histMax(s *probe.LogSummary) int {
	m := 0
	for _, b := range s.Histogram {
		m = max(m, b.Count)
	}
	return m
}

func histH(s *probe.LogSummary, n int) string {
	m := histMax(s)
	if m == 0 || n == 0 {
		return "0"
	}
	return strconv.Itoa(max(1, n*histHeight/m))
}

func histY(s *probe.LogSummary, n int) string {
	h, _ := strconv.Atoi(histH(s, n))
	return strconv.Itoa(histHeight - h)
}

func histX(i int) string   { return strconv.Itoa(i * (histBar + histGap)) }
func histBarWidth() string { return strconv.Itoa(histBar) }

// isExplained reports an explanation of pasted text, whose page reads
// differently: nothing was tested, something was read.
func isExplained(r probe.Result) bool { return r.Kind == probe.KindExplain }

// permalinkTitle is the permalink page's title: the server tested, or
// for an explanation, what the pasted text was about.
func permalinkTitle(r probe.Result) string {
	if !isExplained(r) {
		return "Test of " + target(r.Settings)
	}
	if r.Settings.Host != "" {
		return "Pasted text about " + explainTarget(r.Settings)
	}
	return "Explanation of pasted text"
}

// unrecognisedText is pasted text nothing could read: its verdict says
// all there is, and there is no failed step to show.
func unrecognisedText(r probe.Result) bool {
	return isExplained(r) && r.Failure != nil && r.Failure.Code == probe.CodeInputUnrecognized
}
