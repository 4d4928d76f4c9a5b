//go:build unix

package main

import "syscall"

// raiseFileLimit lifts the soft open-files limit to the hard one: a
// thousand probes need a few thousand descriptors between this process and
// the server it starts (which inherits the limit).
func raiseFileLimit() {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}
