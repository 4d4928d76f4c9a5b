//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// lockReplicaFile creates path and takes an exclusive lock on it (flock),
// which the kernel holds for as long as this process lives. Nil when that
// fails: liveness then rests on the heartbeat alone.
func lockReplicaFile(path, _ string) *os.File {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil
	}
	return f
}

// lockHeld reports whether some process holds the lock on path; known is
// false when there is no such file to ask (or it cannot be asked).
func lockHeld(path string) (held, known bool) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false, false
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case err == nil:
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return false, true
	case errors.Is(err, syscall.EWOULDBLOCK):
		return true, true
	}
	return false, false
}
