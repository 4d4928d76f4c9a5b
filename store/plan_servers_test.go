package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServersQueryPlans pins what keeps the servers view fast at a million
// attempts (README, Performance): the partial day at the window's edge is
// counted from attempts_kind alone, without reading a row of attempts
// (host and port are in the index), and each server's days are summed
// from daily_servers_server alone, without sorting the window's counts.
func TestServersQueryPlans(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UnixMilli()
	tests := []struct {
		name, query, want string
		args              []any
	}{
		{"edge", serversEdgeQuery, "USING COVERING INDEX attempts_kind", []any{now - dayMS, now}},
		{"days", serverRowsQuery, "USING COVERING INDEX daily_servers_server", []any{now/dayMS - 30, now - 30*dayMS}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := explain(t, s, tt.query, tt.args...)
			if !strings.Contains(plan, tt.want) {
				t.Errorf("plan does not say %q:\n%s", tt.want, plan)
			}
			if tt.name == "days" && strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("plan sorts:\n%s", plan)
			}
		})
	}
}
