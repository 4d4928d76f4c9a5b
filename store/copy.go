package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
)

// Copying one store into another (smtpdoctor migrate-db): from a SQLite
// file into PostgreSQL when a team outgrows one machine, or back.
//
// Rows are copied as stored: the document bytes (and, for tables that hold
// them, encrypted credentials) are neither decoded nor re-encrypted, so a
// ciphertext arrives exactly as it left and the same key reads it. Every
// row is an upsert keyed by its primary key, so a copy that stopped
// halfway, or one run again after more history arrived, converges on the
// source. The target's triggers keep its per-day counts.

// TableCopy is what copying one table did and found.
type TableCopy struct {
	Table string `json:"table"`
	// Copied is how many source rows were written to the target.
	Copied int64 `json:"copied"`
	// Source and Target are each side's row count and checksum once the
	// copy ended: SHA-256 over every row's columns, in primary key order.
	Source, Target Digest
}

// Digest is a table's row count and checksum.
type Digest struct {
	Rows     int64  `json:"rows"`
	Checksum string `json:"checksum"`
}

// Match reports whether the target holds exactly what the source holds.
func (c TableCopy) Match() bool { return c.Source == c.Target }

// copyBatch is how many rows one read and one write transaction carry.
const copyBatch = 1000

// CopyTo copies every attempt of s into dst, then the monitors with their
// sealed secrets, runs and delivery log when the source has them (see
// the comment above and copytables.go), and compares both sides, table by
// table. progress, if not nil, is
// called after each batch with the table and the rows copied so far.
// Attempts unfinished in the source are copied with no owner, so the
// target's replicas mark them interrupted: the process running them is not
// one of the target's.
func (s *Store) CopyTo(ctx context.Context, dst *Store, progress func(table string, copied int64)) ([]TableCopy, error) {
	c := TableCopy{Table: "attempts"}
	after := ""
	for {
		rows, err := s.attemptRows(ctx, after, copyBatch)
		if err != nil {
			return nil, fmt.Errorf("store: copy attempts: read: %w", err)
		}
		if len(rows) == 0 {
			break
		}
		if err := dst.upsertRows(ctx, rows); err != nil {
			return nil, fmt.Errorf("store: copy attempts: write: %w", err)
		}
		c.Copied += int64(len(rows))
		after = rows[len(rows)-1].id
		if progress != nil {
			progress(c.Table, c.Copied)
		}
	}
	var err error
	if c.Source, err = s.attemptsDigest(ctx); err != nil {
		return nil, fmt.Errorf("store: checksum the source: %w", err)
	}
	if c.Target, err = dst.attemptsDigest(ctx); err != nil {
		return nil, fmt.Errorf("store: checksum the target: %w", err)
	}
	out := []TableCopy{c}
	for _, t := range copiedTables {
		tc, ok, err := s.copyTable(ctx, dst, t.name, t.key)
		if err != nil {
			return out, fmt.Errorf("store: copy %s: %w", t.name, err)
		}
		if ok {
			out = append(out, tc)
			if progress != nil {
				progress(tc.Table, tc.Copied)
			}
		}
	}
	return out, nil
}

// copiedColumns are the columns a copy reads and compares: all but owner,
// which names a replica of the source (see CopyTo).
const copiedColumns = `id, started_at, host, port, security, username, status, outcome,
	code, title, failed_step, reply_text, search_text, duration_ms, doc, kind, monitor_id`

// attemptRows reads up to n attempts whose id sorts after the given one,
// in id order, as stored.
func (s *Store) attemptRows(ctx context.Context, after string, n int) ([]row, error) {
	rs, err := s.read.QueryContext(ctx, `SELECT `+copiedColumns+` FROM attempts
		WHERE id > ? ORDER BY id LIMIT ?`, after, n)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		var w row
		if err := rs.Scan(&w.id, &w.startedAt, &w.host, &w.port, &w.security, &w.user, &w.status, &w.outcome,
			&w.code, &w.title, &w.failedStep, &w.replyText, &w.searchText, &w.durationMS, &w.doc, &w.kind, &w.monitorID); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rs.Err()
}

// upsertRows writes rows as they are, replacing any with the same id, in
// one transaction.
func (s *Store) upsertRows(ctx context.Context, rows []row) error {
	t, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer t.Rollback()
	for i := range rows {
		rows[i].owner = "" // see CopyTo
	}
	if err := insertRows(ctx, t, rows, replaceOnConflict); err != nil {
		return err
	}
	return t.Commit()
}

// attemptsDigest counts and checksums every attempt, in id order (the
// same order on both back ends: ids compare byte by byte on each).
func (s *Store) attemptsDigest(ctx context.Context) (Digest, error) {
	var d Digest
	h := sha256.New()
	after := ""
	for {
		rows, err := s.attemptRows(ctx, after, 5000)
		if err != nil {
			return d, err
		}
		if len(rows) == 0 {
			break
		}
		for _, w := range rows {
			hashRow(h, w)
		}
		d.Rows += int64(len(rows))
		after = rows[len(rows)-1].id
	}
	d.Checksum = hex.EncodeToString(h.Sum(nil))
	return d, nil
}

// hashRow feeds every copied column to h, each length-prefixed so that no
// two different rows hash alike.
func hashRow(h hash.Hash, w row) {
	var n [8]byte
	put := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	num := func(v int64) {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		h.Write(n[:])
	}
	for _, v := range []string{w.id, w.host, w.security, w.user, w.status, w.outcome, w.code,
		w.title, w.failedStep, w.replyText, w.searchText, w.kind, w.monitorID} {
		put([]byte(v))
	}
	num(w.startedAt)
	num(int64(w.port))
	num(w.durationMS)
	put(w.doc)
}
