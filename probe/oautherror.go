package probe

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// DecodeOAuthError reads the error challenge a server sends when it
// refuses an XOAUTH2 or OAUTHBEARER token (RFC 7628 §3.2.2): a JSON object
// such as {"status":"401","schemes":"bearer","scope":"..."}, decoded from
// the 334 line's base64. The server's words are untrusted: at most 20
// fields, each escaped and cut short, values passed through clean (which
// removes secrets the caller knows of). ok is false for anything but a
// JSON object.
func DecodeOAuthError(challenge []byte, clean func(string) string) (map[string]string, bool) {
	var raw map[string]any
	if err := json.Unmarshal(challenge, &raw); err != nil || len(raw) == 0 {
		return nil, false
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := map[string]string{}
	for _, k := range keys[:min(len(keys), 20)] {
		v := raw[k]
		val := fmt.Sprint(v)
		if s, ok := v.(string); ok {
			val = s
		}
		out[truncate(Escape(k), 64)] = truncate(clean(Escape(val)), 500)
	}
	return out, true
}

// OAuthErrorWords lists a decoded error challenge as key=value pairs in
// key order, for a note or an observation.
func OAuthErrorWords(e map[string]string) string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + e[k]
	}
	return strings.Join(parts, ", ")
}
