// Package secretbox keeps the passwords and tokens of monitors encrypted at
// rest. A monitor must log in again every few minutes, so unlike a one-off
// probe it has to keep its secret; the database only ever sees a sealed box.
//
// The cipher is XChaCha20-Poly1305 (golang.org/x/crypto/chacha20poly1305):
// an AEAD, so a box that was altered or sealed under another key fails to
// open instead of yielding garbage, with 192-bit random nonces that never
// need a counter. The key is 32 random bytes, base64-encoded on one line in
// a file the operator makes (`openssl rand -base64 32`).
//
// A box is: a version byte, the key's 8-byte id, the 24-byte nonce, then
// the ciphertext and tag. The key id lets the program tell "this was sealed
// under another key" (a clear error at start, and what key rotation looks
// for) from "this box is damaged". The associated data binds a box to what
// it belongs to (a monitor id), so a box copied onto another monitor does
// not open.
package secretbox

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

// HowToMakeKey tells an operator how to make a key file; error messages end
// with it.
const HowToMakeKey = "make one with `openssl rand -base64 32 > /etc/smtpdoctor/secret.key` " +
	"(keep it private: chmod 600) and start smtpdoctor with --secret-key-file pointing at it " +
	"(or SMTPDOCTOR_SECRET_KEY_FILE)"

const (
	version  = 1
	idLen    = 8
	overhead = 1 + idLen + chacha20poly1305.NonceSizeX + chacha20poly1305.Overhead
)

var (
	// ErrWrongKey means the box was sealed under a different key.
	ErrWrongKey = errors.New("secretbox: sealed under a different key")
	// ErrDamaged means the box does not open under its own key: it was
	// altered, truncated, or belongs to something else (other associated
	// data).
	ErrDamaged = errors.New("secretbox: damaged or does not belong here")
)

// Key seals and opens boxes. The zero value is not usable; make one with
// ParseKey or LoadKeyFile.
type Key struct {
	id   [idLen]byte
	aead interface {
		Seal(dst, nonce, plaintext, additionalData []byte) []byte
		Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
	}
}

// LoadKeyFile reads a key file: 32 bytes, base64 (standard or URL
// alphabet, padding optional) on one line.
func LoadKeyFile(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secretbox: read key file %s: %w; %s", path, err, HowToMakeKey)
	}
	k, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

// ParseKey reads a key from its base64 text.
func ParseKey(text string) (*Key, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, fmt.Errorf("secretbox: the key is empty; %s", HowToMakeKey)
	}
	if strings.ContainsAny(text, "\r\n") {
		return nil, fmt.Errorf("secretbox: the key must be one line of base64; %s", HowToMakeKey)
	}
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(text); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("secretbox: the key is not base64 (%v); %s", err, HowToMakeKey)
	}
	if len(raw) != chacha20poly1305.KeySize {
		return nil, fmt.Errorf("secretbox: the key is %d bytes, want %d; %s", len(raw), chacha20poly1305.KeySize, HowToMakeKey)
	}
	aead, err := chacha20poly1305.NewX(raw)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	k := &Key{aead: aead}
	// The id is a hash of the key under a label of its own: it names the
	// key without revealing anything that helps recover it.
	sum := sha256.Sum256(append([]byte("smtpdoctor secretbox key id\x00"), raw...))
	copy(k.id[:], sum[:])
	return k, nil
}

// ID names the key (16 hex digits), for error messages and the database.
func (k *Key) ID() string { return hex.EncodeToString(k.id[:]) }

// String keeps key material out of logs: it prints only the id.
func (k *Key) String() string { return "secretbox.Key{" + k.ID() + "}" }

// GoString is String, for %#v.
func (k *Key) GoString() string { return k.String() }

// Seal encrypts plaintext, bound to ad (say, "monitor:" + id).
func (k *Key) Seal(plaintext []byte, ad string) ([]byte, error) {
	out := make([]byte, 1+idLen+chacha20poly1305.NonceSizeX, overhead+len(plaintext))
	out[0] = version
	copy(out[1:], k.id[:])
	nonce := out[1+idLen:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("secretbox: seal: %w", err)
	}
	return k.aead.Seal(out, nonce, plaintext, []byte(ad)), nil
}

// Open decrypts a box sealed with Seal under the same ad. ErrWrongKey (with
// both key ids in the message) if another key sealed it, ErrDamaged if it
// does not authenticate.
func (k *Key) Open(box []byte, ad string) ([]byte, error) {
	id, err := KeyID(box)
	if err != nil {
		return nil, err
	}
	if id != k.ID() {
		return nil, fmt.Errorf("%w: the box names key %s, this key is %s", ErrWrongKey, id, k.ID())
	}
	nonce := box[1+idLen : 1+idLen+chacha20poly1305.NonceSizeX]
	pt, err := k.aead.Open(nil, nonce, box[1+idLen+chacha20poly1305.NonceSizeX:], []byte(ad))
	if err != nil {
		return nil, ErrDamaged
	}
	return pt, nil
}

// KeyID reads which key sealed a box, without opening it.
func KeyID(box []byte) (string, error) {
	if len(box) < overhead {
		return "", fmt.Errorf("%w: %d bytes is too short for a box", ErrDamaged, len(box))
	}
	if box[0] != version {
		return "", fmt.Errorf("%w: unknown format version %d", ErrDamaged, box[0])
	}
	return hex.EncodeToString(box[1 : 1+idLen]), nil
}
