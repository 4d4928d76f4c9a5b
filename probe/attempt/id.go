package attempt

import (
	"crypto/rand"
	"encoding/base64"
)

// Permalink ids are 128 random bits in unpadded base64url: 22 characters,
// URL-safe, unguessable. The permalink is the only thing that guards an
// attempt when public permalinks are on, so the id must not be enumerable.
const idLen = 22

var idEncoding = base64.RawURLEncoding.Strict()

// NewID returns a fresh permalink id.
func NewID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	return idEncoding.EncodeToString(b[:])
}

// ParseID accepts exactly the ids NewID makes: 22 base64url characters that
// decode to 16 bytes with zero padding bits, so every id has one spelling.
// Anything else is refused before it reaches the store or a log line.
func ParseID(s string) (string, bool) {
	if len(s) != idLen {
		return "", false
	}
	b, err := idEncoding.DecodeString(s)
	if err != nil || len(b) != 16 {
		return "", false
	}
	return s, true
}
