package probe

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// secretForms are every encoding of the secret that must never appear.
func secretForms(user, pass string) []string {
	enc := base64.StdEncoding.EncodeToString
	return []string{
		pass,
		enc([]byte(pass)),
		enc(plainMessage(user, pass)),
		enc(xoauth2Message(user, pass)),
		enc(oauthBearerMessage(user, pass)),
		strings.TrimRight(enc([]byte(pass)), "="),
	}
}

func assertNoSecret(t *testing.T, r Result, user, pass string) {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range secretForms(user, pass) {
		if strings.Contains(string(b), f) {
			t.Fatalf("result contains a form of the secret (%q):\n%s", f, b)
		}
	}
}

// TestSecretNeverInResult runs every mechanism, successful and refused,
// against servers that even echo what they received, and checks the JSON.
func TestSecretNeverInResult(t *testing.T) {
	const pass = "Tr0ub4dor&3-unique-secret"
	// echo repeats every client line back inside its reply: a hostile or
	// buggy server must not get the secret into the transcript either.
	echo := func(s *smtptest.Session, line string) bool {
		if strings.HasPrefix(line, "AUTH") || (!strings.Contains(line, " ") && line != "QUIT" && line != "STARTTLS") {
			s.Reply(smtptest.Reply(535, "5.7.8 bad credentials: "+line, "5.7.8 password was "+pass)...)
			return true
		}
		return false
	}
	for _, mech := range []Mechanism{MechPlain, MechLogin, MechCRAMMD5, MechXOAUTH2, MechOAUTHBEARER} {
		for _, hostile := range []bool{false, true} {
			t.Run(string(mech), func(t *testing.T) {
				script := smtptest.Script{
					Replies: map[string][]string{"EHLO": {"250-x", "250 AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER"}},
					User:    testUser, Password: pass,
				}
				switch mech {
				case MechCRAMMD5:
					script.Replies["AUTH"] = []string{"334 PDEyMzRAZXhhbXBsZT4=", "535 5.7.8 no"}
				case MechXOAUTH2, MechOAUTHBEARER:
					script.Replies["AUTH"] = []string{"334 eyJzdGF0dXMiOiI0MDEifQ==", "535 5.7.8 no"}
				}
				if hostile {
					script.Hook = echo
				}
				srv := smtptest.Start(t, script)
				s := settingsFor(srv, SecurityNone)
				s.User, s.Mech = testUser, mech
				r := runProbe(t, s, pass, testOptions())
				if r.Auth == nil || r.Auth.Mechanism != strings.ToUpper(string(mech)) {
					t.Fatalf("auth %+v\n%s", r.Auth, transcriptText(r))
				}
				assertNoSecret(t, r, testUser, pass)
				if hostile && !strings.Contains(transcriptText(r), "[redacted]") {
					t.Errorf("echoed secret not scrubbed:\n%s", transcriptText(r))
				}
			})
		}
	}
}
