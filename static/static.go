// Package static holds the dashboard's CSS, JavaScript and icon, embedded in
// the binary. Every file is served under a content-hashed URL
// (/static/app.css?v=<hash>) so that browsers may keep it for a year and
// still pick up a new version the moment the binary changes; no font,
// script or style is ever fetched from another host.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed app.css app.js icon.svg
var files embed.FS

type asset struct {
	body        []byte
	hash        string
	contentType string
}

// contentTypes names the types of the files here; a fixed table rather
// than package mime, whose first use reads the system's MIME files.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// assets is computed once, on first use: the files never change while the
// binary runs, and the command-line probe, which links this package, never
// needs them at all.
var assets = sync.OnceValue(func() map[string]asset {
	m := map[string]asset{}
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic("static: read embedded files: " + err.Error())
	}
	for _, e := range entries {
		body, err := files.ReadFile(e.Name())
		if err != nil {
			panic("static: read " + e.Name() + ": " + err.Error())
		}
		sum := sha256.Sum256(body)
		ct := contentTypes[path.Ext(e.Name())]
		if ct == "" {
			ct = "application/octet-stream"
		}
		m[e.Name()] = asset{body: body, hash: hex.EncodeToString(sum[:6]), contentType: ct}
	}
	return m
})

// URL is the cache-busted address of an embedded file, for templates.
// An unknown name is a programming error and yields a URL that 404s.
func URL(name string) string {
	a, ok := assets()[name]
	if !ok {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + a.hash
}

// Size is the number of bytes of an embedded file (0 if unknown); tests use
// it to keep the page weight in check.
func Size(name string) int { return len(assets()[name].body) }

// Handler serves the embedded files. It expects the /static/ prefix to be
// stripped already. A request carrying the current hash gets a year-long
// immutable cache; any other gets revalidated, so an old page asking for a
// new file (or the reverse) never pins a stale copy.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		a, ok := assets()[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") == a.hash {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Header().Set("Content-Type", a.contentType)
		w.Header().Set("ETag", `"`+a.hash+`"`)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
	})
}
