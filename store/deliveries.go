package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

// maxDetail bounds a delivery's detail (a receiver's answer).
const maxDetail = 500

// RecordDelivery adds one try to the delivery log.
func (s *Store) RecordDelivery(ctx context.Context, d watch.Delivery) error {
	if len(d.Detail) > maxDetail {
		d.Detail = d.Detail[:maxDetail]
	}
	err := s.writer.do(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO alert_deliveries (monitor_id, at, event, channel, target, try, ok, final, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.MonitorID, d.At.UnixMilli(), string(d.Event), string(d.Channel), d.Target, d.Try,
			boolInt(d.OK), boolInt(d.Final), d.Detail)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record alert delivery for monitor %s: %w", d.MonitorID, err)
	}
	return nil
}

// Deliveries returns a monitor's latest delivery tries, newest first.
func (s *Store) Deliveries(ctx context.Context, monitorID string, limit int) ([]watch.Delivery, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT at, event, channel, target, try, ok, final, detail FROM alert_deliveries
		WHERE monitor_id = ? ORDER BY at DESC LIMIT ?`, monitorID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: deliveries of monitor %s: %w", monitorID, err)
	}
	defer rows.Close()
	var out []watch.Delivery
	for rows.Next() {
		d := watch.Delivery{MonitorID: monitorID}
		var at int64
		var ok, final int
		var event, channel string
		if err := rows.Scan(&at, &event, &channel, &d.Target, &d.Try, &ok, &final, &d.Detail); err != nil {
			return nil, fmt.Errorf("store: deliveries of monitor %s: %w", monitorID, err)
		}
		d.At, d.OK, d.Final = fromMS(at), ok == 1, final == 1
		d.Event, d.Channel = watch.EventKind(event), watch.AlertType(channel)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: deliveries of monitor %s: %w", monitorID, err)
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
