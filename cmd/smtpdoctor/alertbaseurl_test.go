package main

import (
	"testing"

	"github.com/smtpdoctor/smtpdoctor/web"
)

// Alert links use --public-url when it is set: the listen address
// (127.0.0.1 behind a reverse proxy, say) is not where people click.
func TestAlertBaseURL(t *testing.T) {
	public, err := web.ParsePublicURL("https://SMTPdoctor.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		got    string
		expect string
	}{
		{"public URL", alertBaseURL(public, "127.0.0.1:8080"), "https://smtpdoctor.example.com"},
		{"listen address", alertBaseURL(nil, "127.0.0.1:8080"), "http://127.0.0.1:8080"},
	} {
		if tc.got != tc.expect {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.expect)
		}
	}
}
