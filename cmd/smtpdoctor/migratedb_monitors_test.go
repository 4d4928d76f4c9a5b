package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/store"
	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// TestMigrateDBCopiesMonitors: monitors, their sealed passwords (the
// ciphertext byte for byte), runs, delivery log and their attempts reach
// PostgreSQL, each table verified, and a second run changes nothing.
func TestMigrateDBCopiesMonitors(t *testing.T) {
	ctx := context.Background()
	from := filepath.Join(t.TempDir(), "old.db")
	src, err := store.Open(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m := watch.Monitor{ID: "mon1", Name: "Relay", Interval: 5 * time.Minute,
		Settings:  probe.Settings{Host: "smtp.example.com", Port: 587, Security: probe.SecurityStartTLS, User: "u@example.com"},
		CreatedAt: at, UpdatedAt: at, NextRunAt: at.Add(time.Minute)}.WithDefaults()
	box := []byte{0x01, 0xfe, 0x00, 0x7f, 0x80, 0xff} // stands for a sealed password
	if err := src.CreateMonitor(ctx, m, []watch.SealedSecret{{MonitorID: "mon1", Slot: watch.SlotLogin, KeyID: "k1", Box: box}}); err != nil {
		t.Fatal(err)
	}
	if err := src.RecordDelivery(ctx, watch.Delivery{MonitorID: "mon1", At: at, Event: watch.EventFailing, Channel: watch.AlertWebhook,
		Target: "hooks.example.com", Try: 1, OK: true, Final: true, Detail: "204"}); err != nil {
		t.Fatal(err)
	}
	run := probe.Result{ID: "monrun1", Status: probe.StatusDone, Outcome: probe.OutcomeSuccess, StartedAt: at,
		Settings: m.Settings, Kind: probe.KindMonitor, MonitorID: "mon1"}
	if err := src.Save(ctx, run); err != nil {
		t.Fatal(err)
	}
	src.Close()
	to := storetest.Postgres(t)
	line := func(table string) *regexp.Regexp {
		return regexp.MustCompile(table + `: copied (\d+) rows; source (\d+) rows sha256 ([0-9a-f]{64}); target (\d+) rows sha256 ([0-9a-f]{64}): match`)
	}
	for run := range 2 {
		var out, errOut bytes.Buffer
		if err := run2(ctx, []string{"migrate-db", "--from", from, "--to", to}, &out, &errOut); err != nil {
			t.Fatalf("run %d: %v\n%s%s", run, err, out.String(), errOut.String())
		}
		for table, n := range map[string]string{"monitors": "1", "monitor_secrets": "1", "alert_deliveries": "1"} {
			if m := line(table).FindStringSubmatch(out.String()); m == nil || m[2] != n || m[4] != n {
				t.Errorf("run %d, %s:\n%s", run, table, out.String())
			}
		}
	}
	dst, err := store.Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	sec, err := dst.MonitorSecret(ctx, "mon1", watch.SlotLogin)
	if err != nil || !bytes.Equal(sec.Box, box) || sec.KeyID != "k1" {
		t.Errorf("the sealed password after the copy: %x (%q), %v; want %x as it was", sec.Box, sec.KeyID, err, box)
	}
	// The monitor's attempt is still the monitor's: history retention
	// leaves it to the monitors' own.
	if n, err := dst.Prune(ctx, at.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("history pruning after the copy deleted %d attempts (%v); the monitor's attempt is not history's to prune", n, err)
	}
	if n, err := dst.PruneMonitors(ctx, at.Add(time.Hour), at.Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("monitor pruning after the copy deleted %d attempts (%v), want the monitor's one", n, err)
	}
	got, err := dst.GetMonitor(ctx, "mon1")
	if err != nil || got.Name != "Relay" || !got.NextRunAt.Equal(m.NextRunAt) {
		t.Errorf("the monitor after the copy: %+v, %v", got, err)
	}
}
