package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// cpuShare is the CPU time the parts of one comparison used: the
// smtpdoctor processes, the database server's processes (PostgreSQL's,
// when they run on this machine), and this tool itself (its clients and
// its SMTP server). Throughput on a shared machine moves with its
// neighbours; CPU time per probe is what each part costs, and says why
// one side is faster.
type cpuShare struct {
	smtpdoctor, database, tool time.Duration
}

func (c cpuShare) sub(d cpuShare) cpuShare {
	return cpuShare{c.smtpdoctor - d.smtpdoctor, c.database - d.database, c.tool - d.tool}
}

func (c cpuShare) add(d cpuShare) cpuShare {
	return cpuShare{c.smtpdoctor + d.smtpdoctor, c.database + d.database, c.tool + d.tool}
}

// sampleCPU reads the CPU time used so far by servers, by every process
// named postgres on this machine when database is set (with the time of
// backends that have exited, which their parent collected), and by this
// process.
func sampleCPU(servers []*server, database bool) cpuShare {
	var c cpuShare
	for _, s := range servers {
		c.smtpdoctor += cpuTime(s.cmd.Process.Pid)
	}
	if database {
		c.database = processesCPU("postgres")
	}
	c.tool = cpuTime(os.Getpid())
	return c
}

// processesCPU sums the CPU time of every process whose command is name,
// with the time of their children that have exited.
func processesCPU(name string) time.Duration {
	var total time.Duration
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		comm, err := os.ReadFile(filepath.Join(d, "comm"))
		if err != nil || strings.TrimSpace(string(comm)) != name {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(d))
		total += cpuTime(pid) + childrenCPUTime(pid)
	}
	return total
}

// childrenCPUTime is the user + system CPU time of a process's children
// that have exited and been waited for (/proc/PID/stat fields 16 and 17).
func childrenCPUTime(pid int) time.Duration { return statTicks(pid, 13, 14) }

// printCPUPerProbe writes each side's CPU per probe, part by part.
func printCPUPerProbe(w io.Writer, name string, c cpuShare, probes int, database bool) {
	per := func(d time.Duration) string {
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)/float64(probes))
	}
	db := ""
	if database {
		db = " + PostgreSQL " + per(c.database)
	}
	fmt.Fprintf(w, "  %-22s smtpdoctor %s%s + this tool %s = %s a probe\n", name, per(c.smtpdoctor), db, per(c.tool), per(c.smtpdoctor+c.database+c.tool))
}
