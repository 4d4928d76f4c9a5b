package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/secretbox"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/store"
)

func keyFile(t *testing.T, dir, name string) (string, *secretbox.Key) {
	raw := make([]byte, 32)
	rand.Read(raw)
	text := base64.StdEncoding.EncodeToString(raw) + "\n"
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := secretbox.ParseKey(text)
	if err != nil {
		t.Fatal(err)
	}
	return path, k
}

func TestRotateKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "smtpdoctor.db")
	oldPath, oldKey := keyFile(t, dir, "old.key")
	newPath, newKey := keyFile(t, dir, "new.key")
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"m1", "m2"} {
		box, _ := oldKey.Seal([]byte("password of "+id), watch.SecretAD(id, watch.SlotLogin))
		m := watch.Monitor{ID: id, Name: id, Settings: probe.Settings{Host: "smtp.example.com", Port: 587}}
		if err := st.CreateMonitor(ctx, m, []watch.SealedSecret{{Slot: watch.SlotLogin, KeyID: oldKey.ID(), Box: box}}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	noEnv := env{func(string) string { return "" }}

	// The wrong old key changes nothing.
	otherPath, _ := keyFile(t, dir, "other.key")
	var out, errOut bytes.Buffer
	err = run(ctx, []string{"rotate-key", "--old", otherPath, "--new", newPath, "--db", db}, noEnv, nil, &out, &errOut)
	if !errors.Is(err, secretbox.ErrWrongKey) || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("rotate with the wrong old key: %v", err)
	}

	err = run(ctx, []string{"rotate-key", "--old", oldPath, "--new", newPath, "--db", db}, noEnv, nil, &out, &errOut)
	if err != nil {
		t.Fatalf("rotate-key: %v (%s)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "re-encrypted 2 of 2 monitor secrets (passwords and alert URLs)") {
		t.Errorf("output %q", out.String())
	}
	st, err = store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	secrets, _ := st.Secrets(ctx)
	for _, sec := range secrets {
		ad := watch.SecretAD(sec.MonitorID, sec.Slot)
		pt, err := newKey.Open(sec.Box, ad)
		if err != nil || string(pt) != "password of "+sec.MonitorID || sec.KeyID != newKey.ID() {
			t.Errorf("%s after rotation: %q, %v", sec.MonitorID, pt, err)
		}
		if _, err := oldKey.Open(sec.Box, ad); err == nil {
			t.Errorf("%s still opens with the old key", sec.MonitorID)
		}
	}
	if err := run(ctx, []string{"rotate-key", "--old", oldPath}, noEnv, nil, &out, &errOut); err == nil {
		t.Error("rotate-key without --new accepted")
	}
}
