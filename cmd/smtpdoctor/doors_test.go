package main

import (
	"context"
	"encoding/json"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/policy"
	"github.com/smtpdoctor/smtpdoctor/store"
	"github.com/smtpdoctor/smtpdoctor/web"
)

// The same typed settings mean the same thing through every door: the
// dashboard's form (through its real router), its JSON API, and the
// command line's run(). Each row is typed once and sent through all three;
// the settings that reach the store (or the CLI's JSON) must be equal, and
// a refusal must name the same field with the same words.
func TestSameInputSameSettingsThroughEveryDoor(t *testing.T) {
	closed := closedLoopbackPort(t)
	type row struct {
		name string
		in   probe.Input // Host carries the port, as the CLI takes it
		want probe.Settings
		// field and msg, for a refusal: which field, and the words.
		field, msg string
	}
	lo := "127.0.0.1"
	at := func(port int) string { return lo + ":" + strconv.Itoa(port) }
	controlMsg := "must not contain line breaks or control characters"
	rows := []row{
		{name: "ssl is implicit TLS on 465", in: probe.Input{Host: lo, Security: "ssl"},
			want: probe.Settings{Host: lo, Port: 465, Security: probe.SecurityTLS, Mech: probe.MechAuto}},
		{name: "SMTPS in capitals", in: probe.Input{Host: lo, Security: "SMTPS"},
			want: probe.Settings{Host: lo, Port: 465, Security: probe.SecurityTLS, Mech: probe.MechAuto}},
		{name: "implicit", in: probe.Input{Host: at(closed), Security: "implicit"},
			want: probe.Settings{Host: lo, Port: closed, Security: probe.SecurityTLS, Mech: probe.MechAuto}},
		{name: "plaintext is none on 25", in: probe.Input{Host: lo, Security: "plaintext"},
			want: probe.Settings{Host: lo, Port: 25, Security: probe.SecurityNone, Mech: probe.MechAuto}},
		{name: "start-tls on 587", in: probe.Input{Host: lo, Security: "start-tls"},
			want: probe.Settings{Host: lo, Port: 587, Security: probe.SecurityStartTLS, Mech: probe.MechAuto}},
		{name: "auto on 587", in: probe.Input{Host: lo, Security: "auto"},
			want: probe.Settings{Host: lo, Port: 587, Security: probe.SecurityAuto, Mech: probe.MechAuto}},
		{name: "IDN addresses and EHLO name to punycode", in: probe.Input{Host: at(closed), Security: "none",
			From: "a@bücher.example", To: "<b@Bücher.example>", HELO: "bücher.example"},
			want: probe.Settings{Host: lo, Port: closed, Security: probe.SecurityNone, Mech: probe.MechAuto,
				From: "a@xn--bcher-kva.example", To: "b@xn--bcher-kva.example", HELO: "xn--bcher-kva.example"}},
		{name: "mechanism in capitals, user kept as typed", in: probe.Input{Host: at(closed), Security: "none",
			User: " alice@example.com", Password: "pw", Mech: "LOGIN"},
			want: probe.Settings{Host: lo, Port: closed, Security: probe.SecurityNone, User: " alice@example.com", Mech: probe.MechLogin}},

		{name: "CR LF in the user", in: probe.Input{Host: at(closed), User: "me\r\nRCPT TO:<x>", Password: "pw"},
			field: "user", msg: controlMsg},
		{name: "tab in the password", in: probe.Input{Host: at(closed), User: "me", Password: "pa\tss"},
			field: "password", msg: controlMsg},
		{name: "NUL in the EHLO name", in: probe.Input{Host: at(closed), HELO: "a\x00b.example"},
			field: "helo", msg: controlMsg},
		{name: "LF in the host", in: probe.Input{Host: "smtp.example.com\nQUIT"},
			field: "host", msg: controlMsg},
		{name: "IDN host that is not a name", in: probe.Input{Host: "bü_cher!.example"},
			field: "host", msg: "is not a valid host name"},
		{name: "unknown security", in: probe.Input{Host: at(closed), Security: "ssl3"},
			field: "security", msg: "choose auto, starttls, tls (SSL/TLS) or none"},
		{name: "unknown mechanism", in: probe.Input{Host: at(closed), Mech: "gssapi"},
			field: "mech", msg: "choose auto, plain, login, cram-md5, xoauth2 or oauthbearer"},
		{name: "port out of range", in: probe.Input{Host: lo + ":99999"},
			field: "port", msg: "enter a port number from 1 to 65535"},
		{name: "sending needs a recipient", in: probe.Input{Host: at(closed), Send: true},
			field: "to", msg: "to send a test message, enter a recipient"},
	}

	d := startDashboard(t)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			doors := map[string]func(probe.Input) (probe.Settings, string){
				"form": d.viaForm, "api": d.viaAPI, "cli": viaCLI,
			}
			for door, send := range doors {
				got, refusal := send(r.in)
				if r.field != "" {
					if !strings.Contains(refusal, r.msg) {
						t.Errorf("%s: refusal %q does not say %q", door, refusal, r.msg)
					}
					continue
				}
				if refusal != "" {
					t.Errorf("%s: refused: %s", door, refusal)
				} else if got != r.want {
					t.Errorf("%s: settings\n got %+v\nwant %+v", door, got, r.want)
				}
			}
		})
	}
}

