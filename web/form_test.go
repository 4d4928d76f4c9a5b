package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestFormRenders(t *testing.T) {
	e := newEnv(t, Config{})
	resp, body := e.get("/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d", resp.StatusCode)
	}
	for _, want := range []string{`<label for="host">`, `name="password" type="password" autocomplete="off"`, `value="587"`, `<option value="auto" selected>`} {
		if !strings.Contains(body, want) {
			t.Errorf("form lacks %q", want)
		}
	}
}

func TestFormPresetWithoutJS(t *testing.T) {
	e := newEnv(t, Config{})
	_, body := e.get("/?preset=gmail")
	if !strings.Contains(body, `value="smtp.gmail.com"`) {
		t.Errorf("?preset=gmail did not fill the host")
	}
}

func TestFormBadInputKeepsFieldsButNotPassword(t *testing.T) {
	e := newEnv(t, Config{})
	resp, body := e.postForm("/probes", url.Values{
		"host": {"smtp.example.com"}, "port": {"99999"}, "user": {"alice@example.com"},
		"password": {"hunter2-secret"}, "security": {"tls"},
	})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status = %d, want 400", resp.StatusCode)
	}
	for _, want := range []string{`value="smtp.example.com"`, `value="alice@example.com"`, `value="99999"`, "from 1 to 65535", `<option value="tls" selected>`, "password was not kept"} {
		if !strings.Contains(body, want) {
			t.Errorf("re-rendered form lacks %q", want)
		}
	}
	if strings.Contains(body, "hunter2-secret") {
		t.Errorf("re-rendered form contains the password")
	}
}

// A port typed in the host field wins over the port field, which starts
// filled in with 587.
func TestPortInHostWins(t *testing.T) {
	in := formInput(url.Values{"host": {"smtp.example.com:465"}, "port": {"587"}, "security": {"auto"}})
	if in.Port != "465" {
		t.Errorf("port %q, want the host's 465", in.Port)
	}
	in = formInput(url.Values{"host": {"[2001:db8::1]:2525"}, "port": {"587"}})
	if in.Port != "2525" {
		t.Errorf("port %q, want the host's 2525", in.Port)
	}
	in = formInput(url.Values{"host": {"smtp.example.com"}, "port": {"587"}})
	if in.Port != "587" {
		t.Errorf("port %q, want the field's 587", in.Port)
	}
}
