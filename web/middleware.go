package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"time"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5/middleware"
	"golang.org/x/crypto/bcrypt"
)

type ctxKey int

const requestIDKey ctxKey = iota

// requestID gives every request a short random id, in the context, the
// logs and the X-Request-Id response header, so a user reporting an error
// page can be matched to the log line. An incoming id is not trusted.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [9]byte
		rand.Read(b[:])
		id := base64.RawURLEncoding.EncodeToString(b[:])
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

func reqID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// accessLog writes one structured line per request. The query string is
// left out: it holds nothing secret today, but filters may hold addresses
// and there is no need to keep them.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		s.log.LogAttrs(r.Context(), levelFor(ww.Status()), "http request",
			slog.String("request_id", reqID(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", ww.Status()),
			slog.Int("bytes", ww.BytesWritten()),
			slog.Duration("duration", time.Since(start)),
			slog.String("client", middleware.GetClientIP(r.Context())),
		)
	})
}

// securityHeaders sets the headers every response carries, and a fresh CSP
// nonce per request that templ puts on our own <script> tags: no inline
// script or style runs that we did not write, nothing loads from another
// host, the page cannot be framed, and links leak no permalink in a
// Referer.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [18]byte
		rand.Read(b[:])
		nonce := base64.StdEncoding.EncodeToString(b[:])
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'nonce-"+nonce+"'; style-src 'self'; "+
			"img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r.WithContext(templ.WithNonce(r.Context(), nonce)))
	})
}

// maxBody bounds every request body. A body announced as too large is
// refused at once with 413; one that grows past the bound mid-read fails
// the read (http.MaxBytesReader), which the handlers turn into 413 too.
const maxBody = 64 << 10

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bound := int64(maxBody)
		if r.Method == http.MethodPost && (r.URL.Path == "/explain" || r.URL.Path == "/api/v1/explain") {
			// Pasted text: a log of up to explain.MaxInput, encoded.
			bound = maxExplainBody
		}
		if r.ContentLength > bound {
			w.Header().Set("Connection", "close")
			http.Error(w, fmt.Sprintf("request body too large (at most %d KiB)", bound>>10), http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, bound)
		next.ServeHTTP(w, r)
	})
}

// isTooLarge reports whether a body read failed on the size bound.
func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// authenticator decides whether a request is signed in. With neither basic
// auth nor a trusted header configured, everyone is.
type authenticator struct {
	user       string
	hash       []byte
	header     string
	userDigest [32]byte
	// proxies are the peers whose header is believed: anyone else could
	// send it and sign themselves in.
	proxies []netip.Prefix
}

func (a *authenticator) enabled() bool { return a.user != "" || a.header != "" }

func (a *authenticator) ok(r *http.Request) bool {
	if a.header != "" && r.Header.Get(a.header) != "" && a.fromProxy(r) {
		return true
	}
	if a.user == "" {
		return false
	}
	u, p, found := r.BasicAuth()
	if !found {
		return false
	}
	ud := sha256.Sum256([]byte(u))
	userOK := subtle.ConstantTimeCompare(ud[:], a.userDigest[:]) == 1
	// Always pay for bcrypt, so a wrong user name takes as long as a
	// wrong password.
	passOK := bcrypt.CompareHashAndPassword(a.hash, []byte(p)) == nil
	return userOK && passOK
}

// requireAuth refuses requests that are not signed in. Basic auth answers
// with a challenge; behind a trusted proxy a plain 401 suffices.
func (a *authenticator) requireAuth(next http.Handler) http.Handler {
	if !a.enabled() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.ok(r) {
			if a.user != "" {
				w.Header().Set("WWW-Authenticate", `Basic realm="smtpdoctor", charset="UTF-8"`)
			}
			http.Error(w, "sign-in required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// fromProxy reports whether the TCP peer is one of the trusted proxies.
func (a *authenticator) fromProxy(r *http.Request) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	peer := ap.Addr().Unmap()
	return slices.ContainsFunc(a.proxies, func(p netip.Prefix) bool { return p.Contains(peer) })
}

func newAuthenticator(cfg Config) *authenticator {
	a := &authenticator{user: cfg.BasicUser, hash: []byte(cfg.BasicHash), header: cfg.TrustedUserHeader, proxies: cfg.TrustedProxies}
	a.userDigest = sha256.Sum256([]byte(cfg.BasicUser))
	return a
}
