package store

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// IsCorrupt reports whether err says the database file is damaged
// (SQLITE_CORRUPT, SQLITE_NOTADB and their extended codes): no retry will
// help, the operator has to restore it. The dashboard's health check
// fails from then on.
func IsCorrupt(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}
