package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/service"
)

// monitorInput is a monitor as typed, before validation: the API's JSON
// body and the form both fill one, and one function (toMonitor) reads it.
type monitorInput struct {
	Name      string
	Settings  probe.Input
	Password  string
	Interval  string
	FailAfter int
	CertDays  int
	Alerts    []alertInput
}

type alertInput struct {
	Type     string
	URL      string
	To       string
	SMTP     probe.Input
	Password string
}

// apiMonitorRequest is the JSON body of POST /api/v1/monitors.
type apiMonitorRequest struct {
	Name      string            `json:"name"`
	Settings  apiSettings       `json:"settings"`
	Password  string            `json:"password"`
	Interval  json.RawMessage   `json:"interval"`
	FailAfter int               `json:"fail_after"`
	CertDays  int               `json:"cert_days"`
	Alerts    []apiAlertRequest `json:"alerts"`
}

// apiSettings are the probe settings inside a monitor request, as in a
// result's "settings" (the port a number or a string holding one).
type apiSettings struct {
	Host     string      `json:"host"`
	Port     json.Number `json:"port"`
	Security string      `json:"security"`
	User     string      `json:"user"`
	Mech     string      `json:"mech"`
	From     string      `json:"from"`
	To       string      `json:"to"`
	HELO     string      `json:"helo"`
}

func (a apiSettings) input() probe.Input {
	return probe.Input{Host: a.Host, Port: a.Port.String(), Security: a.Security, User: a.User, Mech: a.Mech,
		From: a.From, To: a.To, HELO: a.HELO}
}

type apiAlertRequest struct {
	Type     string       `json:"type"`
	URL      string       `json:"url"`
	To       string       `json:"to"`
	SMTP     *apiSettings `json:"smtp"`
	Password string       `json:"password"`
}

// decodeMonitorInput reads the API body; unknown fields are refused, so a
// typo is an error rather than a monitor without its password.
func decodeMonitorInput(r io.Reader) (monitorInput, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var req apiMonitorRequest
	if err := dec.Decode(&req); err != nil {
		return monitorInput{}, fmt.Errorf("read the JSON body: %w", err)
	}
	if dec.More() {
		return monitorInput{}, errors.New("read the JSON body: more than one JSON value")
	}
	in := monitorInput{Name: req.Name, Settings: req.Settings.input(), Password: req.Password,
		FailAfter: req.FailAfter, CertDays: req.CertDays}
	if len(req.Interval) > 0 {
		var s string
		var n json.Number
		switch {
		case json.Unmarshal(req.Interval, &s) == nil:
			in.Interval = s
		case json.Unmarshal(req.Interval, &n) == nil:
			in.Interval = n.String() // seconds
		default:
			return monitorInput{}, errors.New(`interval: write it as a string such as "5m" or "30s"`)
		}
	}
	for _, a := range req.Alerts {
		ai := alertInput{Type: a.Type, URL: a.URL, To: a.To, Password: a.Password}
		if a.SMTP != nil {
			ai.SMTP = a.SMTP.input()
		}
		in.Alerts = append(in.Alerts, ai)
	}
	return in, nil
}

// formMonitorInput reads the "Watch this server" form: the probe fields as
// on the front page, plus name, interval and one alert of each kind.
func formMonitorInput(v url.Values) monitorInput {
	in := monitorInput{Name: v.Get("name"), Settings: formInput(v), Password: v.Get("password"), Interval: v.Get("interval")}
	in.FailAfter, _ = strconv.Atoi(v.Get("fail_after"))
	in.CertDays, _ = strconv.Atoi(v.Get("cert_days"))
	for _, t := range []watch.AlertType{watch.AlertWebhook, watch.AlertSlack, watch.AlertTeams, watch.AlertDiscord, watch.AlertNtfy} {
		if u := strings.TrimSpace(v.Get("alert_" + string(t))); u != "" {
			in.Alerts = append(in.Alerts, alertInput{Type: string(t), URL: u})
		}
	}
	if to := strings.TrimSpace(v.Get("alert_email_to")); to != "" {
		in.Alerts = append(in.Alerts, alertInput{Type: string(watch.AlertEmail), To: to, Password: v.Get("alert_email_password"),
			SMTP: probe.Input{Host: v.Get("alert_email_host"), Port: v.Get("alert_email_port"), Security: v.Get("alert_email_security"),
				User: v.Get("alert_email_user"), From: v.Get("alert_email_from")}})
	}
	return in
}

// toMonitor validates input into a monitor and its secrets, or says per
// field what is wrong. Probe settings and alert SMTP servers are checked
// as the front page checks a probe (ports against the target policy).
func (s *Server) toMonitor(in monitorInput) (watch.Monitor, service.Secrets, probe.FieldErrors) {
	fe := probe.FieldErrors{}
	in.Settings.Password = in.Password
	set, sec, sfe := validate(in.Settings, s.policy)
	for k, v := range sfe {
		if k == "password" {
			fe["password"] = v
		} else {
			fe["settings."+k] = v
		}
	}
	m := watch.Monitor{Name: strings.TrimSpace(in.Name), Settings: set, FailAfter: in.FailAfter, CertDays: in.CertDays}
	if m.Name == "" && set.Host != "" {
		m.Name = fmt.Sprintf("%s:%d", set.Host, set.Port)
	}
	iv, err := watch.ParseInterval(in.Interval)
	if err != nil {
		fe["interval"] = err.Error()
	}
	m.Interval = iv
	secrets := service.Secrets{Alerts: map[int]string{}}
	if sec.Password != "" {
		secrets.Login = &sec.Password
	}
	for i, a := range in.Alerts {
		al := watch.Alert{Type: watch.AlertType(strings.ToLower(strings.TrimSpace(a.Type))), URL: strings.TrimSpace(a.URL), To: strings.TrimSpace(a.To)}
		if al.Type == watch.AlertEmail {
			a.SMTP.Password = a.Password
			smtpSet, smtpSec, afe := validate(a.SMTP, s.policy)
			for k, v := range afe {
				fe[fmt.Sprintf("alerts[%d].smtp.%s", i, k)] = v
			}
			if afe == nil {
				al.SMTP = &smtpSet
				if smtpSec.Password != "" {
					secrets.Alerts[i] = smtpSec.Password
				}
			}
		}
		m.Alerts = append(m.Alerts, al)
	}
	if len(fe) == 0 {
		m = m.WithDefaults()
		if err := m.Validate(); err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				k, v, ok := strings.Cut(line, ": ")
				if !ok {
					k, v = "monitor", line
				}
				fe[k] = v
			}
		}
	}
	if len(fe) > 0 {
		return m, service.Secrets{}, fe
	}
	return m, secrets, nil
}
