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
// replacing one with the same id. A group is saved when it starts and again
// when it ends, so its watchers are told (Watch, with the group's id): on
// PostgreSQL with NOTIFY in the same transaction, so a page open on another
// replica sees the group finish.
func (s *Store) SaveTryGroup(ctx context.Context, g discover.Group) error {
	doc, err := json.Marshal(g)
	if err != nil {
		return fmt.Errorf("store: save try-all %s: %w", g.ID, err)
	}
	t, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: save try-all %s: %w", g.ID, err)
	}
	defer t.Rollback()
	if _, err := t.ExecContext(ctx, `INSERT INTO try_groups (id, started_at, doc) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, doc = excluded.doc`,
		g.ID, g.StartedAt.UnixMilli(), string(doc)); err != nil {
		return fmt.Errorf("store: save try-all %s: %w", g.ID, err)
	}
	if s.d == dialectPostgres {
		// Delivered to every listening replica when, and only if, the
		// transaction commits. Group and attempt ids are drawn alike, so
		// they share the attempts' channel without colliding.
		if _, err := t.ExecContext(ctx, `SELECT pg_notify('`+attemptsChannel+`', ?)`, g.ID); err != nil {
			return fmt.Errorf("store: save try-all %s: announce: %w", g.ID, err)
		}
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("store: save try-all %s: %w", g.ID, err)
	}
	s.changes.signal(g.ID)
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
