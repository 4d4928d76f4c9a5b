package explain

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// replyStart finds where an SMTP reply begins inside an error message
// (submatch 1 starts with its code): a 4xx or 5xx code followed by a
// space or hyphen, a 2xx or 3xx before an enhanced code, or a 334 before
// base64 (a SASL challenge: the error challenge of an OAuth token, RFC
// 7628 §3.2.2, is what a client that gives up there reports); never part
// of a longer number.
var replyStart = regexp.MustCompile(`(?:^|[^0-9A-Za-z.])([45][0-9]{2}[ -]|[23][0-9]{2}[ -][245]\.|334[ -][A-Za-z0-9+/]{8})`)

// extractReply reads an SMTP reply quoted in an error message, with the
// message lines that continue it, into its code and lines. Messages join
// a reply's lines in many ways: real line ends, "\n" escapes, or nothing
// at all ("Learn more at535 5.7.8").
func extractReply(msg string, more []string) (int, []string, bool) {
	msg = strings.ReplaceAll(msg, `\r\n`, "\n")
	msg = strings.ReplaceAll(msg, `\n`, "\n")
	loc := replyStart.FindStringSubmatchIndex(msg)
	if loc == nil {
		return 0, nil, false
	}
	start := loc[2]
	code, _ := strconv.Atoi(msg[start : start+3])
	body := msg[start:]
	// The reply ends where the message's own syntax resumes: a closing
	// quote, a stack trace, a JSON or object field.
	for _, end := range []string{"\"\n", "\",", "\".", "\"}", "\" {", "')", "',", "' +", "\")", "\"]", "]\n", "\n    at ", "\n\tat ", "    at "} {
		if i := strings.Index(body, end); i > 0 {
			body = body[:i]
		}
	}
	body = strings.TrimRight(strings.TrimSpace(body), `"'.,;)]}`)
	var lines []string
	for _, l := range append(strings.Split(body, "\n"), more...) {
		l = strings.TrimSpace(strings.Trim(strings.TrimSpace(l), `'"+`))
		if l == "" {
			continue
		}
		c, _, text, ok := replyLine(l)
		switch {
		case ok && (c == code || len(lines) == 0):
			lines = append(lines, splitGlued(code, text)...)
		case len(lines) == 0:
			lines = append(lines, l)
		default:
			if len(more) > 0 {
				// A following message line that is not part of the reply.
				goto done
			}
			lines[len(lines)-1] += " " + l
		}
	}
done:
	if len(lines) == 0 {
		return 0, nil, false
	}
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return code, lines, true
}

// continuation is the lines after i that continue a reply quoted over
// several lines (each starting with the reply code).
func continuation(lines []string, i, code int) []string {
	var out []string
	c := strconv.Itoa(code)
	for _, l := range lines[i+1:] {
		t := strings.TrimSpace(strings.Trim(strings.TrimSpace(l), `'"+`))
		if !strings.HasPrefix(t, c+" ") && !strings.HasPrefix(t, c+"-") {
			break
		}
		out = append(out, t)
	}
	return out
}

// hostPort finds "host:port" (or "[v6]:port") in s.
var hostPortRe = regexp.MustCompile(`(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9]|[0-9.]+|::1)):([0-9]{2,5})\b`)

// Only a plausible server counts: an IP address, or a name with a dot
// whose last label is not a source file's extension ("record.c:332" and
// "email.go:76" in stack traces, "21:22:04" in times are not servers).
func hostPort(s string) (string, int) {
	for _, m := range hostPortRe.FindAllStringSubmatch(s, -1) {
		host := m[1]
		if host == "" {
			host = m[2]
		}
		port, _ := strconv.Atoi(m[3])
		if port < 1 || port > 65535 || !plausibleHost(host) {
			continue
		}
		return host, port
	}
	return "", 0
}

var sourceExtensions = map[string]bool{"c": true, "h": true, "cc": true, "cpp": true, "go": true, "js": true, "ts": true, "mjs": true,
	"py": true, "java": true, "kt": true, "php": true, "cs": true, "rb": true, "rs": true, "pl": true, "vb": true, "aspx": true}

func plausibleHost(h string) bool {
	if m := netipLike(h); m {
		return true
	}
	i := strings.LastIndexByte(h, '.')
	if i <= 0 || i == len(h)-1 {
		return false
	}
	last := strings.ToLower(h[i+1:])
	if sourceExtensions[last] {
		return false
	}
	for _, c := range last {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return len(last) >= 2
}

// netipLike reports an IPv4 or IPv6 address literal.
func netipLike(h string) bool {
	_, err := netip.ParseAddr(h)
	return err == nil
}

// containsFold reports whether s holds lower-case ASCII sub in any case,
// without the allocation of lowering s: a cheap test before a pattern.
func containsFold(s, sub string) bool {
	n := len(sub)
	first, firstUpper := sub[0], sub[0]
	if 'a' <= first && first <= 'z' {
		firstUpper = first - ('a' - 'A')
	}
	for i := 0; i+n <= len(s); i++ {
		if c := s[i]; c != first && c != firstUpper {
			continue
		}
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}
