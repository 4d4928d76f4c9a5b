package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultPorts are the SMTP ports the dashboard probes unless widened:
// 25 (relay, RFC 5321), 465 (implicit TLS, RFC 8314), 587 (submission,
// RFC 6409) and 2525 (a common alternative).
var DefaultPorts = PortSet{{25, 25}, {465, 465}, {587, 587}, {2525, 2525}}

// PortSet is a set of TCP ports as inclusive ranges. The zero value means
// DefaultPorts.
type PortSet [][2]int

// ParsePortSet reads "25,465,587,2525" or "1-65535" or a mix.
func ParsePortSet(s string) (PortSet, error) {
	var ps PortSet
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil || a < 1 || a > 65535 {
			return nil, fmt.Errorf("port %q: want a number from 1 to 65535", lo)
		}
		b := a
		if isRange {
			b, err = strconv.Atoi(strings.TrimSpace(hi))
			if err != nil || b < a || b > 65535 {
				return nil, fmt.Errorf("port range %q: want LOW-HIGH within 1-65535", part)
			}
		}
		ps = append(ps, [2]int{a, b})
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("no ports in %q", s)
	}
	return ps, nil
}

// Contains reports whether port is in the set.
func (ps PortSet) Contains(port int) bool {
	if len(ps) == 0 {
		ps = DefaultPorts
	}
	for _, r := range ps {
		if port >= r[0] && port <= r[1] {
			return true
		}
	}
	return false
}

func (ps PortSet) String() string {
	if len(ps) == 0 {
		ps = DefaultPorts
	}
	var parts []string
	for _, r := range ps {
		if r[0] == r[1] {
			parts = append(parts, strconv.Itoa(r[0]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", r[0], r[1]))
		}
	}
	return strings.Join(parts, ",")
}
