// Command smtpdoctor-load measures smtpdoctor against servers it starts on
// loopback: the per-probe cost next to swaks, the round trips a probe
// waits for, the dashboard's throughput next to a bare Go loop, and a
// thousand probes held by a tarpit (README, Performance). Every mode talks only
// to 127.0.0.1, runs a bounded number of probes, prints its figures and
// stops by itself. The machines it runs on are noisy, so each mode runs
// the things it compares side by side, in one run, and reports medians and
// ratios.
//
//	go run ./cmd/smtpdoctor-load swaks      [-n 30]
//	go run ./cmd/smtpdoctor-load roundtrip  [-n 10] [-delay 100ms]
//	go run ./cmd/smtpdoctor-load throughput [-k 2000] [-c 32]
//	go run ./cmd/smtpdoctor-load tarpit     [-n 1000] [-timeout 5s]
//	go run ./cmd/smtpdoctor-load replicas   -postgres URL [-k 1500] [-c 30] [-n 3]
//	go run ./cmd/smtpdoctor-load failover   [-postgres URL] [-monitors 1000] [-interval 10s] [-duration 10m] [-kill-every 1m]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const usage = `usage: smtpdoctor-load MODE [flags]

modes:
  swaks       wall time of "smtpdoctor probe" next to swaks, STARTTLS + AUTH PLAIN
  roundtrip   the same against a server that waits before every reply: reply-waits
  throughput  probes through POST /api/v1/probes?wait=30s next to a bare net/smtp loop
  tarpit      many probes through the API against a server that never speaks
  replicas    API throughput of one replica on SQLite next to three on one PostgreSQL
  failover    monitors on three replicas, one killed every minute: duplicate runs, repeated alerts

Run "smtpdoctor-load MODE -h" for a mode's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "smtpdoctor-load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no mode given")
	}
	mode, args := args[0], args[1:]
	modes := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"swaks":      swaksMode,
		"roundtrip":  roundtripMode,
		"throughput": throughputMode,
		"tarpit":     tarpitMode,
		"replicas":   replicasMode,
		"failover":   failoverMode,
	}
	f, ok := modes[mode]
	if !ok {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown mode %q", mode)
	}
	raiseFileLimit()
	return f(ctx, args, stdout, stderr)
}

// newFlags is a mode's flag set with the flags every mode shares.
func newFlags(mode string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("smtpdoctor-load "+mode, flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("bin", "", "use this smtpdoctor binary instead of building one")
	return fs, bin
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
