package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/discover"
)

// SaveTryGroup stores a try-all group whole (migrations/0009_try_groups.sql),
// replacing one with the same id.
func (s *Store) SaveTryGroup(ctx context.Context, g discover.Group) error {
	doc, err := json.Marshal(g)
	if err != nil {
		return fmt.Errorf("store: save try-all %s: %w", g.ID, err)
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO try_groups (id, started_at, doc) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, doc = excluded.doc`,
		g.ID, g.StartedAt.UnixMilli(), string(doc)); err != nil {
		return fmt.Errorf("store: save try-all %s: %w", g.ID, err)
	}
	return nil
}

// TryGroup reads a try-all group by id; ErrNotFound if there is none.
func (s *Store) TryGroup(ctx context.Context, id string) (discover.Group, error) {
	var doc string
	err := s.read.QueryRowContext(ctx, `SELECT doc FROM try_groups WHERE id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return discover.Group{}, fmt.Errorf("store: try-all %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return discover.Group{}, fmt.Errorf("store: try-all %s: %w", id, err)
	}
	var g discover.Group
	if err := json.Unmarshal([]byte(doc), &g); err != nil {
		return discover.Group{}, fmt.Errorf("store: try-all %s: decode: %w", id, err)
	}
	return g, nil
}

// pruneTryGroups deletes the groups started before the cut, with their
// attempts' retention.
func (s *Store) pruneTryGroups(ctx context.Context, olderThan time.Time) error {
	if _, err := s.write.ExecContext(ctx, `DELETE FROM try_groups WHERE started_at < ?`, olderThan.UnixMilli()); err != nil {
		return fmt.Errorf("store: prune try-all groups: %w", err)
	}
	return nil
}
