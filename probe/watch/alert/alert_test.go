package alert

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

const base = "https://smtpdoctor.example.com"

func TestWebhookBodyIsTheDocumentedJSON(t *testing.T) {
	rc := newReceiver(t)
	s := &Sender{HTTP: NewHTTPClient(nil, 5*time.Second)}
	msg := NewMessage(base, testMonitor(), failingEvent())
	if _, err := s.Send(context.Background(), Channel{Alert: watch.Alert{Type: watch.AlertWebhook, URL: rc.URL + "/hook"}}, msg); err != nil {
		t.Fatal(err)
	}
	reqs := rc.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	if ct := reqs[0].header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var got map[string]any
	if err := json.Unmarshal(reqs[0].body, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"event": "failing",
		"at":    "2026-11-30T03:12:09Z",
		"monitor": map[string]any{
			"id": "mon123", "name": "Office relay", "url": base + "/monitors/mon123",
		},
		"attempt": map[string]any{
			"id": "att456", "url": base + "/p/att456", "outcome": "failure",
			"diagnosis": map[string]any{"code": "auth.credentials_rejected", "title": "The server refused the username or password"},
		},
	}
	if g, w := fmt.Sprint(got), fmt.Sprint(want); g != w {
		t.Errorf("webhook body\n got %s\nwant %s", reqs[0].body, w)
	}
}

func TestChatFormats(t *testing.T) {
	msg := NewMessage(base, testMonitor(), failingEvent())
	msg.Monitor.Name = "@everyone <b>relay</b>"
	for _, tc := range []struct {
		typ   watch.AlertType
		check func(t *testing.T, r received)
	}{
		{watch.AlertSlack, func(t *testing.T, r received) {
			var v struct{ Text string }
			json.Unmarshal(r.body, &v)
			if !strings.Contains(v.Text, "&lt;b&gt;relay&lt;/b&gt;") || !strings.Contains(v.Text, "<"+base+"/p/att456|") {
				t.Errorf("slack text %q: name not escaped or no permalink", v.Text)
			}
		}},
		{watch.AlertDiscord, func(t *testing.T, r received) {
			var v struct {
				Content         string
				AllowedMentions struct{ Parse []string } `json:"allowed_mentions"`
			}
			json.Unmarshal(r.body, &v)
			if !strings.Contains(v.Content, base+"/p/att456") || v.AllowedMentions.Parse == nil || len(v.AllowedMentions.Parse) != 0 {
				t.Errorf("discord body %s: no permalink, or mentions not switched off", r.body)
			}
		}},
		{watch.AlertTeams, func(t *testing.T, r received) {
			var v struct {
				Type        string
				Attachments []struct {
					ContentType string
					Content     struct {
						Type    string
						Actions []struct{ URL string }
					}
				}
			}
			json.Unmarshal(r.body, &v)
			if v.Type != "message" || len(v.Attachments) != 1 || v.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" ||
				v.Attachments[0].Content.Type != "AdaptiveCard" || v.Attachments[0].Content.Actions[0].URL != base+"/p/att456" {
				t.Errorf("teams body %s", r.body)
			}
		}},
		{watch.AlertNtfy, func(t *testing.T, r received) {
			if r.header.Get("Click") != base+"/p/att456" || r.header.Get("Priority") != "high" ||
				!strings.Contains(r.header.Get("Title"), "failing") || !strings.Contains(string(r.body), "auth.credentials_rejected") {
				t.Errorf("ntfy request %v %q", r.header, r.body)
			}
		}},
	} {
		t.Run(string(tc.typ), func(t *testing.T) {
			rc := newReceiver(t)
			s := &Sender{HTTP: NewHTTPClient(nil, 5*time.Second)}
			if _, err := s.Send(context.Background(), Channel{Alert: watch.Alert{Type: tc.typ, URL: rc.URL}}, msg); err != nil {
				t.Fatal(err)
			}
			reqs := rc.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			tc.check(t, reqs[0])
		})
	}
}

// deliveries records what a Sender reports.
type deliveries struct {
	mu   sync.Mutex
	all  []watch.Delivery
	done chan struct{}
}

