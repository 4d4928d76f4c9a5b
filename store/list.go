package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Filter selects attempts for List and Count. Zero fields do not filter.
type Filter struct {
	Host    string        // exact, case-insensitive
	Port    int           // only with Host in practice, but allowed alone
	Outcome probe.Outcome // success, warning, failure
	Code    string        // the primary diagnosis code
	Kind    probe.Kind    // probe, explain or monitor
	// Q is free text, matched case-insensitively as a substring of the
	// host, the user, the diagnosis code and title, and the server's reply
	// (migrations/0004_search_text.sql). It cannot use an index: the walk
	// goes newest first and stops when the page is full, so it is quick
	// when matches are common and walks the filter's whole range when they
	// are rare (2 to 3 seconds per million attempts in the window).
	Q            string
	Since, Until time.Time // Since inclusive, Until exclusive
	Limit        int       // page size: DefaultLimit if 0, at most MaxLimit
	Cursor       string    // Page.Next of the previous page; "" for the first
	// Exclude leaves out attempts of these servers (the dashboard's own
	// sandbox, say). Ignored when Host is set: a server asked for by name
	// is shown.
	Exclude []Target
}

// Target is one server, host and port.
type Target struct {
	Host string
	Port int
}

// Page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// ErrBadCursor is returned (wrapped) for a cursor this store did not make.
var ErrBadCursor = errors.New("store: bad cursor")

// Summary is one attempt as a history row shows it.
type Summary struct {
	ID         string         `json:"id"`
	StartedAt  time.Time      `json:"started_at"`
	Host       string         `json:"host"`
	Port       int            `json:"port"`
	Security   probe.Security `json:"security"`
	User       string         `json:"user,omitempty"`
	Status     probe.Status   `json:"status"`
	Outcome    probe.Outcome  `json:"outcome,omitempty"`
	Code       string         `json:"code,omitempty"`
	Kind       probe.Kind     `json:"kind"`
	Title      string         `json:"title,omitempty"`
	FailedStep string         `json:"failed_step,omitempty"`
	DurationMS int64          `json:"duration_ms"`
	// Reply is the first line of the failing reply (or the error when
	// there was no reply), for display; untrusted server text.
	Reply string `json:"reply,omitempty"`
}

// Page is one page of history, newest first. Next is the cursor for the
// following page, "" on the last one.
type Page struct {
	Attempts []Summary `json:"attempts"`
	Next     string    `json:"next,omitempty"`
}

// List returns one page of attempts matching f, newest first.
//
// Pages are keyset-paginated on (started_at, id): the cursor is the last
// row's key, and the next page starts strictly after it in that order. So
// attempts added while someone pages neither shift nor repeat rows, ties on
// the same millisecond are ordered by id, and every page, however deep, is
// an index range walk of LIMIT rows (OFFSET would walk all rows before it).
func (s *Store) List(ctx context.Context, f Filter) (Page, error) {
	viaIndex, err := s.searchIsRare(ctx, s.read, f.Q)
	if err != nil {
		return Page{}, fmt.Errorf("store: list attempts: %w", err)
	}
	q, args, limit, err := f.listQuery(s.d, viaIndex)
	if err != nil {
		return Page{}, err
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return Page{}, fmt.Errorf("store: list attempts: %w", err)
	}
	defer rows.Close()
	p := Page{Attempts: make([]Summary, 0, limit)}
	for rows.Next() {
		var a Summary
		var ms int64
		if err := rows.Scan(&a.ID, &ms, &a.Host, &a.Port, &a.Security, &a.User, &a.Status, &a.Outcome,
			&a.Code, &a.Title, &a.FailedStep, &a.DurationMS, &a.Reply, &a.Kind); err != nil {
			return Page{}, fmt.Errorf("store: list attempts: %w", err)
		}
		a.StartedAt = time.UnixMilli(ms).UTC()
		a.Reply, _, _ = strings.Cut(a.Reply, "\n")
		p.Attempts = append(p.Attempts, a)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("store: list attempts: %w", err)
	}
	if len(p.Attempts) > limit {
		p.Attempts = p.Attempts[:limit]
		last := p.Attempts[limit-1]
		p.Next = encodeCursor(last.StartedAt.UnixMilli(), last.ID)
	}
	return p, nil
}

