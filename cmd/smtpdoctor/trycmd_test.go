package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
	"github.com/smtpdoctor/smtpdoctor/probe/report"
)

func TestMergeCombosKeepsDiscoveredFirst(t *testing.T) {
	got := mergeCombos([]discover.Combo{{Port: 2525, Security: probe.SecurityStartTLS}}, discover.DefaultCombos())
	if len(got) != 4 || got[0].Port != 2525 {
		t.Fatalf("got %+v: want the discovered 2525 first and no duplicate", got)
	}
}

func TestMatrixNamesTheBestPort(t *testing.T) {
	m := discover.Matrix{Host: "mail.example.com", Best: 1, Rows: []discover.Row{
		{Port: 465, Security: probe.SecurityTLS, Code: "net.timeout"},
		{Port: 587, Security: probe.SecurityStartTLS, Answered: true, STARTTLS: true, TLS: true, TLSVerified: true, AuthAfterTLS: []string{"PLAIN", "LOGIN"}, Code: "ok"},
	}}
	var b bytes.Buffer
	writeMatrix(&b, m, report.Palette{})
	out := b.String()
	for _, want := range []string{"> 587", "PLAIN LOGIN", "Use port 587 with security starttls", "net.timeout"} {
		if !strings.Contains(out, want) {
			t.Errorf("matrix lacks %q:\n%s", want, out)
		}
	}
}
