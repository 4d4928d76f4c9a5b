package watch

import (
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

func TestParseInterval(t *testing.T) {
	for in, want := range map[string]time.Duration{"": DefaultInterval, "5m": 5 * time.Minute, "10s": 10 * time.Second, "1h": time.Hour, "90": 90 * time.Second, " 2m ": 2 * time.Minute} {
		if got, err := ParseInterval(in); err != nil || got != want {
			t.Errorf("ParseInterval(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"9s", "1s", "25h", "soon", "-5m", "5 minutes"} {
		if _, err := ParseInterval(in); err == nil {
			t.Errorf("ParseInterval(%q) accepted", in)
		}
	}
	for d, want := range map[time.Duration]string{5 * time.Minute: "5m", 10 * time.Second: "10s", time.Hour: "1h", 90 * time.Second: "1m30s"} {
		if got := FormatInterval(d); got != want {
			t.Errorf("FormatInterval(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	good := Monitor{Name: "Office relay", Settings: probe.Settings{Host: "smtp.example.com", Port: 587},
		Alerts: []Alert{
			{Type: AlertWebhook, URL: "https://hooks.example.com/x"},
			{Type: AlertEmail, To: "ops@example.com", SMTP: &probe.Settings{Host: "mail.example.com", Port: 587, From: "smtpdoctor@example.com"}},
		}}.WithDefaults()
	if err := good.Validate(); err != nil {
		t.Fatalf("a good monitor refused: %v", err)
	}
	for name, tc := range map[string]struct {
		edit func(*Monitor)
		want string
	}{
		"no name":        {func(m *Monitor) { m.Name = " " }, "name"},
		"long name":      {func(m *Monitor) { m.Name = strings.Repeat("x", 101) }, "at most 100"},
		"newline":        {func(m *Monitor) { m.Name = "a\nb" }, "control"},
		"fast":           {func(m *Monitor) { m.Interval = time.Second }, "interval"},
		"no host":        {func(m *Monitor) { m.Settings.Host = "" }, "settings.host"},
		"alert type":     {func(m *Monitor) { m.Alerts[0].Type = "pager" }, "one of webhook, slack"},
		"alert url":      {func(m *Monitor) { m.Alerts[0].URL = "ftp://x" }, "http://"},
		"userinfo":       {func(m *Monitor) { m.Alerts[0].URL = "https://u:p@x/" }, "not kept"},
		"email to":       {func(m *Monitor) { m.Alerts[1].To = "nobody" }, "email address"},
		"email no from":  {func(m *Monitor) { m.Alerts[1].SMTP = &probe.Settings{Host: "h", Port: 25} }, "smtp.from"},
		"fail after 0":   {func(m *Monitor) { m.FailAfter = -1 }, "fail_after"},
		"too many alert": {func(m *Monitor) { m.Alerts = make([]Alert, 11) }, "at most 10"},
	} {
		t.Run(name, func(t *testing.T) {
			m := good
			m.Alerts = append([]Alert(nil), good.Alerts...)
			tc.edit(&m)
			err := m.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestAlertTargetHidesWebhookPaths(t *testing.T) {
	a := Alert{Type: AlertSlack, URL: "https://hooks.slack.com/services/T000/B000/XXXXSECRET"}
	if got := a.Target(); strings.Contains(got, "SECRET") || !strings.Contains(got, "hooks.slack.com") {
		t.Errorf("Target() = %q", got)
	}
}
