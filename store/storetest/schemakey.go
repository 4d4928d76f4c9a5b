package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"

	"github.com/smtpdoctor/smtpdoctor/migrations"
)

// schemaKey names the schema a cached benchmark database was made with: a
// hash of every migration file of both dialects, not just their count,
// because two branches (or two checkouts) can carry the same number of
// migrations that say different things, and a PostgreSQL migration can
// change while SQLite's twin stays as it was; a cached database of the
// wrong shape would measure the wrong thing or fail in confusing ways.
func schemaKey() string {
	h := sha256.New()
	for _, d := range []struct {
		prefix string
		fsys   fs.FS
	}{{"", migrations.FS}, {"postgres/", migrations.PostgresFS}} {
		err := fs.WalkDir(d.fsys, ".", func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := fs.ReadFile(d.fsys, path)
			if err != nil {
				return err
			}
			h.Write([]byte(d.prefix + path))
			h.Write(b)
			return nil
		})
		if err != nil {
			panic("storetest: reading the embedded migrations: " + err.Error()) // embedded at build time
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
