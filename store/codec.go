package store

import (
	"bytes"
	"cmp"
	"compress/flate"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// The document column holds one format byte, then the payload. The byte lets
// a later version change the encoding (another dictionary, zstd) without
// rewriting old rows: decodeDoc keeps reading every format ever written.
const (
	docDeflateDictV1 byte = 1 // raw DEFLATE (RFC 1951) of the Result's JSON, preset dictionary dictV1
	docJSON          byte = 2 // the Result's JSON as is
)

// smallDoc is the JSON size below which a document is stored as is: a
// just-created attempt (settings, status, no transcript yet) is a few
// hundred bytes, where resetting a compressor costs more than it saves.
const smallDoc = 512

// A flate.Writer allocates about 1 MB of tables: reuse them.
var (
	flateWriters = sync.Pool{New: func() any {
		w, _ := flate.NewWriterDict(nil, flate.BestCompression, dictV1)
		return w
	}}
	flateReaders = sync.Pool{New: func() any { return flate.NewReaderDict(nil, dictV1) }}
)

// encodeDoc turns a Result into the document column.
func encodeDoc(r probe.Result) ([]byte, error) {
	js, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	if len(js) < smallDoc {
		return append([]byte{docJSON}, js...), nil
	}
	var buf bytes.Buffer
	buf.Grow(len(js)/3 + 16)
	buf.WriteByte(docDeflateDictV1)
	w := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(w)
	w.Reset(&buf) // keeps the level and the dictionary
	if _, err := w.Write(js); err != nil {
		return nil, fmt.Errorf("compress result: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("compress result: %w", err)
	}
	return buf.Bytes(), nil
}

// decodeDoc turns the document column back into a Result. Documents
// written before results had a kind are probes.
func decodeDoc(doc []byte) (probe.Result, error) {
	r, err := decodeDocAsIs(doc)
	if err == nil && r.Kind == "" {
		r.Kind = probe.KindProbe
	}
	return r, err
}

func decodeDocAsIs(doc []byte) (probe.Result, error) {
	var r probe.Result
	if len(doc) > 0 && doc[0] == docJSON {
		if err := json.Unmarshal(doc[1:], &r); err != nil {
			return r, fmt.Errorf("decode result: %w", err)
		}
		return r, nil
	}
	if len(doc) == 0 || doc[0] != docDeflateDictV1 {
		return r, fmt.Errorf("decode result: unknown document format")
	}
	fr := flateReaders.Get().(io.ReadCloser)
	defer flateReaders.Put(fr)
	if err := fr.(flate.Resetter).Reset(bytes.NewReader(doc[1:]), dictV1); err != nil {
		return r, fmt.Errorf("decode result: %w", err)
	}
	js, err := io.ReadAll(fr)
	if err != nil {
		return r, fmt.Errorf("decode result: decompress: %w", err)
	}
	if err := json.Unmarshal(js, &r); err != nil {
		return r, fmt.Errorf("decode result: %w", err)
	}
	return r, nil
}

// maxReplyText bounds the reply_text column: enough for any real multi-line
// reply, small enough that a hostile server cannot bloat the index-free
// summary every history page reads.
const maxReplyText = 1024

// row is the summary columns of one attempt, copied out of the Result.
type row struct {
	id, host, security, user, status, outcome string
	code, title, failedStep, replyText        string
	searchText                                string
	owner                                     string // the replica writing it; see replicas.go
	kind, monitorID                           string
	startedAt, durationMS                     int64
	port                                      int
	doc                                       []byte
}

// toRow builds the summary columns and the document for r.
func toRow(r probe.Result) (row, error) {
	doc, err := encodeDoc(r)
	if err != nil {
		return row{}, err
	}
	w := row{
		id:         r.ID,
		startedAt:  r.StartedAt.UnixMilli(),
		host:       normHost(r.Settings.Host),
		port:       r.Settings.Port,
		security:   string(r.Settings.Security),
		user:       r.Settings.User,
		status:     string(r.Status),
		outcome:    string(r.Outcome),
		durationMS: r.DurationMS,
		monitorID:  r.MonitorID,
		doc:        doc,
		kind:       string(cmp.Or(r.Kind, probe.KindProbe)),
	}
	if d := r.Diagnosis; d != nil {
		w.code, w.title = string(d.Code), d.Title
	}
	if f := r.Failure; f != nil {
		w.failedStep = f.Step
		w.replyText = replyText(f)
	}
	w.searchText = searchText(w.host, w.user, w.code, w.title, w.replyText)
	return w, nil
}

// replyText is what the server said when things failed: every line of the
// reply, or, when there was no reply (a refused connection, a handshake
// error), the error itself.
//
// The reply starts with its basic code ("535 5.7.8 …"), as the server
// sent it: people search for "535" or "554" as often as for "5.7.8", and a
// reply read without its code loses half its meaning.
func replyText(f *probe.Failure) string {
	s := strings.Join(f.Lines, "\n")
	if s == "" {
		s = f.Err
	} else if f.Reply != 0 {
		s = strconv.Itoa(f.Reply) + " " + s
	}
	return truncate(s, maxReplyText)
}

// searchText is what Filter.Q looks in: the fields joined by newlines
// (terms are searched without newlines, so never across two fields; reply
// lines are newline-separated too), lower-cased here because Go folds
// all of Unicode the same everywhere, where SQLite's lower() folds only
// ASCII and PostgreSQL's depends on the database's locale.
func searchText(fields ...string) string {
	return strings.ToLower(strings.Join(fields, "\n"))
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// normHost is the form hosts are stored and filtered in: DNS names are
// case-insensitive, so "SMTP.Gmail.com" and "smtp.gmail.com" are one server.
func normHost(h string) string {
	return strings.ToLower(strings.TrimSpace(h))
}
