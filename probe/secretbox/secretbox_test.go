package secretbox

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func newKey(t *testing.T) (*Key, string) {
	t.Helper()
	raw := make([]byte, 32)
	rand.Read(raw)
	text := base64.StdEncoding.EncodeToString(raw)
	k, err := ParseKey(text + "\n")
	if err != nil {
		t.Fatal(err)
	}
	return k, text
}

func TestSealOpenRoundTrip(t *testing.T) {
	k, _ := newKey(t)
	box, err := k.Seal([]byte("hunter2"), "monitor:abc")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(box, []byte("hunter2")) {
		t.Fatal("plaintext visible in the box")
	}
	pt, err := k.Open(box, "monitor:abc")
	if err != nil || string(pt) != "hunter2" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	box2, _ := k.Seal([]byte("hunter2"), "monitor:abc")
	if bytes.Equal(box, box2) {
		t.Error("two seals of the same secret are equal: nonce reused")
	}
	if id, _ := KeyID(box); id != k.ID() {
		t.Errorf("KeyID = %s, want %s", id, k.ID())
	}
}

func TestOpenRefuses(t *testing.T) {
	k, _ := newKey(t)
	other, _ := newKey(t)
	box, _ := k.Seal([]byte("hunter2"), "monitor:abc")

	if _, err := other.Open(box, "monitor:abc"); !errors.Is(err, ErrWrongKey) ||
		!strings.Contains(err.Error(), k.ID()) || !strings.Contains(err.Error(), other.ID()) {
		t.Errorf("wrong key: %v, want ErrWrongKey naming both key ids", err)
	}
	if _, err := k.Open(box, "monitor:xyz"); !errors.Is(err, ErrDamaged) {
		t.Errorf("box moved to another monitor: %v, want ErrDamaged", err)
	}
	flipped := bytes.Clone(box)
	flipped[len(flipped)-1] ^= 1
	if _, err := k.Open(flipped, "monitor:abc"); !errors.Is(err, ErrDamaged) {
		t.Errorf("altered box: %v, want ErrDamaged", err)
	}
	if _, err := k.Open(box[:20], "monitor:abc"); !errors.Is(err, ErrDamaged) {
		t.Errorf("truncated box: %v, want ErrDamaged", err)
	}
}

func TestParseKeyExplainsBadKeys(t *testing.T) {
	for name, text := range map[string]string{
		"empty":      "",
		"not base64": "this is not base64 at all!",
		"too short":  base64.StdEncoding.EncodeToString(make([]byte, 16)),
		"two lines":  "AAAA\nBBBB",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseKey(text)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), "openssl rand -base64 32") {
				t.Errorf("%q does not say how to make a key", err)
			}
		})
	}
	raw := make([]byte, 32)
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.URLEncoding} {
		if _, err := ParseKey(enc.EncodeToString(raw)); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// The key file is what openssl prints, so the test makes it with openssl
// when it is installed.
func TestLoadKeyFileFromOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("SMTPDOCTOR_REQUIRE_REAL") != "" {
			t.Fatal("SMTPDOCTOR_REQUIRE_REAL is set but openssl is not installed")
		}
		t.Skip("openssl not installed")
	}
	out, err := exec.Command(openssl, "rand", "-base64", "32").Output()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "secret.key")
	os.WriteFile(path, out, 0o600)
	k, err := LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.ID()) != 16 {
		t.Errorf("ID %q", k.ID())
	}
	if s := fmt.Sprintf("%v %#v %s", k, k, k); strings.Contains(s, strings.TrimSpace(string(out))) {
		t.Error("formatting a key prints its material")
	}
	if _, err := LoadKeyFile(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "--secret-key-file") {
		t.Errorf("missing file: %v", err)
	}
}
