package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"

	"github.com/smtpdoctor/smtpdoctor/migrations"
)

// schemaKey names the schema a cached benchmark database was made with: a
// hash of every migration file, not just their count, because two branches
// (or two checkouts) can carry the same number of migrations that say
// different things, and a cached database of the wrong shape would measure
// the wrong thing or fail in confusing ways.
func schemaKey() string {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	if err != nil {
		panic("storetest: reading the embedded migrations: " + err.Error()) // embedded at build time
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
