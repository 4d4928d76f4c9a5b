package store

import (
	"context"
	"database/sql"
	"os"
	"time"
)

// EncodeDoc is encodeDoc, for the external test package's benchmark.
var EncodeDoc = encodeDoc

// DecodeDoc is decodeDoc, for the external test package.
var DecodeDoc = decodeDoc

// Crash ends s as a killed process would: no goodbye, the heartbeat
// stops, the lock file stays behind unlocked, the connections close.
func Crash(s *Store) {
	r := s.replica
	r.stopOnce.Do(func() {
		r.cancel()
		<-r.done
		if r.lock != nil {
			r.lock.Close() // releases the flock; the file stays, as after kill -9
			r.lock = nil
		}
	})
	s.writer.close()
	s.read.Close()
	s.write.Close()
}

// Orphan makes attempts look stored before replicas were recorded (no
// owner), as after an upgrade.
func Orphan(s *Store, ids ...string) {
	for _, id := range ids {
		if _, err := s.write.Exec(`UPDATE attempts SET owner = '' WHERE id = ?`, id); err != nil {
			panic(err)
		}
	}
}

// SetSeen moves a replica's last heartbeat, and drops its lock file so
// that the heartbeat decides, as for a replica on another machine.
func SetSeen(s *Store, id string, at time.Time) {
	if _, err := s.write.Exec(`UPDATE replicas SET seen_at = ? WHERE id = ?`, at.UnixMilli(), id); err != nil {
		panic(err)
	}
	os.Remove(s.replica.lockPath(id))
}

// MigrateFirst applies the first n migrations of the back end named by
// dsn to db, as an older binary would have left the database.
func MigrateFirst(ctx context.Context, db *sql.DB, dsn string, n int) error {
	d := dialectSQLite
	if IsPostgres(dsn) {
		d = dialectPostgres
	}
	ms, err := migrationsFor(d)
	if err != nil {
		return err
	}
	return migrate(ctx, db, d, ms[:n])
}
