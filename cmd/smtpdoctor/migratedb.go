package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/smtpdoctor/smtpdoctor/store"
)

// migrateDB copies one database into another: `smtpdoctor migrate-db
// --from ./smtpdoctor.db --to postgres://...`. It copies rows as stored
// (history, documents, and encrypted secrets as ciphertext), prints each
// table's row counts and checksums on both sides, and fails unless they
// match. Running it again is safe: every row is an upsert.
func migrateDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("smtpdoctor migrate-db", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the database to copy from: a SQLite file or a postgres:// URL")
	to := fs.String("to", "", "the database to copy into: a postgres:// URL or a SQLite file (created if missing)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: smtpdoctor migrate-db --from ./smtpdoctor.db --to postgres://user:password@host:5432/smtpdoctor\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err.Error()}
	}
	switch {
	case *from == "" || *to == "":
		return usageError{"migrate-db needs both --from (the database to copy) and --to (where to copy it), e.g. --from ./smtpdoctor.db --to postgres://user:password@db:5432/smtpdoctor"}
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("migrate-db takes no arguments besides its flags; got %q", fs.Args())}
	case *from == *to:
		return usageError{"--from and --to name the same database; nothing to copy"}
	}

	src, err := store.Open(ctx, *from)
	if err != nil {
		return fmt.Errorf("open the source database %s: %w", store.Redact(*from), err)
	}
	defer src.Close()
	dst, err := store.Open(ctx, *to)
	if err != nil {
		return fmt.Errorf("open the target database %s: %w", store.Redact(*to), err)
	}
	defer dst.Close()

	fmt.Fprintf(stdout, "copying %s (%s) into %s (%s)\n", store.Redact(*from), src.Backend(), store.Redact(*to), dst.Backend())
	tables, err := src.CopyTo(ctx, dst, func(table string, n int64) {
		if n%50000 == 0 {
			fmt.Fprintf(stdout, "  %s: %d rows copied\n", table, n)
		}
	})
	if err != nil {
		return err
	}
	ok := true
	for _, t := range tables {
		verdict := "match"
		if !t.Match() {
			verdict = "DIFFER"
			ok = false
		}
		fmt.Fprintf(stdout, "%s: copied %d rows; source %d rows sha256 %s; target %d rows sha256 %s: %s\n",
			t.Table, t.Copied, t.Source.Rows, t.Source.Checksum, t.Target.Rows, t.Target.Checksum, verdict)
	}
	if !ok {
		return errors.New("the target does not hold exactly what the source holds (did something write to either while copying? stop every smtpdoctor using them and run migrate-db again)")
	}
	fmt.Fprintln(stdout, "done: the target holds exactly what the source holds")
	return nil
}