func newDeliveries() *deliveries { return &deliveries{done: make(chan struct{})} }

func (d *deliveries) record(_ context.Context, x watch.Delivery) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.all = append(d.all, x)
	if x.Final {
		close(d.done)
	}
}

func (d *deliveries) wait(t *testing.T) []watch.Delivery {
	t.Helper()
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
		t.Fatal("delivery never finished")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]watch.Delivery(nil), d.all...)
}

func TestDeliverRetriesUntilDelivered(t *testing.T) {
	rc := newReceiver(t, 500, 503)
	d := newDeliveries()
	s := &Sender{HTTP: NewHTTPClient(nil, 5*time.Second), Backoff: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}, Record: d.record}
	s.Deliver(context.Background(), "mon123", Channel{Alert: watch.Alert{Type: watch.AlertWebhook, URL: rc.URL + "/secret-path"}}, NewMessage(base, testMonitor(), failingEvent()))
	got := d.wait(t)
	s.Close()
	if len(got) != 3 || got[0].OK || got[1].OK || !got[2].OK || got[2].Try != 3 || !got[2].Final || got[1].Final {
		t.Fatalf("deliveries %+v: want two failed tries then a delivered third", got)
	}
	if !strings.Contains(got[0].Detail, "HTTP 500") {
		t.Errorf("first try's detail %q", got[0].Detail)
	}
	for _, x := range got {
		if strings.Contains(x.Target, "secret-path") || strings.Contains(x.Detail, "secret-path") {
			t.Errorf("the webhook's path is in the delivery log: %+v", x)
		}
	}
	if n := len(rc.requests()); n != 3 {
		t.Errorf("receiver got %d requests", n)
	}
}

func TestDeliverStopsOnAPermanentRefusal(t *testing.T) {
	rc := newReceiver(t, 404)
	d := newDeliveries()
	s := &Sender{HTTP: NewHTTPClient(nil, 5*time.Second), Backoff: []time.Duration{time.Millisecond}, Record: d.record}
	s.Deliver(context.Background(), "m", Channel{Alert: watch.Alert{Type: watch.AlertSlack, URL: rc.URL}}, NewMessage(base, testMonitor(), failingEvent()))
	got := d.wait(t)
	if len(got) != 1 || got[0].OK || !got[0].Final || !strings.Contains(got[0].Detail, "404") {
		t.Errorf("deliveries %+v: want one final failure naming the 404", got)
	}
}

func TestDeliverGivesUpAfterItsTries(t *testing.T) {
	rc := newReceiver(t, 500, 500, 500, 500)
	d := newDeliveries()
	s := &Sender{HTTP: NewHTTPClient(nil, 5*time.Second), Backoff: []time.Duration{time.Millisecond, time.Millisecond}, Record: d.record}
	s.Deliver(context.Background(), "m", Channel{Alert: watch.Alert{Type: watch.AlertWebhook, URL: rc.URL}}, NewMessage(base, testMonitor(), failingEvent()))
	got := d.wait(t)
	if len(got) != 3 || got[2].OK || !got[2].Final {
		t.Errorf("deliveries %+v: want three failed tries, the last final", got)
	}
}

func TestWebhookPassesTheTargetPolicy(t *testing.T) {
	rc := newReceiver(t)
	var asked []netip.AddrPort
	var mu sync.Mutex
	policy := func(ap netip.AddrPort) error {
		mu.Lock()
		asked = append(asked, ap)
		mu.Unlock()
		if ap.Addr().IsLoopback() {
			return fmt.Errorf("%s is a loopback address: %w", ap, errRefused)
		}
		return nil
	}
	d := newDeliveries()
	s := &Sender{HTTP: NewHTTPClient(policy, 5*time.Second), Backoff: []time.Duration{time.Millisecond}, Record: d.record}
	// A name that resolves to loopback is checked on the address it resolved to.
	url := strings.Replace(rc.URL, "127.0.0.1", "localhost", 1)
	s.Deliver(context.Background(), "m", Channel{Alert: watch.Alert{Type: watch.AlertWebhook, URL: url}}, NewMessage(base, testMonitor(), failingEvent()))
	got := d.wait(t)
	if len(got) != 1 || got[0].OK || !got[0].Final || !strings.Contains(got[0].Detail, "loopback") {
		t.Errorf("deliveries %+v: want one final refusal by the policy", got)
	}
	if len(rc.requests()) != 0 {
		t.Error("the receiver was reached despite the policy")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) == 0 || !asked[0].Addr().IsLoopback() {
		t.Errorf("policy asked about %v", asked)
	}
}

