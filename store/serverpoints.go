package store

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// unpackPoints reads a timeline packed by the triggers of
// migrations/0012_server_summary.sql, oldest first: points separated by
// ' ', each started_at,id,status,outcome,code with the texts in hex, so
// that no value can hold a separator. It keeps the points that started
// since the given time (the summary holds at most TimelineLength: trimmed
// on write on SQLite, rebuilt with a LIMIT on PostgreSQL).
func unpackPoints(packed string, since time.Time) ([]TimelinePoint, error) {
	from := since.UnixMilli()
	out := make([]TimelinePoint, 0, TimelineLength)
	for pt := range strings.SplitSeq(packed, " ") {
		var f [5]string
		rest := pt
		for i := range f {
			var ok bool
			if i == len(f)-1 {
				f[i], ok = rest, !strings.Contains(rest, ",")
			} else {
				f[i], rest, ok = strings.Cut(rest, ",")
			}
			if !ok {
				return nil, fmt.Errorf("point %q: want 5 fields", pt)
			}
		}
		ms, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("point %q: time: %w", pt, err)
		}
		if ms < from {
			continue
		}
		var texts [4]string
		for i := range texts {
			b, err := hex.DecodeString(f[i+1])
			if err != nil {
				return nil, fmt.Errorf("point %q: %w", pt, err)
			}
			texts[i] = string(b)
		}
		out = append(out, TimelinePoint{ID: texts[0], At: time.UnixMilli(ms).UTC(),
			Status: probe.Status(texts[1]), Outcome: probe.Outcome(texts[2]), Code: texts[3]})
	}
	return out, nil
}
