// Package snippet turns the settings that worked in a probe into
// configuration for the mail client people actually use: Nodemailer,
// PHPMailer, Symfony, Laravel, Django, Python's smtplib, Go, MailKit,
// Jakarta Mail and Spring Boot, Action Mailer, WP Mail SMTP, Postfix as a
// relay client, msmtp, the manual settings of Thunderbird and Outlook, and
// the swaks, openssl and curl command lines that replay the same
// conversation.
//
// A diagnosis such as "use implicit TLS on 465" has a different spelling in
// every library (secure: true, EMAIL_USE_SSL, smtps://, SslOnConnect), and
// getting the spelling wrong is the most common way a working account ends
// up failing. The snippets spell it for each one.
//
// No snippet ever contains a password or token: each reads it from the
// place its ecosystem keeps secrets (an environment variable, a secret file,
// msmtp's passwordeval). The package knows nothing of HTTP or storage.
package snippet

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// PasswordEnv and TokenEnv are the environment variables the snippets read
// the secret from, where the ecosystem has no name of its own for it.
const (
	PasswordEnv = "SMTP_PASSWORD"
	TokenEnv    = "SMTP_OAUTH_TOKEN"
)

// Input is what worked: the settings a client needs to do the same.
type Input struct {
	Host string
	Port int
	// Security is tls (implicit TLS from the first byte), starttls or
	// none; never auto, which FromResult resolves from what the probe did.
	Security probe.Security
	// Mech is the SASL mechanism that succeeded; empty or auto lets the
	// client choose. Ignored without a User.
	Mech probe.Mechanism
	// User is the AUTH username; empty means the server took mail
	// without AUTH.
	User string
	From string
	To   string
	// LoginUntested says the probe did not log in (no username was
	// given, as in "try all ports") although the server offers AUTH: User
	// is then a placeholder to replace, and the login is the one part
	// of the snippets no probe has proven.
	LoginUntested bool
	// CAFile, when set, is a PEM file of extra trusted certificates (an
	// internal CA) that each snippet passes to its client's CA option.
	CAFile string
}

// OAuth says whether the secret is an OAuth access token rather than a
// password.
func (in Input) OAuth() bool {
	return in.User != "" && (in.Mech == probe.MechXOAUTH2 || in.Mech == probe.MechOAUTHBEARER)
}

// Auth says whether the snippets log in at all.
func (in Input) Auth() bool { return in.User != "" }

// secretEnv is the variable the secret comes from.
func (in Input) secretEnv() string {
	if in.OAuth() {
		return TokenEnv
	}
	return PasswordEnv
}

// mechUpper is the mechanism as SMTP spells it (PLAIN, XOAUTH2), or "".
func (in Input) mechUpper() string {
	if !in.Auth() || in.Mech == "" || in.Mech == probe.MechAuto {
		return ""
	}
	return strings.ToUpper(string(in.Mech))
}

// sender and recipient fall back on the user, so that a snippet that sends
// a test message has addresses to use.
func (in Input) sender() string {
	switch {
	case in.From != "":
		return in.From
	case strings.Contains(in.User, "@"):
		return in.User
	}
	return "you@example.com"
}

func (in Input) recipient() string {
	if in.To != "" {
		return in.To
	}
	return in.sender()
}

// hostIsIP matters to clients that verify an IP address differently from a
// name (openssl's -verify_ip).
func (in Input) hostIsIP() bool {
	_, err := netip.ParseAddr(in.Host)
	return err == nil
}

// Validate says what is missing or contradictory, so a caller gets a clear
// error instead of a snippet that cannot work.
func (in Input) Validate() error {
	if in.Host == "" {
		return fmt.Errorf("snippet: no host: the snippets need the server that worked")
	}
	if strings.ContainsAny(in.Host, " \t\r\n/'\"\\") {
		return fmt.Errorf("snippet: host %q is not a host name or address", in.Host)
	}
	if in.Port < 1 || in.Port > 65535 {
		return fmt.Errorf("snippet: port %d is out of range (1-65535)", in.Port)
	}
	switch in.Security {
	case probe.SecurityTLS, probe.SecurityStartTLS, probe.SecurityNone:
	default:
		return fmt.Errorf("snippet: security %q: want tls, starttls or none (auto is resolved from what the probe did)", in.Security)
	}
	for name, v := range map[string]string{"user": in.User, "from": in.From, "to": in.To, "CA file": in.CAFile} {
		if strings.ContainsAny(v, "\r\n\x00") {
			return fmt.Errorf("snippet: the %s contains a line break or NUL", name)
		}
	}
	return nil
}

