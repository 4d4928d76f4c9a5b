package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

type apiError struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
}

// writeJSON answers with v as compact JSON: the API is for scripts (and
// jq), and indenting was a visible share of the API's CPU under load.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONIndent(w, status, v, "")
}

// writeJSONIndent is writeJSON with an indent, for files people open.
func writeJSONIndent(w http.ResponseWriter, status int, v any, indent string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", indent)
	enc.Encode(v)
}

// wantsJSON is true for the API and the .json exports, whose errors are
// JSON too.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasSuffix(r.URL.Path, ".json")
}

func queryEscape(s string) string { return url.QueryEscape(s) }
