package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildBinary builds cmd/smtpdoctor into dir, unless bin names one
// already built. The package path works from anywhere inside the module.
func buildBinary(ctx context.Context, bin, dir string, stderr io.Writer) (string, error) {
	if bin != "" {
		return bin, nil
	}
	out := filepath.Join(dir, "smtpdoctor")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/smtpdoctor/smtpdoctor/cmd/smtpdoctor")
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building smtpdoctor: %w", err)
	}
	return out, nil
}

// server is a `smtpdoctor serve` subprocess.
type server struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT
	logs bytes.Buffer
}

// startServe runs `smtpdoctor serve` on a free loopback port with args
// and waits until /healthz answers.
func startServe(ctx context.Context, bin, dir string, args ...string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	listen := "127.0.0.1:" + strconv.Itoa(port)
	full := append([]string{"serve", "--listen", listen, "--db", filepath.Join(dir, "load.db"), "--log-level", "warn"}, args...)
	s := &server{base: "http://" + listen}
	s.cmd = exec.Command(bin, full...)
	s.cmd.Stdout, s.cmd.Stderr = &s.logs, &s.logs
	// No SMTPDOCTOR_* from this environment may change the setup.
	// gctrace makes the Go runtime log each collection with the live heap,
	// which gcPeak reads: RSS alone does not say what is live.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SMTPDOCTOR_") && !strings.HasPrefix(kv, "GODEBUG=") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	s.cmd.Env = append(s.cmd.Env, "GODEBUG=gctrace=1")
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting smtpdoctor serve: %w", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			s.stop()
			return nil, fmt.Errorf("smtpdoctor serve did not answer /healthz within 20s; its output:\n%s", s.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM, then SIGKILL after 10s.
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// memory reads VmRSS and VmHWM (peak RSS) of the server, in KiB.
func (s *server) memory() (rss, peak int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			rss = n
		case "VmHWM:":
			peak = n
		}
	}
	return rss, peak
}

// gcPeak reads the server's gctrace lines ("gc 7 @1.2s 3%: … 12->14->6 MB,
// 13 MB goal, …") and returns the largest heap at a collection's start and
// the largest live heap after one, in MB, the largest goroutine stack
// total at a collection ("…, 4 MB stacks"), and the number of collections.
func (s *server) gcPeak() (atStart, live, stacks, gcs int) {
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if !strings.HasPrefix(line, "gc ") {
			continue
		}
		_, rest, ok := strings.Cut(line, "clock, ")
		if !ok {
			continue
		}
		_, rest, ok = strings.Cut(rest, "cpu, ")
		if !ok {
			continue
		}
		heap, _, _ := strings.Cut(rest, " MB")
		parts := strings.Split(heap, "->")
		if len(parts) != 3 {
			continue
		}
		a, _ := strconv.Atoi(parts[0])
		l, _ := strconv.Atoi(parts[2])
		atStart, live, gcs = max(atStart, a), max(live, l), gcs+1
		if before, _, ok := strings.Cut(rest, " MB stacks"); ok {
			f := strings.Fields(before)
			st, _ := strconv.Atoi(f[len(f)-1])
			stacks = max(stacks, st)
		}
	}
	return atStart, live, stacks, gcs
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func splitHostPort(addr string) (string, int) {
	h, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return h, n
}

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

// cpuTime is the user + system CPU time a process has used so far
// (/proc/PID/stat fields 14 and 15).
func cpuTime(pid int) time.Duration { return statTicks(pid, 11, 12) }

// statTicks sums fields of /proc/PID/stat that count clock ticks (1/100 s
// on Linux), numbered from after the command name: 0 is field 3. Nothing
// when the process is gone.
func statTicks(pid int, fields ...int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields count from after
	// its closing parenthesis.
	_, rest, ok := strings.Cut(string(b), ") ")
	if !ok {
		return 0
	}
	f := strings.Fields(rest)
	var ticks int64
	for _, i := range fields {
		if i >= len(f) {
			return 0
		}
		n, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// workspace is what every mode starts from: a temporary directory (removed
// by cleanup), the smtpdoctor binary, built into it unless bin names one,
// and a test CA with a certificate for 127.0.0.1 that every client trusts.
func workspace(ctx context.Context, bin string, stderr io.Writer) (dir, exe string, pki *testPKI, cleanup func(), err error) {
	dir, err = os.MkdirTemp("", "smtpdoctor-load-")
	if err != nil {
		return "", "", nil, nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	if exe, err = buildBinary(ctx, bin, dir, stderr); err == nil {
		pki, err = newPKI(dir)
	}
	if err != nil {
		cleanup()
		return "", "", nil, nil, err
	}
	return dir, exe, pki, cleanup, nil
}

// lookSwaks finds Debian's swaks, the reference client the figures are
// measured against.
func lookSwaks() (string, error) {
	swaks, err := exec.LookPath("swaks")
	if err != nil {
		return "", fmt.Errorf("swaks is not installed (apt-get install -y swaks): %w", err)
	}
	return swaks, nil
}
