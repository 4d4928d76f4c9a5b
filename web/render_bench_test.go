package web

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/diagnosis"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// transcriptResult is a finished, diagnosed failure whose transcript has n
// lines, as a chatty server produces.
func transcriptResult(n int) probe.Result {
	r := probe.Result{
		ID: "AAAAAAAAAAAAAAAAAAAAAA", Status: probe.StatusDone, StartedAt: time.Now(), DurationMS: 812, Origin: "bench",
		Settings: probe.Settings{Host: "smtp.example.com", Port: 587, Security: probe.SecurityStartTLS, User: "alice@example.com", Mech: probe.MechAuto},
		Steps: []probe.Step{{Name: probe.StepResolve, Status: probe.StepOK}, {Name: probe.StepConnect, Status: probe.StepOK},
			{Name: probe.StepGreeting, Status: probe.StepOK}, {Name: probe.StepEHLO, Status: probe.StepOK},
			{Name: probe.StepStartTLS, Status: probe.StepOK}, {Name: probe.StepEHLOTLS, Status: probe.StepOK},
			{Name: probe.StepAuth, Status: probe.StepFailed, DurationMS: 400}},
		TLS: &probe.TLSInfo{Mode: "starttls", Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ServerName: "smtp.example.com", Verified: true,
			Chain: []probe.Certificate{{Subject: "CN=smtp.example.com", Issuer: "CN=Example CA", DNSNames: []string{"smtp.example.com"}, SHA256: strings.Repeat("ab", 32)}}},
		Server: &probe.ServerInfo{Address: "192.0.2.10:587", Banner: []string{"smtp.example.com ESMTP Postfix"},
			Extensions: []string{"PIPELINING", "STARTTLS", "8BITMIME"}, ExtensionsTLS: []string{"PIPELINING", "AUTH PLAIN LOGIN", "8BITMIME"}},
		Auth: &probe.AuthInfo{OfferedAfterTLS: []string{"PLAIN", "LOGIN"}, Mechanism: "PLAIN"},
		Failure: &probe.Failure{Step: probe.StepAuth, Command: "AUTH PLAIN [redacted]", Reply: 535, Enhanced: "5.7.8",
			Lines: []string{"5.7.8 Error: authentication failed: authentication failure"}},
	}
	for i := range n {
		dir := probe.DirServer
		if i%3 == 0 {
			dir = probe.DirClient
		}
		r.Transcript = append(r.Transcript, probe.Line{AtMS: int64(i), Dir: dir, Text: fmt.Sprintf("250-EXTENSION-%d with <some> & \"text\" to escape", i)})
	}
	diagnosis.Diagnose(&r)
	return r
}

// BenchmarkPermalinkPage renders the permalink page of a finished failure
// with a 200-line transcript (README, Performance).
func BenchmarkPermalinkPage(b *testing.B) {
	v := permalinkView{R: transcriptResult(200), URL: "http://127.0.0.1:8080/p/AAAAAAAAAAAAAAAAAAAAAA"}
	ctx := templ.WithNonce(context.Background(), "bench-nonce")
	b.ReportAllocs()
	for b.Loop() {
		if err := permalinkPage(v).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// A capped free-text count says "more than", not a number that looks exact.
func TestHistoryShowsCappedCounts(t *testing.T) {
	v := historyView{Counts: store.Counts{Total: store.SearchCountCap + 1, Capped: true}}
	var b strings.Builder
	if err := historyPage(v).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "More than 10000 match") || strings.Contains(b.String(), "10001 in all") {
		t.Errorf("capped counts not said as such")
	}
}