// Group says where a snippet belongs on the page.
type Group string

const (
	// GroupConfig is configuration for a library, framework or program.
	GroupConfig Group = "config"
	// GroupReproduce is a command line that replays the conversation.
	GroupReproduce Group = "reproduce"
)

// Snippet is one client's configuration.
type Snippet struct {
	Client   string `json:"client"`   // stable name: "nodemailer", "django", "swaks"
	Title    string `json:"title"`    // for people: "Nodemailer (Node.js)"
	Language string `json:"language"` // what the text is: "javascript", "php", "shell", "ini", "text"
	Group    Group  `json:"group"`
	Text     string `json:"text"`
}

// client is one generator.
type client struct {
	name, title, language string
	group                 Group
	gen                   func(Input) string
}

// clients in the order the page shows them: the libraries people ask about
// most first, then servers and mail programs, then the replays.
var clients = []client{
	{"nodemailer", "Nodemailer (Node.js)", "javascript", GroupConfig, nodemailer},
	{"phpmailer", "PHPMailer", "php", GroupConfig, phpmailer},
	{"symfony", "Symfony Mailer (DSN)", "yaml", GroupConfig, symfony},
	{"laravel", "Laravel (.env)", "dotenv", GroupConfig, laravel},
	{"django", "Django (settings.py)", "python", GroupConfig, django},
	{"python", "Python smtplib", "python", GroupConfig, pythonSMTPLib},
	{"go", "Go (net/smtp)", "go", GroupConfig, goNetSMTP},
	{"go-mail", "Go (go-mail v0.8.1)", "go", GroupConfig, goMail},
	{"mailkit", ".NET (MailKit)", "csharp", GroupConfig, mailkit},
	{"jakarta-mail", "Java (Jakarta Mail)", "java", GroupConfig, jakartaMail},
	{"spring-boot", "Spring Boot (application.properties)", "properties", GroupConfig, springBoot},
	{"rails", "Ruby on Rails (Action Mailer)", "ruby", GroupConfig, actionMailer},
	{"wordpress", "WordPress (WP Mail SMTP)", "php", GroupConfig, wordpress},
	{"postfix", "Postfix as a relay client", "shell", GroupConfig, postfixRelay},
	{"msmtp", "msmtp (~/.msmtprc)", "ini", GroupConfig, msmtp},
	{"thunderbird", "Thunderbird (manual setup)", "text", GroupConfig, thunderbird},
	{"outlook", "Outlook (manual setup)", "text", GroupConfig, outlook},
	{"swaks", "swaks", "shell", GroupReproduce, swaks},
	{"openssl", "openssl s_client", "shell", GroupReproduce, opensslClient},
	{"curl", "curl", "shell", GroupReproduce, curl},
}

// Clients are the names All and For know, in page order.
func Clients() []string {
	out := make([]string, len(clients))
	for i, c := range clients {
		out[i] = c.name
	}
	return out
}

// All renders every client's snippet for in.
func All(in Input) ([]Snippet, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	out := make([]Snippet, 0, len(clients))
	for _, c := range clients {
		out = append(out, c.render(in))
	}
	return out, nil
}

// For renders one client's snippet; the name is one of Clients.
func For(name string, in Input) (Snippet, error) {
	i := slices.IndexFunc(clients, func(c client) bool { return c.name == name })
	if i < 0 {
		return Snippet{}, fmt.Errorf("snippet: no client %q; choose one of %s", name, strings.Join(Clients(), ", "))
	}
	if err := in.Validate(); err != nil {
		return Snippet{}, err
	}
	return clients[i].render(in), nil
}

func (c client) render(in Input) Snippet {
	return Snippet{Client: c.name, Title: c.title, Language: c.language, Group: c.group, Text: c.gen(in)}
}
