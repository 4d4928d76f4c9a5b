package sandbox

import (
	"github.com/smtpdoctor/smtpdoctor/probe"
)

// Example is one ready-made probe of the sandbox, for the dashboard's
// one-click examples and for tests. Password is the public demo password or
// a deliberately wrong one; it is never a real secret.
type Example struct {
	Key         string         `json:"key"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Settings    probe.Settings `json:"settings"`
	Password    string         `json:"password,omitempty"`
	// Expect is the diagnosis code the example is there to show.
	Expect probe.Code `json:"expect"`
}

// Example keys.
const (
	ExampleWorking         = "working"
	ExampleImplicitTLS     = "implicit-tls"
	ExampleWrongPassword   = "wrong-password"
	ExampleRequiresTLS     = "requires-tls"
	ExampleImplicitOnPlain = "implicit-on-plain"
	ExamplePlainOnImplicit = "plain-on-implicit"
	ExampleNoAuth          = "no-auth"
	ExampleRelayDenied     = "relay-denied"
	ExampleExpiredCert     = "expired-cert"
)

// Examples lists the one-click examples, the working ones first.
func (sb *Sandbox) Examples() []Example {
	sub := sb.addrs[ServerSubmission]
	tls := sb.addrs[ServerImplicit]
	mx := sb.addrs[ServerMX]
	expired := sb.addrs[ServerExpired]
	host := sub.Addr().String()
	settings := func(port uint16, sec probe.Security, user string) probe.Settings {
		return probe.Settings{Host: host, Port: int(port), Security: sec, User: user, Mech: probe.MechAuto}
	}
	withMail := func(s probe.Settings, from, to string) probe.Settings {
		s.From, s.To = from, to
		return s
	}
	return []Example{
		{
			Key:   ExampleWorking,
			Title: "Working submission (STARTTLS)",
			Description: "The demo account on a submission server: STARTTLS, then AUTH, MAIL FROM and RCPT TO all succeed. " +
				"User " + DemoUser + ", password " + DemoPassword + ".",
			Settings: withMail(settings(sub.Port(), probe.SecurityStartTLS, DemoUser), DemoUser, "friend@"+Domain),
			Password: DemoPassword,
			Expect:   "ok",
		},
		{
			Key:         ExampleImplicitTLS,
			Title:       "Working submission (implicit TLS)",
			Description: "The same account on the implicit-TLS port (like 465): TLS from the first byte, then AUTH.",
			Settings:    withMail(settings(tls.Port(), probe.SecurityTLS, DemoUser), DemoUser, "friend@"+Domain),
			Password:    DemoPassword,
			Expect:      "ok",
		},
		{
			Key:         ExampleWrongPassword,
			Title:       "Wrong password",
			Description: "The demo account with a password that is not " + DemoPassword + ": the server answers 535 5.7.8.",
			Settings:    settings(sub.Port(), probe.SecurityStartTLS, DemoUser),
			Password:    "not-the-password",
			Expect:      probe.CodeAuthCredentialsRejected,
		},
		{
			Key:   ExampleRequiresTLS,
			Title: "AUTH without TLS",
			Description: "The right password, but security set to none: this server lists AUTH only after STARTTLS, " +
				"so on the unencrypted connection there is no AUTH to use and the login is never sent.",
			Settings: settings(sub.Port(), probe.SecurityNone, DemoUser),
			Password: DemoPassword,
			Expect:   probe.CodeAuthRequiresTLS,
		},
		{
			Key:   ExampleImplicitOnPlain,
			Title: "Implicit TLS on a STARTTLS port",
			Description: "Security set to implicit TLS (the 465 way) against the STARTTLS port (the 587 way): " +
				"the server's plaintext greeting arrives where a TLS handshake was expected.",
			Settings: settings(sub.Port(), probe.SecurityTLS, DemoUser),
			Password: DemoPassword,
			Expect:   probe.CodeTLSImplicitOnPlainPort,
		},
		{
			Key:   ExamplePlainOnImplicit,
			Title: "STARTTLS on an implicit-TLS port",
			Description: "Security set to STARTTLS (the 587 way) against the implicit-TLS port (the 465 way): " +
				"the server waits for a TLS handshake and never sends a plaintext greeting, so this one " +
				"takes a few seconds (half the step timeout, then a TLS handshake to confirm).",
			Settings: settings(tls.Port(), probe.SecurityStartTLS, DemoUser),
			Password: DemoPassword,
			Expect:   probe.CodeTLSPlainOnImplicitPort,
		},
		{
			Key:   ExampleExpiredCert,
			Title: "An expired certificate",
			Description: "The demo account on a server whose TLS certificate expired two days ago: everything else " +
				"works, but a client that checks certificates (as it should) refuses to go on.",
			Settings: settings(expired.Port(), probe.SecurityStartTLS, DemoUser),
			Password: DemoPassword,
			Expect:   probe.CodeTLSCertExpired,
		},
		{
			Key:   ExampleNoAuth,
			Title: "A server that offers no AUTH",
			Description: "An inbound (MX-like) server: it accepts mail for its own domain but offers no AUTH, " +
				"before or after STARTTLS. Submission belongs on the provider's submission host.",
			Settings: settings(mx.Port(), probe.SecurityStartTLS, DemoUser),
			Password: DemoPassword,
			Expect:   probe.CodeAuthNotOffered,
		},
		{
			Key:   ExampleRelayDenied,
			Title: "Sending without a login",
			Description: "No username, and a recipient at another domain: the server refuses to relay with " +
				"554 5.7.1 Relay access denied. Mail for other domains needs AUTH first, on a submission server.",
			Settings: withMail(settings(mx.Port(), probe.SecurityStartTLS, ""), "someone@example.com", "someone@example.net"),
			// relay.denied, whose first step is to log in: no user was given.
			Expect: probe.CodeRelayDenied,
		},
	}
}
