package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"strings"
)

// The tables besides attempts that a copy carries, in an order that
// respects their references (a monitor before its secrets). key is the
// primary key; a table without one (the delivery log) counts a row as
// present when one equal in every column is. A table the source does not
// have (an older schema) is skipped.
var copiedTables = []struct {
	name string
	key  []string
}{
	{"monitors", []string{"id"}},
	{"monitor_secrets", []string{"monitor_id", "slot"}},
	{"monitor_runs", []string{"monitor", "at"}},
	{"monitor_hours", []string{"monitor", "hour"}},
	{"monitor_days", []string{"monitor", "day"}},
	{"alert_deliveries", nil},
}

// hasTable reports whether the database has a table of that name.
func (s *Store) hasTable(ctx context.Context, name string) (bool, error) {
	q := `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`
	if s.d == dialectPostgres {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`
	}
	var n int
	if err := s.read.QueryRowContext(ctx, q, name).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}

// copyTable copies one table of s into dst, rows as stored, upserting by
// the key, and returns what it did and found. Its rows are read whole: the
// tables copied this way are small next to attempts.
func (s *Store) copyTable(ctx context.Context, dst *Store, name string, key []string) (TableCopy, bool, error) {
	c := TableCopy{Table: name}
	if ok, err := s.hasTable(ctx, name); err != nil || !ok {
		return c, false, err
	}
	if ok, err := dst.hasTable(ctx, name); err != nil {
		return c, false, err
	} else if !ok {
		return c, false, fmt.Errorf("the target has no table %s: open it with this smtpdoctor first (migrate-db migrates it), or use a newer one", name)
	}
	cols, rows, err := s.tableRows(ctx, name, key)
	if err != nil {
		return c, false, err
	}
	if err := dst.upsertTableRows(ctx, name, key, cols, rows); err != nil {
		return c, false, err
	}
	c.Copied = int64(len(rows))
	if c.Source, err = s.tableDigest(ctx, name, key); err != nil {
		return c, false, err
	}
	if c.Target, err = dst.tableDigest(ctx, name, key); err != nil {
		return c, false, err
	}
	return c, true, nil
}

// tableRows reads every row of a table, its columns in the table's order,
// sorted by the key (or by every column when it has none).
func (s *Store) tableRows(ctx context.Context, name string, key []string) ([]string, [][]any, error) {
	probe, err := s.read.QueryContext(ctx, `SELECT * FROM `+name+` WHERE 1 = 0`)
	if err != nil {
		return nil, nil, err
	}
	cols, err := probe.Columns()
	probe.Close()
	if err != nil {
		return nil, nil, err
	}
	order := key
	if len(order) == 0 {
		order = cols
	}
	rs, err := s.read.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+name+` ORDER BY `+strings.Join(order, ", "))
	if err != nil {
		return nil, nil, err
	}
	defer rs.Close()
	var out [][]any
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = append([]byte(nil), b...) // the driver may reuse it
			}
		}
		out = append(out, vals)
	}
	return cols, out, rs.Err()
}

// upsertTableRows writes rows into a table in one transaction: replacing
// the row with the same key, or, without a key, adding a row unless an
// equal one is there.
func (s *Store) upsertTableRows(ctx context.Context, name string, key, cols []string, rows [][]any) error {
	t, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer t.Rollback()
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	insert := `INSERT INTO ` + name + ` (` + strings.Join(cols, ", ") + `) VALUES (` + marks + `)`
	if len(key) > 0 {
		var set []string
		for _, c := range cols {
			if !contains(key, c) {
				set = append(set, c+" = excluded."+c)
			}
		}
		insert += ` ON CONFLICT (` + strings.Join(key, ", ") + `) DO UPDATE SET ` + strings.Join(set, ", ")
	}
	var same []string
	for _, c := range cols {
		same = append(same, c+" = ?")
	}
	exists := `SELECT COUNT(*) FROM ` + name + ` WHERE ` + strings.Join(same, " AND ")
	for _, r := range rows {
		if len(key) == 0 {
			var n int
			if err := t.QueryRowContext(ctx, exists, r...).Scan(&n); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if n > 0 {
				continue
			}
		}
		if _, err := t.ExecContext(ctx, insert, r...); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return t.Commit()
}

// tableDigest counts and checksums a table's rows in key order.
func (s *Store) tableDigest(ctx context.Context, name string, key []string) (Digest, error) {
	_, rows, err := s.tableRows(ctx, name, key)
	if err != nil {
		return Digest{}, err
	}
	h := sha256.New()
	for _, r := range rows {
		for _, v := range r {
			hashValue(h, v)
		}
	}
	return Digest{Rows: int64(len(rows)), Checksum: hex.EncodeToString(h.Sum(nil))}, nil
}

// hashValue feeds one column value to h in a form both drivers agree on:
// integers as eight bytes, text and bytes length-prefixed.
func hashValue(h hash.Hash, v any) {
	var n [8]byte
	put := func(tag byte, b []byte) {
		h.Write([]byte{tag})
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	switch v := v.(type) {
	case nil:
		h.Write([]byte{'n'})
	case int64:
		binary.BigEndian.PutUint64(n[:], uint64(v))
		h.Write([]byte{'i'})
		h.Write(n[:])
	case float64:
		binary.BigEndian.PutUint64(n[:], math.Float64bits(v))
		h.Write([]byte{'f'})
		h.Write(n[:])
	case bool:
		if v {
			hashValue(h, int64(1))
		} else {
			hashValue(h, int64(0))
		}
	case string:
		put('s', []byte(v))
	case []byte:
		put('b', v)
	default:
		put('?', []byte(fmt.Sprint(v)))
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