func TestEmailAlert(t *testing.T) {
	const user, password = "alerts@example.com", "alert-smtp-Passw0rd"
	mb := newMailbox(t, user, password)
	s := &Sender{RootCAs: mb.roots}
	ch := Channel{Alert: watch.Alert{Type: watch.AlertEmail, To: "ops@example.com", SMTP: mb.settings(user)}, Secret: probe.Secret{Password: password}}
	reply, err := s.Send(context.Background(), ch, NewMessage(base, testMonitor(), failingEvent()))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(reply, "250") {
		t.Errorf("reply %q", reply)
	}
	msgs := mb.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	body := string(m.data)
	if m.from != "smtpdoctor@example.com" || m.to != "ops@example.com" ||
		!strings.Contains(body, "Subject: [smtpdoctor] Office relay is failing") ||
		!strings.Contains(body, base+"/p/att456") || !strings.Contains(body, "Auto-Submitted: auto-generated") {
		t.Errorf("message from %s to %s:\n%s", m.from, m.to, body)
	}
	for _, form := range []string{password, base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + password))} {
		if strings.Contains(body, form) {
			t.Error("the SMTP password is in the alert")
		}
	}

	// A wrong password is a permanent failure (535), not retried.
	ch.Secret.Password = "wrong"
	if _, err := s.Send(context.Background(), ch, NewMessage(base, testMonitor(), failingEvent())); err == nil {
		t.Error("sent with a wrong password")
	} else if _, ok := err.(permanent); !ok || !strings.Contains(err.Error(), "535") {
		t.Errorf("wrong password: %v, want a permanent 535", err)
	}
}

func TestCheckEmailProbesTheAlertServer(t *testing.T) {
	const user, password = "alerts@example.com", "alert-smtp-Passw0rd"
	mb := newMailbox(t, user, password)
	opts := probe.Options{ExtraRoots: mb.roots, StepTimeout: 5 * time.Second}
	ch := Channel{Alert: watch.Alert{Type: watch.AlertEmail, To: "ops@example.com", SMTP: mb.settings(user)}, Secret: probe.Secret{Password: password}}
	r, err := CheckEmail(context.Background(), ch, opts)
	if err != nil || r.Outcome == probe.OutcomeFailure {
		t.Fatalf("a working alert server: %v (%s)", err, r.Outcome)
	}
	if len(mb.messages()) != 0 {
		t.Error("checking the server sent a message")
	}
	ch.To = "nobody@example.com"
	if _, err := CheckEmail(context.Background(), ch, opts); err == nil || !strings.Contains(err.Error(), "recipient") {
		t.Errorf("a refused recipient: %v", err)
	}
	ch.To = "ops@example.com"
	ch.Secret.Password = "wrong"
	if _, err := CheckEmail(context.Background(), ch, opts); err == nil || !strings.Contains(err.Error(), string(probe.CodeAuthCredentialsRejected)) {
		t.Errorf("a wrong password: %v", err)
	}
}

func TestTestMessageWithoutARun(t *testing.T) {
	msg := NewMessage(base, testMonitor(), watch.Event{Kind: watch.EventTest, At: time.Now()})
	b, _ := json.Marshal(msg)
	if !strings.Contains(string(b), `"attempt":null`) || !strings.Contains(string(b), `"event":"test"`) {
		t.Errorf("test message %s", b)
	}
	if !strings.Contains(strings.Join(msg.Lines(), "\n"), "test alert") {
		t.Errorf("test message lines %q", msg.Lines())
	}
}
