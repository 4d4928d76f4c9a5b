package main

import (
	"fmt"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// The server exposes no pprof, so its CPU profile comes from Linux perf,
// attached to the subprocess for the measured phase only. Read it with
//
//	perf report -i FILE --no-children --sort symbol --stdio
type perfRecord struct{ cmd *exec.Cmd }

// startPerf attaches `perf record` to pid, writing to file; an empty file
// means no profile.
func startPerf(file string, pid int) (*perfRecord, error) {
	if file == "" {
		return nil, nil
	}
	cmd := exec.Command("perf", "record", "-F", "499", "-g", "-o", file, "-p", strconv.Itoa(pid))
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting perf record (apt-get install -y linux-perf): %w", err)
	}
	time.Sleep(200 * time.Millisecond) // let it attach
	return &perfRecord{cmd: cmd}, nil
}

func (p *perfRecord) stop() {
	if p == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}
