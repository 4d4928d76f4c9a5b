package probe

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
)

// A server that greets late (Postfix postscreen's greet pause, a loaded
// server) but within the step must still be read, even though the probe
// spends the silent half of the step checking for implicit TLS.
func TestSlowGreetingWithinTheStepIsRead(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				// 70% of the step: past the half at which the TLS check
				// starts, before the step ends. The second connection
				// (the TLS check) gets the same slow banner, which is
				// not a TLS record.
				time.Sleep(testStep * 7 / 10)
				c.Write([]byte("220 slow.example.test ESMTP\r\n"))
				rd := bufio.NewReader(c)
				for {
					line, err := rd.ReadString('\n')
					if err != nil {
						return
					}
					switch strings.ToUpper(strings.Fields(line + " x")[0]) {
					case "EHLO":
						c.Write([]byte("250-slow.example.test\r\n250 8BITMIME\r\n"))
					case "QUIT":
						c.Write([]byte("221 bye\r\n"))
						return
					default:
						c.Write([]byte("500 what\r\n"))
					}
				}
			}(c)
		}
	}()
	addr := ln.Addr().(*net.TCPAddr)
	r := runProbe(t, Settings{Host: "127.0.0.1", Port: addr.Port, Security: SecurityNone, HELO: "client.example.test"}, "", testOptions())
	if r.Failure != nil {
		t.Fatalf("a greeting within the step was missed: %+v\n%s", r.Failure, transcriptText(r))
	}
	if len(r.Server.Banner) == 0 || !strings.Contains(r.Server.Banner[0], "slow.example.test") {
		t.Errorf("banner %v", r.Server.Banner)
	}
	if !strings.Contains(transcriptText(r), "checking with a TLS handshake") {
		t.Errorf("the silent half did not start the implicit-TLS check:\n%s", transcriptText(r))
	}
}

// Against a tarpit the implicit-TLS check runs inside the greeting step,
// while the first connection still waits, so the diagnosis comes at the
// step's deadline rather than after a second one (the load tool measures
// it; tests assert no timings).
func TestTarpitChecksImplicitTLSWhileWaiting(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Script{Greeting: []string{smtptest.Hang}})
	r := runProbe(t, settingsFor(srv, SecurityStartTLS), "", testOptions())
	if r.Failure == nil || r.Failure.Code != CodeSMTPNoGreeting || r.Failure.Step != StepGreeting {
		t.Fatalf("failure %+v, want %s at the greeting", r.Failure, CodeSMTPNoGreeting)
	}
	text := transcriptText(r)
	if !strings.Contains(text, "while still waiting") {
		t.Errorf("the TLS check did not run during the greeting wait:\n%s", text)
	}
}