// closedLoopbackPort is a loopback port nothing listens on.
func closedLoopbackPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

type dashboard struct {
	t     *testing.T
	url   string
	store *store.Store
}

// startDashboard runs the real dashboard, wired as serve wires it, with
// the target policy widened to loopback and no start limits.
func startDashboard(t *testing.T) *dashboard {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "smtpdoctor.db"))
	if err != nil {
		t.Fatal(err)
	}
	wc := web.Config{
		AllowTargets: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		AllowPorts:   policy.PortSet{{1, 65535}},
		ProbeRate:    web.Unlimited,
	}
	lc, err := attempt.New(context.Background(), attempt.Config{
		Store: st, Policy: wc.TargetPolicy(), PerTarget: attempt.Unlimited, QueueSize: attempt.Unlimited,
		StepTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	app, err := web.New(wc, st, lc)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(app.Handler())
	t.Cleanup(func() {
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		lc.Shutdown(ctx)
		app.Shutdown(ctx)
		st.Close()
	})
	return &dashboard{t: t, url: hs.URL, store: st}
}

func (d *dashboard) stored(id string) probe.Settings {
	r, err := d.store.Get(context.Background(), id)
	if err != nil {
		d.t.Fatalf("the started attempt %s is not stored: %v", id, err)
	}
	return r.Settings
}

func (d *dashboard) viaForm(in probe.Input) (probe.Settings, string) {
	v := url.Values{"host": {in.Host}, "security": {in.Security}, "user": {in.User}, "password": {in.Password},
		"mech": {in.Mech}, "from": {in.From}, "to": {in.To}, "helo": {in.HELO}}
	if in.Send {
		v.Set("send", "on")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(d.url+"/probes", v)
	if err != nil {
		d.t.Fatal(err)
	}
	body := readAll(d.t, resp.Body)
	if resp.StatusCode == http.StatusSeeOther {
		return d.stored(strings.TrimPrefix(resp.Header.Get("Location"), "/p/")), ""
	}
	if resp.StatusCode != http.StatusBadRequest {
		d.t.Fatalf("form: %d\n%s", resp.StatusCode, body)
	}
	return probe.Settings{}, html.UnescapeString(body)
}

func (d *dashboard) viaAPI(in probe.Input) (probe.Settings, string) {
	b, _ := json.Marshal(map[string]any{"host": in.Host, "security": in.Security, "user": in.User, "password": in.Password,
		"mech": in.Mech, "from": in.From, "to": in.To, "helo": in.HELO, "send": in.Send})
	resp, err := http.Post(d.url+"/api/v1/probes", "application/json", strings.NewReader(string(b)))
	if err != nil {
		d.t.Fatal(err)
	}
	body := readAll(d.t, resp.Body)
	if resp.StatusCode == http.StatusAccepted {
		var started struct{ ID string }
		if err := json.Unmarshal([]byte(body), &started); err != nil {
			d.t.Fatal(err)
		}
		return d.stored(started.ID), ""
	}
	if resp.StatusCode != http.StatusBadRequest {
		d.t.Fatalf("api: %d\n%s", resp.StatusCode, body)
	}
	return probe.Settings{}, body
}

// viaCLI runs `smtpdoctor probe --json`; the probe runs (against loopback)
// and its JSON carries the settings it used.
func viaCLI(in probe.Input) (probe.Settings, string) {
	args := []string{"probe", "--json", "--timeout", "2s"}
	for flag, v := range map[string]string{"--security": in.Security, "--user": in.User, "--mech": in.Mech,
		"--from": in.From, "--to": in.To, "--helo": in.HELO} {
		if v != "" {
			args = append(args, flag, v)
		}
	}
	if in.Send {
		args = append(args, "--send")
	}
	args = append(args, in.Host)
	var out, errOut strings.Builder
	environ := map[string]string{"SMTPDOCTOR_PASSWORD": in.Password}
	err := run(context.Background(), args, env{func(k string) string { return environ[k] }}, strings.NewReader(""), &out, &errOut)
	if code := exitCode(err, &errOut); code == 2 {
		return probe.Settings{}, errOut.String()
	}
	var res probe.Result
	if jerr := json.Unmarshal([]byte(out.String()), &res); jerr != nil {
		return probe.Settings{}, "no JSON: " + errOut.String()
	}
	return res.Settings, ""
}
