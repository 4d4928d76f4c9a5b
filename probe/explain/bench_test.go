package explain

import (
	"fmt"
	"strings"
	"testing"
)

// postfixLog is a mail log of about size bytes: password guessing from
// many addresses, one client failing every five minutes, and the usual
// connect and disconnect lines.
func postfixLog(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		m, s := (i/60)%60, i%60
		ip := fmt.Sprintf("203.0.%d.%d", (i/250)%250, i%250)
		fmt.Fprintf(&b, "Nov 14 %02d:%02d:%02d mail postfix/smtpd[%d]: connect from unknown[%s]\n", 9+i/3600%10, m, s, 1000+i, ip)
		fmt.Fprintf(&b, "Nov 14 %02d:%02d:%02d mail postfix/smtpd[%d]: warning: unknown[%s]: SASL LOGIN authentication failed: UGFzc3dvcmQ6\n", 9+i/3600%10, m, s, 1000+i, ip)
		fmt.Fprintf(&b, "Nov 14 %02d:%02d:%02d mail postfix/smtpd[%d]: disconnect from unknown[%s] ehlo=1 auth=0/1 commands=1/2\n", 9+i/3600%10, m, s, 1000+i, ip)
	}
	return b.String()[:size]
}

// BenchmarkExplainPostfixLog1MiB measures a full mail log at the size
// bound: recognised, read, aggregated and diagnosed.
func BenchmarkExplainPostfixLog1MiB(b *testing.B) {
	text := postfixLog(MaxInput)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		res, _ := explain(text, testNow)
		if res.LogSummary == nil || res.LogSummary.Failures == 0 {
			b.Fatal("the log was not read")
		}
	}
}

// BenchmarkExplainTranscript1MiB measures a client transcript at the size
// bound (a debug log of many sessions).
func BenchmarkExplainTranscript1MiB(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < MaxInput {
		sb.WriteString("2018-06-14 21:46:58 SERVER -> CLIENT: 220 smtp.example.com ESMTP\n2018-06-14 21:46:58 CLIENT -> SERVER: EHLO localhost\n" +
			"2018-06-14 21:46:58 SERVER -> CLIENT: 250-smtp.example.com250-SIZE 35882577250-AUTH LOGIN PLAIN250 SMTPUTF8\n" +
			"2018-06-14 21:46:59 CLIENT -> SERVER: AUTH LOGIN\n2018-06-14 21:46:59 SERVER -> CLIENT: 334 VXNlcm5hbWU6\n")
	}
	text := sb.String()[:MaxInput]
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		explain(text, testNow)
	}
}
