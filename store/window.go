package store

import (
	"math"
	"time"
)

// dayMS is one UTC day in milliseconds: the unit of the daily_* tables
// (migrations/0002_daily_counts.sql), whose day column is started_at / dayMS.
const dayMS = 24 * 60 * 60 * 1000

// window is a time range [since, until) split for the daily tables: the
// whole days inside it, read from daily_*, and the partial days at its
// edges, counted from attempts (at most a day of rows each).
type window struct {
	fromDay, toDay int64      // whole days [fromDay, toDay); unbounded ends are MinInt64/MaxInt64
	edges          [][2]int64 // started_at ranges [a, b) outside those days
}

// splitWindow splits [since, until), a zero time meaning unbounded. ok is
// false when the daily tables cannot help: a bound before 1970 (where SQL's
// truncating division and days disagree), or a window inside one day.
func splitWindow(since, until time.Time) (w window, ok bool) {
	w.fromDay, w.toDay = math.MinInt64, math.MaxInt64
	if !since.IsZero() {
		lo := since.UnixMilli()
		if lo < 0 {
			return w, false
		}
		w.fromDay = (lo + dayMS - 1) / dayMS
		if lo < w.fromDay*dayMS {
			w.edges = append(w.edges, [2]int64{lo, w.fromDay * dayMS})
		}
	}
	if !until.IsZero() {
		hi := until.UnixMilli()
		if hi < 0 {
			return w, false
		}
		w.toDay = hi / dayMS
		if w.toDay*dayMS < hi {
			w.edges = append(w.edges, [2]int64{w.toDay * dayMS, hi})
		}
	}
	if w.fromDay >= w.toDay {
		return w, false
	}
	return w, true
}

// edgeFilter is f restricted to one edge range.
func edgeFilter(f Filter, e [2]int64) Filter {
	f.Since, f.Until = time.UnixMilli(e[0]), time.UnixMilli(e[1])
	return f
}
