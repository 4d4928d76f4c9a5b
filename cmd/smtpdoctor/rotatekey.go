package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/smtpdoctor/smtpdoctor/probe/secretbox"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// rotateKey re-seals every monitor password stored in the database under a
// new key: each box is opened with the old key and sealed again with the
// new one, and all of them are written in one transaction, so the database
// never holds a mix. Run it with the dashboard stopped, then start the
// dashboard with the new key file.
func rotateKey(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("smtpdoctor rotate-key", flag.ContinueOnError)
	fs.SetOutput(stderr)
	oldFile := fs.String("old", "", "the key file the secrets are sealed with now")
	newFile := fs.String("new", "", "the key file to seal them with (make one with `openssl rand -base64 32`)")
	db := fs.String("db", envOr(e, "db", "./smtpdoctor.db"), "SQLite database file (env "+envName("db")+")")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: smtpdoctor rotate-key --old FILE --new FILE [--db FILE]\n\n"+
			"Re-encrypts the secrets monitors keep (passwords, alert URLs) under a new secret key. Stop the dashboard first.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if *oldFile == "" || *newFile == "" || fs.NArg() > 0 {
		fs.Usage()
		return usageError{"rotate-key needs --old FILE and --new FILE"}
	}
	oldKey, err := secretbox.LoadKeyFile(*oldFile)
	if err != nil {
		return fmt.Errorf("--old: %w", err)
	}
	newKey, err := secretbox.LoadKeyFile(*newFile)
	if err != nil {
		return fmt.Errorf("--new: %w", err)
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	secrets, err := st.Secrets(ctx)
	if err != nil {
		return err
	}
	var changed []watch.SealedSecret
	for _, sec := range secrets {
		if sec.KeyID == newKey.ID() {
			continue // sealed under the new key already (an earlier run)
		}
		ad := watch.SecretAD(sec.MonitorID, sec.Slot)
		pt, err := oldKey.Open(sec.Box, ad)
		if err != nil {
			return fmt.Errorf("open the %s password of monitor %s with --old (key %s): %w; nothing was changed",
				sec.Slot, sec.MonitorID, oldKey.ID(), err)
		}
		box, err := newKey.Seal(pt, ad)
		clear(pt)
		if err != nil {
			return err
		}
		changed = append(changed, watch.SealedSecret{MonitorID: sec.MonitorID, Slot: sec.Slot, KeyID: newKey.ID(), Box: box})
	}
	if err := st.ReplaceSecrets(ctx, changed); err != nil {
		return fmt.Errorf("%w; nothing was changed", err)
	}
	if err := st.Checkpoint(ctx); err != nil {
		return err
	}
	// Secrets are login and alert passwords, and alert URLs (which carry
	// tokens) once a key exists: "secrets", not "passwords".
	fmt.Fprintf(stdout, "re-encrypted %d of %d monitor secrets (passwords and alert URLs) from key %s to key %s; start smtpdoctor with --secret-key-file %s\n",
		len(changed), len(secrets), oldKey.ID(), newKey.ID(), *newFile)
	return nil
}
