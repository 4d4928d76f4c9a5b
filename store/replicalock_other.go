//go:build !unix

package store

import "os"

// Without flock, liveness rests on the heartbeat alone.
func lockReplicaFile(path, _ string) *os.File { return nil }

func lockHeld(path string) (held, known bool) { return false, false }
