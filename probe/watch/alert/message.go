// Package alert delivers a monitor's events: the webhook body smtpdoctor
// documents, the formats Slack, Microsoft Teams, Discord and ntfy accept,
// and email through an SMTP server set up for alerts. Every delivery is
// tried again with back-off when it fails for a reason that may pass, and
// every try is recorded (Sender.Record), so a failed alert is never a
// silent one.
//
// Alerts go out to addresses people typed, so they pass the same target
// policy as probes: the HTTP client and the SMTP dial check each address
// they are about to connect to, after resolution (a name that resolves
// differently the second time cannot slip past). No alert body ever holds
// a password: a Message has no field for one.
package alert

import (
	"fmt"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

// Message is one alert, and as JSON it is the webhook body:
//
//	{"event": "failing", "at": "2026-11-30T03:12:09Z",
//	 "monitor": {"id": "...", "name": "Office relay", "url": "https://.../monitors/..."},
//	 "attempt": {"id": "...", "url": "https://.../p/...", "outcome": "failure",
//	             "diagnosis": {"code": "auth.credentials_rejected", "title": "..."}},
//	 "detail": "..."}
//
// attempt is null for a test alert of a monitor that has not run yet.
type Message struct {
	Event   watch.EventKind `json:"event"`
	At      time.Time       `json:"at"`
	Monitor MonitorRef      `json:"monitor"`
	Attempt *AttemptRef     `json:"attempt"`
	// Detail is one more sentence for people (a certificate's expiry date,
	// the login hold); empty when there is nothing to add.
	Detail string `json:"detail,omitempty"`
}

// MonitorRef names the monitor and links to its page.
type MonitorRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// AttemptRef names the run behind the event and links to its permalink.
type AttemptRef struct {
	ID        string        `json:"id"`
	URL       string        `json:"url"`
	Outcome   probe.Outcome `json:"outcome"`
	Diagnosis DiagnosisRef  `json:"diagnosis"`
}

// DiagnosisRef is the diagnosis's code and title.
type DiagnosisRef struct {
	Code  probe.Code `json:"code"`
	Title string     `json:"title"`
}

// NewMessage builds the message for an event of monitor m. baseURL is the
// dashboard's public address ("https://smtpdoctor.example.com"), without a
// trailing slash.
func NewMessage(baseURL string, m watch.Monitor, ev watch.Event) Message {
	baseURL = strings.TrimRight(baseURL, "/")
	msg := Message{
		Event:   ev.Kind,
		At:      ev.At.UTC().Truncate(time.Second),
		Monitor: MonitorRef{ID: m.ID, Name: m.Name, URL: baseURL + "/monitors/" + m.ID},
		Detail:  ev.Detail,
	}
	if ev.AttemptID != "" {
		msg.Attempt = &AttemptRef{
			ID: ev.AttemptID, URL: baseURL + "/p/" + ev.AttemptID, Outcome: ev.Outcome,
			Diagnosis: DiagnosisRef{Code: ev.Code, Title: ev.Title},
		}
	}
	return msg
}

// Headline is the message in one line, for subjects, titles and chat.
func (m Message) Headline() string {
	title := ""
	if m.Attempt != nil {
		title = m.Attempt.Diagnosis.Title
	}
	name := oneLine(m.Monitor.Name)
	switch m.Event {
	case watch.EventFailing:
		return fmt.Sprintf("%s is failing: %s", name, title)
	case watch.EventRecovered:
		return fmt.Sprintf("%s recovered", name)
	case watch.EventChanged:
		return fmt.Sprintf("%s is still failing, for a new reason: %s", name, title)
	case watch.EventCertExpiring:
		return fmt.Sprintf("%s: the server's certificate expires soon", name)
	case watch.EventBasicAuthRetiring:
		return fmt.Sprintf("%s: Microsoft 365 is switching basic-auth SMTP off", name)
	case watch.EventTest:
		return fmt.Sprintf("Test alert for %s", name)
	}
	return fmt.Sprintf("%s: %s", name, m.Event)
}

// Lines are the message body for people, one line each: what happened,
// the diagnosis, the detail, and the links.
func (m Message) Lines() []string {
	var ls []string
	if m.Event == watch.EventTest {
		ls = append(ls, "This is a test alert from smtpdoctor: this channel works.")
	}
	if m.Attempt != nil && m.Attempt.Diagnosis.Code != "" {
		ls = append(ls, fmt.Sprintf("Diagnosis: %s (%s)", oneLine(m.Attempt.Diagnosis.Title), m.Attempt.Diagnosis.Code))
	}
	if m.Detail != "" {
		ls = append(ls, oneLine(m.Detail))
	}
	if m.Attempt != nil {
		ls = append(ls, "Attempt: "+m.Attempt.URL)
	}
	ls = append(ls, "Monitor: "+m.Monitor.URL)
	return ls
}

// Link is the permalink of the attempt, else the monitor's page.
func (m Message) Link() string {
	if m.Attempt != nil {
		return m.Attempt.URL
	}
	return m.Monitor.URL
}

// oneLine keeps text that people or servers wrote from breaking a header or
// a line: control characters become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
