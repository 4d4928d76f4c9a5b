package main

import (
	"crypto/sha256"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"
)

// The CPU a side uses counts its processes' exited children too: a
// PostgreSQL backend that ended during the run was a real cost.
func TestChildrenCPUTimeCountsExitedChildren(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	before := childrenCPUTime(os.Getpid())
	// About a tenth of a second of CPU in a child, then waited for.
	if err := exec.Command(sh, "-c", `i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done`).Run(); err != nil {
		t.Fatal(err)
	}
	if got := childrenCPUTime(os.Getpid()) - before; got <= 0 {
		t.Errorf("an exited child's CPU time: %v, want more than nothing", got)
	}
	self := cpuTime(os.Getpid())
	// Busy for up to a second: the clock charges CPU in ticks of 10 ms.
	for sum, end := sha256.Sum256(nil), time.Now().Add(time.Second); cpuTime(os.Getpid()) == self && time.Now().Before(end); {
		sum = sha256.Sum256(sum[:])
	}
	if cpuTime(os.Getpid()) <= self {
		t.Errorf("this process's own CPU time did not move in a busy second")
	}
}
