package probe

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// testKey signs the tokens the tests make; generated once per run.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// makeJWT signs claims with RS256 as Microsoft's identity platform does
// (RFC 7515 compact form).
func makeJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signing := enc(map[string]string{"typ": "JWT", "alg": "RS256", "kid": "test-key"}) + "." + enc(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, testKey(), crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// msClaims are the claims of a Microsoft delegated access token for
// Exchange Online, with identifiers that must never reach a result.
func msClaims(now time.Time, changes map[string]any) map[string]any {
	c := map[string]any{
		"aud":         "https://outlook.office.com",
		"iss":         "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
		"iat":         now.Add(-10 * time.Minute).Unix(),
		"nbf":         now.Add(-10 * time.Minute).Unix(),
		"exp":         now.Add(50 * time.Minute).Unix(),
		"scp":         "SMTP.Send User.Read",
		"upn":         testUser,
		"unique_name": testUser,
		"tid":         "72f988bf-86f1-41af-91ab-2d7cd011db47",
		"oid":         "5e1c1a3d-secret-oid-7a1b",
		"jti":         "jti-that-identifies-the-token",
		"uti":         "uti-that-identifies-the-token",
		"appid":       "d3590ed6-52b3-4102-aeff-aad2292ab01c",
	}
	for k, v := range changes {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// TestTokenReadBeforeSent probes a server that refuses every XOAUTH2
// token the way Exchange Online does, with tokens made here, and checks
// what reading each token found, and that nothing of it is stored.
func TestTokenReadBeforeSent(t *testing.T) {
	now := time.Now()
	srv := smtptest.Start(t, withReplies(smtptest.Script{}, map[string][]string{
		"EHLO": {"250-x", "250 AUTH LOGIN XOAUTH2"},
		"AUTH": {"535 5.7.3 Authentication unsuccessful [BN3PR03CA0067.namprd03.prod.outlook.com]"},
	}))
	for _, c := range []struct {
		name   string
		token  string
		mech   Mechanism
		want   []Code
		words  string // in the detail of the first wanted code
		absent []Code
	}{
		{name: "good delegated token", token: makeJWT(t, msClaims(now, nil)), mech: MechXOAUTH2,
			absent: []Code{CodeOAuthTokenExpired, CodeOAuthWrongAudience, CodeOAuthMissingScope, CodeOAuthUserMismatch}},
		{name: "expired two hours ago", token: makeJWT(t, msClaims(now, map[string]any{"exp": now.Add(-2*time.Hour - 3*time.Minute).Unix()})), mech: MechXOAUTH2,
			want: []Code{CodeOAuthTokenExpired}, words: "2 hours 3 minutes before this test"},
		{name: "graph token", token: makeJWT(t, msClaims(now, map[string]any{"aud": "https://graph.microsoft.com", "scp": "Mail.Send User.Read"})), mech: MechXOAUTH2,
			want: []Code{CodeOAuthWrongAudience}, words: "Microsoft Graph"},
		{name: "graph token by app id", token: makeJWT(t, msClaims(now, map[string]any{"aud": "00000003-0000-0000-c000-000000000000"})), mech: MechXOAUTH2,
			want: []Code{CodeOAuthWrongAudience}},
		{name: "no SMTP.Send", token: makeJWT(t, msClaims(now, map[string]any{"scp": "IMAP.AccessAsUser.All User.Read"})), mech: MechXOAUTH2,
			want: []Code{CodeOAuthMissingScope}, words: "without SMTP.Send"},
		{name: "application token without SendAsApp", token: makeJWT(t, msClaims(now, map[string]any{"scp": nil, "upn": nil, "unique_name": nil, "roles": []string{"Mail.Send"}})), mech: MechXOAUTH2,
			want: []Code{CodeOAuthMissingScope}, words: "SMTP.SendAsApp", absent: []Code{CodeOAuthUserMismatch}},
		{name: "application token with SendAsApp", token: makeJWT(t, msClaims(now, map[string]any{"scp": nil, "upn": nil, "unique_name": nil, "roles": []string{"SMTP.SendAsApp"}})), mech: MechXOAUTH2,
			absent: []Code{CodeOAuthMissingScope, CodeOAuthUserMismatch}},
		{name: "another user's token", token: makeJWT(t, msClaims(now, map[string]any{"upn": "bob@example.com", "unique_name": "bob@example.com"})), mech: MechXOAUTH2,
			want: []Code{CodeOAuthUserMismatch}, words: "bob@example.com"},
		{name: "google refresh token", token: "1//0gLk3-refresh-token-abcdefghijklmnopqrstuvwxyz0123456789", mech: MechXOAUTH2,
			want: []Code{CodeOAuthRefreshToken}},
		{name: "google access token is opaque", token: "ya29.a0AfB_byC-opaque-access-token-0123456789", mech: MechXOAUTH2,
			want: []Code{CodeOAuthOpaqueToken}, words: "tokeninfo"},
		{name: "jwt pasted as a password", token: makeJWT(t, msClaims(now, nil)), mech: MechLogin,
			want: []Code{CodeOAuthTokenAsPassword}, words: "XOAUTH2"},
		{name: "jwt pasted as a password with mech auto", token: makeJWT(t, msClaims(now, nil)), mech: MechAuto,
			want: []Code{CodeOAuthTokenAsPassword}, words: "a password mechanism (PLAIN or LOGIN)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := settingsFor(srv, SecurityNone)
			s.User, s.Mech = testUser, c.mech
			r := runProbe(t, s, c.token, testOptions())
			if r.Failure == nil || r.Failure.Step != StepAuth {
				t.Fatalf("failure %+v", r.Failure)
			}
			for i, code := range c.want {
				o, ok := observation(r, code)
				if !ok {
					t.Errorf("no %s in %+v", code, r.Observations)
					continue
				}
				if i == 0 && !strings.Contains(o.Detail, c.words) {
					t.Errorf("%s detail %q lacks %q", code, o.Detail, c.words)
				}
			}
			for _, code := range c.absent {
				if o, ok := observation(r, code); ok {
					t.Errorf("unexpected %s: %s", code, o.Detail)
				}
			}
			// The token, its signature and its identifying claims stay
			// out of the result.
			assertNoSecret(t, r, testUser, c.token)
			b, _ := json.Marshal(r)
			for _, secret := range []string{"secret-oid", "jti-that-identifies", "uti-that-identifies", "72f988bf-86f1", "d3590ed6-52b3", c.token[len(c.token)-20:]} {
				if strings.Contains(string(b), secret) {
					t.Errorf("result holds %q", secret)
				}
			}
		})
	}
}

func observation(r Result, code Code) (Observation, bool) {
	for _, o := range r.Observations {
		if o.Code == code {
			return o, true
		}
	}
	return Observation{}, false
}

func TestReadJWTRejectsNonTokens(t *testing.T) {
	for _, s := range []string{"", "hunter2", "a.b.c", "eyJhbGciOiJub25lIn0.notbase64!.x", "abc.def"} {
		if _, ok := readJWT(s); ok {
			t.Errorf("readJWT(%q) accepted", s)
		}
	}
}
