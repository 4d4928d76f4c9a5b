package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// swaksMode: the per-probe cost target. Against one go-smtp server (STARTTLS
// + AUTH PLAIN), `smtpdoctor probe` should take at most 0.25 × the wall
// time of `swaks --tls -a PLAIN --quit-after AUTH`. Both are run as
// processes, alternately, so that drift on a noisy machine hits both.
func swaksMode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, bin := newFlags("swaks", stderr)
	n := fs.Int("n", 30, "runs of each")
	breakdown := fs.Bool("breakdown", true, "also time smtpdoctor's process start alone (probe -h) and the probe with a one-certificate system root store, to show where its time goes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	swaks, err := lookSwaks()
	if err != nil {
		return err
	}
	dir, exe, pki, cleanup, err := workspace(ctx, *bin, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	addr, stop, err := startSubmission(pki)
	if err != nil {
		return err
	}
	defer stop()

	probeCmd, swaksCmd := commands(exe, swaks, addr, pki.caFile)
	fmt.Fprintf(stdout, "server: go-smtp on %s, STARTTLS + AUTH PLAIN, certificate from a test CA both clients verify\n", addr)
	fmt.Fprintf(stdout, "smtpdoctor: SMTPDOCTOR_PASSWORD=… %s\n", strings.Join(probeCmd, " "))
	fmt.Fprintf(stdout, "swaks:      %s\n", strings.Join(swaksCmd, " "))

	var tProbe, tSwaks, cProbe, cSwaks []time.Duration
	for i := range *n {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Alternate which goes first, so neither always gets the warm cache.
		order := []bool{i%2 == 0, i%2 != 0}
		for _, isProbe := range order {
			c := swaksCmd
			if isProbe {
				c = probeCmd
			}
			d, cpu, err := timeCommand(ctx, c, nil)
			if err != nil {
				return err
			}
			if isProbe {
				tProbe, cProbe = append(tProbe, d), append(cProbe, cpu)
			} else {
				tSwaks, cSwaks = append(tSwaks, d), append(cSwaks, cpu)
			}
		}
	}
	var tStart, tRoots []time.Duration
	if *breakdown {
		// SSL_CERT_FILE/SSL_CERT_DIR make Go's system root store the test
		// CA alone, so the difference to the plain run is what loading
		// the machine's roots costs.
		empty := filepath.Join(dir, "no-certs")
		if err := os.Mkdir(empty, 0o700); err != nil {
			return err
		}
		rootsEnv := []string{"SSL_CERT_FILE=" + pki.caFile, "SSL_CERT_DIR=" + empty}
		for range *n {
			d, _, err := timeCommand(ctx, []string{exe, "probe", "-h"}, nil)
			if err != nil {
				return err
			}
			tStart = append(tStart, d)
			if d, _, err = timeCommand(ctx, probeCmd, rootsEnv); err != nil {
				return err
			}
			tRoots = append(tRoots, d)
		}
	}
	mp, msw := median(tProbe), median(tSwaks)
	fmt.Fprintf(stdout, "\n%d runs each, wall time per process:\n", *n)
	fmt.Fprintf(stdout, "  smtpdoctor probe  median %s  p10 %s  p90 %s\n", ms(mp), ms(quantile(tProbe, 0.1)), ms(quantile(tProbe, 0.9)))
	fmt.Fprintf(stdout, "  swaks             median %s  p10 %s  p90 %s\n", ms(msw), ms(quantile(tSwaks, 0.1)), ms(quantile(tSwaks, 0.9)))
	fmt.Fprintf(stdout, "  CPU (user + system) per process, medians: smtpdoctor %s, swaks %s, ratio %.3f\n",
		ms(median(cProbe)), ms(median(cSwaks)), ratio(median(cProbe), median(cSwaks)))
	if *breakdown {
		fmt.Fprintf(stdout, "  breakdown (medians): process start + package init (probe -h) %s; probe with only the test CA as system roots %s, so loading the system roots costs ≈ %s\n",
			ms(median(tStart)), ms(median(tRoots)), ms(mp-median(tRoots)))
	}
	r := ratio(mp, msw)
	verdict := "met"
	if r > 0.25 {
		verdict = fmt.Sprintf("MISSED by %.2f×", r/0.25)
	}
	fmt.Fprintf(stdout, "  ratio smtpdoctor/swaks (medians) %.3f; target ≤ 0.25: %s\n", r, verdict)
	return nil
}

// commands are the two command lines compared. swaks verifies the
// certificate against the same CA (--tls-verify --tls-ca-path), as
// smtpdoctor does with --ca-file.
func commands(exe, swaks, addr, caFile string) (probeCmd, swaksCmd []string) {
	probeCmd = []string{exe, "probe", "--security", "starttls", "--user", loadUser, "--mech", "plain",
		"--ca-file", caFile, "--color", "never", addr}
	swaksCmd = []string{swaks, "--server", addr, "--tls", "--tls-verify", "--tls-ca-path", caFile,
		"-a", "PLAIN", "--au", loadUser, "--ap", loadPassword, "--quit-after", "AUTH",
		"--helo", "client.example.test", "--silent", "2"}
	return probeCmd, swaksCmd
}

// timeCommand runs c to completion and returns its wall time and the CPU
// time (user + system) it used; a non-zero exit is an error with the
// output, since a failed run measures nothing.
func timeCommand(ctx context.Context, c []string, env []string) (wall, cpu time.Duration, err error) {
	cmd := exec.CommandContext(ctx, c[0], c[1:]...)
	cmd.Env = append(os.Environ(), "SMTPDOCTOR_PASSWORD="+loadPassword)
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w\n%s", c[0], err, out.String())
	}
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}
