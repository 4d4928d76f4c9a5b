package watch

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// AlertType is where an alert goes and in which format.
type AlertType string

const (
	// AlertWebhook posts the documented JSON body (see probe/watch/alert).
	AlertWebhook AlertType = "webhook"
	// AlertSlack posts to a Slack incoming webhook.
	AlertSlack AlertType = "slack"
	// AlertTeams posts an Adaptive Card to a Microsoft Teams workflow
	// webhook.
	AlertTeams AlertType = "teams"
	// AlertDiscord posts to a Discord channel webhook.
	AlertDiscord AlertType = "discord"
	// AlertNtfy publishes to an ntfy topic URL.
	AlertNtfy AlertType = "ntfy"
	// AlertEmail sends a message through an SMTP server set up for alerts.
	AlertEmail AlertType = "email"
)

// AlertTypes lists every type, for forms and error messages.
var AlertTypes = []AlertType{AlertWebhook, AlertSlack, AlertTeams, AlertDiscord, AlertNtfy, AlertEmail}

// MaxAlerts bounds the channels of one monitor.
const MaxAlerts = 10

// Alert is one channel a monitor's events go to.
type Alert struct {
	Type AlertType `json:"type"`
	// URL is the webhook or topic address (every type but email).
	URL string `json:"url,omitempty"`
	// To is the recipient of an email alert.
	To string `json:"to,omitempty"`
	// SMTP is the server an email alert is sent through; its From is the
	// sender. Its password, if any, is kept encrypted beside the monitor,
	// never here.
	SMTP *probe.Settings `json:"smtp,omitempty"`
	// HasSecret says the SMTP server's password is kept.
	HasSecret bool `json:"has_secret,omitempty"`
	// URLSealed says the address is kept sealed beside the monitor
	// (SlotAlertURL): the stored URL is then only Target's scheme and
	// host, and the service opens the real one into memory at start.
	URLSealed bool `json:"url_sealed,omitempty"`
}

// Sealable says the alert has an address to keep sealed (every type but
// email, whose recipient and server are no credentials).
func (a Alert) Sealable() bool { return a.Type != AlertEmail && a.URL != "" }

// Validate checks one channel, saying what to fix.
func (a Alert) Validate() error {
	switch a.Type {
	case AlertWebhook, AlertSlack, AlertTeams, AlertDiscord, AlertNtfy:
		return validateURL(a.URL)
	case AlertEmail:
		var errs []error
		if _, err := mail.ParseAddress(a.To); err != nil || strings.ContainsAny(a.To, "\r\n") {
			errs = append(errs, fmt.Errorf("to: %q is not an email address", a.To))
		}
		if a.SMTP == nil || a.SMTP.Host == "" || a.SMTP.Port == 0 {
			errs = append(errs, errors.New("smtp: the server to send alerts through needs a host and a port"))
		} else if a.SMTP.From == "" {
			errs = append(errs, errors.New("smtp.from: the sender address alerts come from"))
		}
		return errors.Join(errs...)
	case "":
		return fmt.Errorf("type: missing; one of %s", typeList())
	default:
		return fmt.Errorf("type %q: not a channel; one of %s", a.Type, typeList())
	}
}

func typeList() string {
	var s []string
	for _, t := range AlertTypes {
		s = append(s, string(t))
	}
	return strings.Join(s, ", ")
}

func validateURL(raw string) error {
	if raw == "" {
		return errors.New("url: missing; paste the webhook or topic address")
	}
	if len(raw) > 2000 {
		return fmt.Errorf("url: %d characters, at most 2000", len(raw))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("url %q: %w", raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("url %q: want an http:// or https:// address", raw)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("url %q: no host", raw)
	}
	if u.User != nil {
		return errors.New("url: user:password@ in the address is not kept; use a token in the path, as Slack, Teams and Discord do")
	}
	return nil
}

// Target is where an alert goes, for logs and pages: scheme and host only,
// because webhook paths (Slack's, Discord's) are credentials in themselves.
func (a Alert) Target() string {
	if a.Type == AlertEmail {
		host := ""
		if a.SMTP != nil {
			host = fmt.Sprintf(" via %s:%d", a.SMTP.Host, a.SMTP.Port)
		}
		return a.To + host
	}
	u, err := url.Parse(a.URL)
	if err != nil {
		return string(a.Type)
	}
	s := u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" {
		s += "/…"
	}
	return s
}
