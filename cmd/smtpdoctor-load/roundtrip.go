package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// roundtripMode: the round-trip target. Against a server that waits
// before every reply, a STARTTLS + AUTH probe costs about as many delays
// as the protocol needs replies waited for: greeting, EHLO, STARTTLS,
// EHLO, AUTH with its initial response, and QUIT without waiting for the
// 221; 5 in all, never more than swaks.
func roundtripMode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, bin := newFlags("roundtrip", stderr)
	n := fs.Int("n", 10, "runs of each")
	delay := fs.Duration("delay", 100*time.Millisecond, "the server's wait before every reply")
	if err := fs.Parse(args); err != nil {
		return err
	}
	swaks, err := lookSwaks()
	if err != nil {
		return err
	}
	_, exe, pki, cleanup, err := workspace(ctx, *bin, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	srv, err := startDelayServer(pki, *delay)
	if err != nil {
		return err
	}
	defer srv.close()

	probeCmd, swaksCmd := commands(exe, swaks, srv.addr(), pki.caFile)
	fmt.Fprintf(stdout, "server: scripted on %s, waits %v before every SMTP reply (TLS records undelayed)\n", srv.addr(), *delay)
	fmt.Fprintf(stdout, "smtpdoctor: SMTPDOCTOR_PASSWORD=… %s\n", strings.Join(probeCmd, " "))
	fmt.Fprintf(stdout, "swaks:      %s\n", strings.Join(swaksCmd, " "))

	type side struct {
		name  string
		cmd   []string
		times []time.Duration
		waits []int
		quit  int // runs that stayed for the 221
		cmds  string
	}
	sides := []*side{{name: "smtpdoctor probe", cmd: probeCmd}, {name: "swaks", cmd: swaksCmd}}
	for i := range *n {
		for j := range sides {
			sd := sides[(i+j)%2]
			if ctx.Err() != nil {
				return ctx.Err()
			}
			d, _, err := timeCommand(ctx, sd.cmd, nil)
			if err != nil {
				return err
			}
			// The server logs the connection once the client is gone or
			// the 221 is written; give it that moment.
			var logs []delayLog
			for wait := time.Now().Add(2*(*delay) + time.Second); len(logs) == 0 && time.Now().Before(wait); {
				time.Sleep(10 * time.Millisecond)
				logs = srv.take()
			}
			if len(logs) != 1 {
				return fmt.Errorf("%s: the server saw %d connections, want 1", sd.name, len(logs))
			}
			sd.times = append(sd.times, d)
			sd.waits = append(sd.waits, logs[0].waits)
			if logs[0].waitedQuit {
				sd.quit++
			}
			sd.cmds = strings.Join(logs[0].commands, " ")
		}
	}
	fmt.Fprintf(stdout, "\n%d runs each:\n", *n)
	for _, sd := range sides {
		m := median(sd.times)
		quitWait := 0.0
		if sd.quit*2 > len(sd.times) {
			quitWait = 1
		}
		fmt.Fprintf(stdout, "  %-17s median %s = %.2f × delay; replies waited for before QUIT: %v; stayed for the 221 in %d of %d runs (≈ %.0f waits in all)\n",
			sd.name, ms(m), float64(m)/float64(*delay), uniq(sd.waits), sd.quit, len(sd.times), float64(uniq(sd.waits)[0])+quitWait)
		fmt.Fprintf(stdout, "  %-17s commands: %s\n", "", sd.cmds)
	}
	return nil
}

func uniq(xs []int) []int {
	var out []int
	seen := map[int]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
