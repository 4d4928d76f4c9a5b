package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
)

func TestGuideHasEverySectionAnchor(t *testing.T) {
	e := newEnv(t, Config{})
	resp, body := e.get("/guide")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /guide = %d", resp.StatusCode)
	}
	secs := diagnosis.Guide()
	if len(secs) == 0 {
		t.Fatal("the guide has no sections")
	}
	for _, s := range secs {
		if !strings.Contains(body, `<section id="`+s.ID+`"`) {
			t.Errorf("no anchor for section %q", s.ID)
		}
	}
}
