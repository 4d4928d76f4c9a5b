package diagnosis

import (
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// result builds a finished Result as the probe would record it for a
// conversation that failed at step with reply (lines are the text after
// "NNN-"/"NNN ", as the probe stores them). By default the connection ran
// STARTTLS on port 587, AUTH PLAIN LOGIN was offered after TLS, and a
// username was given; options change that.
func result(host string, step string, reply int, lines ...string) *probe.Result {
	r := &probe.Result{
		Status:    probe.StatusDone,
		StartedAt: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC),
		Settings: probe.Settings{
			Host: host, Port: 587, Security: probe.SecurityAuto,
			User: "alice@example.com", Mech: probe.MechAuto,
		},
		Server: &probe.ServerInfo{
			Address:       "192.0.2.10:587",
			Banner:        []string{host + " ESMTP ready"},
			EHLODomain:    host,
			Extensions:    []string{"PIPELINING", "SIZE 35882577", "STARTTLS", "ENHANCEDSTATUSCODES", "8BITMIME"},
			ExtensionsTLS: []string{"PIPELINING", "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES"},
		},
		TLS:  &probe.TLSInfo{Mode: "starttls", Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ServerName: host, Verified: true},
		Auth: &probe.AuthInfo{OfferedAfterTLS: []string{"PLAIN", "LOGIN"}, Mechanism: "PLAIN"},
	}
	if step != "" {
		cmd := map[string]string{
			probe.StepAuth: "AUTH PLAIN [redacted]", probe.StepMail: "MAIL FROM:<alice@example.com>",
			probe.StepRcpt: "RCPT TO:<bob@example.net>", probe.StepEHLO: "EHLO client.example.org",
			probe.StepStartTLS: "STARTTLS", probe.StepData: "DATA",
		}[step]
		enh := ""
		if len(lines) > 0 {
			enh = leadingEnhanced(lines[0])
		}
		r.Failure = &probe.Failure{Step: step, Command: cmd, Reply: reply, Enhanced: enh, Lines: lines}
	}
	if step == probe.StepMail || step == probe.StepRcpt || step == probe.StepData {
		r.Auth.Succeeded = true
		r.Settings.From = "alice@example.com"
		r.Settings.To = "bob@example.net"
	}
	return r
}

// Options for result.

func plaintext(r *probe.Result) {
	r.TLS = nil
	r.Settings.Security = probe.SecurityNone
	r.Auth.OfferedAfterTLS = nil
}

func noUser(r *probe.Result) {
	r.Settings.User = ""
	r.Auth = nil
}

func user(u string) func(*probe.Result) {
	return func(r *probe.Result) { r.Settings.User = u }
}

func mech(m probe.Mechanism) func(*probe.Result) {
	return func(r *probe.Result) {
		r.Settings.Mech = m
		r.Auth.Mechanism = strings.ToUpper(string(m))
	}
}

func banner(lines ...string) func(*probe.Result) {
	return func(r *probe.Result) { r.Server.Banner = lines; r.Server.EHLODomain = "" }
}

func observe(code, detail string) func(*probe.Result) {
	return func(r *probe.Result) {
		r.Observations = append(r.Observations, probe.Observation{Code: probe.Code(code), Detail: detail})
	}
}

func probeCode(code, err string) func(*probe.Result) {
	return func(r *probe.Result) {
		r.Failure.Code = probe.Code(code)
		r.Failure.Err = err
	}
}

func with(r *probe.Result, opts ...func(*probe.Result)) *probe.Result {
	for _, o := range opts {
		o(r)
	}
	return r
}
