package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/policy"
)

func TestValidateRefusesInjection(t *testing.T) {
	for _, tc := range []struct{ field, value string }{
		{"host", "smtp.example.com\r\nRCPT TO:<x@evil>"},
		{"host", "smtp.example.com\x00"},
		{"user", "alice\r\nMAIL FROM:<x@evil>"},
		{"user", "alice\nx"},
		{"user", "alice\x00"},
		{"helo", "client.example\r\nRSET"},
		{"from", "a@example.com>\r\nRCPT TO:<b@evil.example"},
		{"to", "b@example.com\nDATA"},
		{"to", "b@example.com\x00"},
		{"port", "587\r\n"},
	} {
		in := probe.Input{Host: "smtp.example.com", Port: "587", User: "alice", Password: "pw"}
		switch tc.field {
		case "host":
			in.Host = tc.value
		case "user":
			in.User = tc.value
		case "helo":
			in.HELO = tc.value
		case "from":
			in.From = tc.value
		case "to":
			in.To = tc.value
		case "port":
			in.Port = tc.value
		}
		_, _, fe := validate(in, policy.New(policy.Config{}))
		if fe[tc.field] == "" {
			t.Errorf("%s=%q accepted; errors %v", tc.field, tc.value, fe)
		}
	}
}

func TestValidateNormalises(t *testing.T) {
	in := probe.Input{Host: " Bücher.example ", Port: "", Security: "SSL", User: "alice", Password: "pw",
		Mech: "LOGIN", From: "<a@bücher.example>", HELO: "client.example"}
	s, sec, fe := validate(in, policy.New(policy.Config{}))
	if fe != nil {
		t.Fatalf("errors: %v", fe)
	}
	// No port with implicit TLS is 465, as on the command line.
	want := probe.Settings{Host: "xn--bcher-kva.example", Port: 465, Security: probe.SecurityTLS, User: "alice",
		Mech: probe.MechLogin, From: "a@xn--bcher-kva.example", HELO: "client.example"}
	if s != want {
		t.Errorf("settings = %+v, want %+v", s, want)
	}
	if sec.Password != "pw" {
		t.Errorf("password not carried")
	}
	s, _, fe = validate(probe.Input{Host: "smtp.example.com:465"}, policy.New(policy.Config{}))
	if fe != nil || s.Port != 465 || s.Host != "smtp.example.com" || s.Security != probe.SecurityAuto {
		t.Errorf("host:port = %+v, %v", s, fe)
	}
}

func TestValidateLimitsAndEnums(t *testing.T) {
	long := strings.Repeat("a", 300)
	for _, tc := range []struct {
		field string
		in    probe.Input
	}{
		{"host", probe.Input{Host: strings.Repeat("a.", 130) + "com"}},
		{"user", probe.Input{Host: "h.example", User: long}},
		{"password", probe.Input{Host: "h.example", User: "u", Password: strings.Repeat("p", 5000)}},
		{"from", probe.Input{Host: "h.example", From: long + "@example.com"}},
		{"helo", probe.Input{Host: "h.example", HELO: long}},
		{"port", probe.Input{Host: "h.example", Port: "0"}},
		{"port", probe.Input{Host: "h.example", Port: "65536"}},
		{"port", probe.Input{Host: "h.example", Port: "25x"}},
		{"security", probe.Input{Host: "h.example", Security: "ssl3"}},
		{"mech", probe.Input{Host: "h.example", Mech: "gssapi"}},
		{"to", probe.Input{Host: "h.example", To: "not-an-address"}},
		{"to", probe.Input{Host: "h.example", Send: true}},
		{"host", probe.Input{Host: ""}},
		{"host", probe.Input{Host: "http://smtp.example.com/"}},
		{"user", probe.Input{Host: "h.example", Password: "pw"}},
	} {
		_, _, fe := validate(tc.in, policy.New(policy.Config{}))
		if fe[tc.field] == "" {
			t.Errorf("%+v: no error on %s (errors %v)", tc.in, tc.field, fe)
		}
	}
}