// listQuery is List's SQL and arguments (fetching one row more than the
// page, to know whether there is a next), and the page size.
func (f Filter) listQuery(d dialect, viaIndex bool) (string, []any, int, error) {
	where, args, err := f.where(d, true, viaIndex)
	if err != nil {
		return "", nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	q := `SELECT id, started_at, host, port, security, username, status, outcome,
		code, title, failed_step, duration_ms, reply_text, kind
		FROM attempts` + where + `
		ORDER BY started_at DESC, id DESC LIMIT ?`
	return q, append(args, limit+1), limit, nil
}

// where builds the WHERE clause for f in dialect d; withCursor adds the
// keyset bound, viaIndex finds free text through SQLite's trigram index
// (see searchIsRare).
func (f Filter) where(d dialect, withCursor, viaIndex bool) (string, []any, error) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if f.Host != "" {
		add("host = ?", normHost(f.Host))
	}
	if f.Port != 0 {
		add("port = ?", f.Port)
	}
	if f.Outcome != "" {
		add("outcome = ?", string(f.Outcome))
	}
	if f.Code != "" {
		add("code = ?", f.Code)
	}
	if f.Host == "" {
		for _, t := range f.Exclude {
			add("NOT (host = ? AND port = ?)", normHost(t.Host), t.Port)
		}
	}
	if f.Kind != "" {
		add("kind = ?", string(f.Kind))
	}
	if !f.Since.IsZero() {
		add("started_at >= ?", f.Since.UnixMilli())
	}
	if !f.Until.IsZero() {
		add("started_at < ?", f.Until.UnixMilli())
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		// A literal substring test (no pattern characters to escape) on
		// the lower-cased search column; PostgreSQL spells it strpos().
		// Newlines separate the fields in search_text; a term never
		// holds one, so it cannot match across two fields.
		q = strings.ToLower(strings.ReplaceAll(q, "\n", " "))
		if d == dialectPostgres {
			// LIKE with the pattern characters escaped is the same
			// literal substring test, and the one a pg_trgm index
			// answers (migrations/postgres/0005_search_index.sql);
			// the planner chooses between it and a walk newest first.
			add(`search_text LIKE ?`, "%"+likeEscaper.Replace(q)+"%")
		} else if viaIndex {
			// The trigram index names the candidates
			// (migrations/0005_search_index.sql); instr confirms them.
			add("rowid IN (SELECT rowid FROM attempts_search WHERE attempts_search MATCH ?)", ftsPhrase(q))
		}
		if d == dialectSQLite {
			add("instr(search_text, ?) > 0", q)
		}
	}
	if withCursor && f.Cursor != "" {
		ms, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return "", nil, err
		}
		add("(started_at, id) < (?, ?)", ms, id)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// likeEscaper escapes LIKE's pattern characters with PostgreSQL's default
// escape character, the backslash.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// A cursor is "<started_at ms>.<id>" in unpadded URL-safe base64: opaque to
// clients, safe in a query string, and free to change form later.
func encodeCursor(ms int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(ms, 10) + "." + id))
}

func decodeCursor(c string) (int64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", fmt.Errorf("%w: %v", ErrBadCursor, err)
	}
	msText, id, ok := strings.Cut(string(b), ".")
	ms, err := strconv.ParseInt(msText, 10, 64)
	if !ok || err != nil || id == "" {
		return 0, "", ErrBadCursor
	}
	return ms, id, nil
}

// ftsPhrase turns a search term into an FTS5 query for the trigram index:
// three-character runs of the term, each quoted as a string of its own (so
// no character is read as query syntax; FTS5 doubles a quote inside one),
// all required. With detail='none' the index cannot match a longer phrase,
// so the runs are ANDed and instr() confirms their order. A long term uses
// sixteen runs spread over its whole length: the distinctive part of
// "mail3.example-6.org" is at its end.
func ftsPhrase(q string) string {
	r := []rune(q)
	n := len(r) - 2 // runs in the term
	if n < 1 {
		return ""
	}
	const most = 16
	picks := min(n, most)
	var parts []string
	for k := range picks {
		i := k
		if n > most {
			i = k * (n - 1) / (most - 1)
		}
		parts = append(parts, `"`+strings.ReplaceAll(string(r[i:i+3]), `"`, `""`)+`"`)
	}
	return strings.Join(parts, " AND ")
}

// rareSearch is how many candidate rows the trigram index may name for a
// search to go through it. Past that the term is common, and walking the
// attempts newest first finds a page of matches sooner than fetching and
// sorting every candidate.
const rareSearch = 20000

// searchIsRare reports whether free text q should be found through the
// trigram index (migrations/0005_search_index.sql): a term of three
// characters or more with fewer than rareSearch candidates. Counting them
// reads only the index, and stops at the bound.
func (s *Store) searchIsRare(ctx context.Context, q querier, text string) (bool, error) {
	if s.d != dialectSQLite {
		return false, nil // PostgreSQL's planner weighs its trigram index itself
	}
	text = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(text, "\n", " ")))
	if utf8.RuneCountInString(text) < 3 {
		return false, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT rowid FROM attempts_search
		WHERE attempts_search MATCH ? LIMIT ?)`, ftsPhrase(text), rareSearch).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("count search candidates: %w", err)
	}
	return n < rareSearch, nil
}