func TestValidatePortPolicy(t *testing.T) {
	_, _, fe := validate(probe.Input{Host: "smtp.example.com", Port: "2526"}, policy.New(policy.Config{}))
	if !strings.Contains(fe["port"], "--allow-ports") {
		t.Errorf("port 2526: error %q does not say how to allow it", fe["port"])
	}
	for _, p := range []string{"25", "465", "587", "2525"} {
		if _, _, fe := validate(probe.Input{Host: "smtp.example.com", Port: p}, policy.New(policy.Config{})); fe != nil {
			t.Errorf("port %s refused: %v", p, fe)
		}
	}
	ps, _ := policy.ParsePortSet("2500-2600")
	if _, _, fe := validate(probe.Input{Host: "smtp.example.com", Port: "2526"}, policy.New(policy.Config{Ports: ps})); fe != nil {
		t.Errorf("widened port refused: %v", fe)
	}
}

// checkAccepted asserts what must hold for any input validate accepts.
func checkAccepted(t *testing.T, s probe.Settings, sec probe.Secret) {
	t.Helper()
	for name, v := range map[string]string{"host": s.Host, "user": s.User, "from": s.From, "to": s.To, "helo": s.HELO} {
		if probe.HasControl(v) {
			t.Fatalf("accepted %s with a control character: %q", name, v)
		}
	}
	if s.Host == "" || len(s.Host) > probe.MaxHostLength || len(s.User) > probe.MaxUserLength || len(s.From) > probe.MaxAddressLength ||
		len(s.To) > probe.MaxAddressLength || len(s.HELO) > probe.MaxHELOLength || len(sec.Password) > probe.MaxPasswordLength {
		t.Fatalf("accepted out-of-bounds settings %+v", s)
	}
	if s.Port < 1 || s.Port > 65535 || !policy.PortSet(nil).Contains(s.Port) {
		t.Fatalf("accepted port %d", s.Port)
	}
	switch s.Security {
	case probe.SecurityAuto, probe.SecurityStartTLS, probe.SecurityTLS, probe.SecurityNone:
	default:
		t.Fatalf("accepted security %q", s.Security)
	}
	switch s.Mech {
	case probe.MechAuto, probe.MechPlain, probe.MechLogin, probe.MechCRAMMD5, probe.MechXOAUTH2, probe.MechOAUTHBEARER:
	default:
		t.Fatalf("accepted mech %q", s.Mech)
	}
	if !utf8.ValidString(s.User) {
		t.Fatalf("accepted invalid UTF-8 user")
	}
}

func FuzzFormInput(f *testing.F) {
	f.Add("host=smtp.example.com&port=587&security=starttls&user=alice&password=pw&mech=auto")
	f.Add("host=smtp.example.com%0d%0a&port=25")
	f.Add("host=B%C3%BCcher.example&port=465&security=ssl&from=a%40b.example&to=%3Cc%40d.example%3E&send=1")
	f.Add("host=%5B2001%3Adb8%3A%3A1%5D&helo=%5BIPv6%3A2001%3Adb8%3A%3A1%5D")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		s, sec, fe := validate(formInput(v), policy.New(policy.Config{}))
		if fe != nil {
			return
		}
		checkAccepted(t, s, sec)
	})
}

func FuzzAPIInput(f *testing.F) {
	f.Add(`{"host":"smtp.example.com","port":587,"user":"alice","password":"pw"}`)
	f.Add(`{"host":"smtp.example.com","port":"465","security":"tls"}`)
	f.Add(`{"host":"smtp.example.com\r\n","port":25}`)
	f.Add(`{"host":"h.example","pass":"x"}`)
	f.Fuzz(func(t *testing.T, body string) {
		in, err := decodeAPIInput(strings.NewReader(body))
		if err != nil {
			return
		}
		s, sec, fe := validate(in, policy.New(policy.Config{}))
		if fe != nil {
			return
		}
		checkAccepted(t, s, sec)
		if _, err := json.Marshal(s); err != nil {
			t.Fatalf("accepted settings do not marshal: %v", err)
		}
	})
}

func TestDecodeAPIInputRefusesUnknownFields(t *testing.T) {
	if _, err := decodeAPIInput(strings.NewReader(`{"host":"h.example","pass":"x"}`)); err == nil {
		t.Error(`"pass" accepted`)
	}
	in, err := decodeAPIInput(strings.NewReader(`{"host":"h.example","port":2525,"password":"x"}`))
	if err != nil || in.Port != "2525" || in.Password != "x" {
		t.Errorf("decode = %+v, %v", in, err)
	}
}
