package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/policy"
)

// The form and the JSON API read their fields into a probe.Input and leave
// the reading to probe.ParseSettings, which the command line uses too: the
// same text means the same settings whichever way it comes in. What only
// the dashboard adds is its target policy's port check.

// formInput reads the form fields. A port typed in the host field
// ("smtp.example.com:465") wins over the port field: it is the more
// deliberate of the two, since the port field starts filled in.
func formInput(v url.Values) probe.Input {
	port := v.Get("port")
	if _, inHost, err := probe.ParseHost(v.Get("host")); err == nil && inHost != "" {
		port = inHost
	}
	return probe.Input{
		Host:     v.Get("host"),
		Port:     port,
		Security: v.Get("security"),
		User:     v.Get("user"),
		Password: v.Get("password"),
		Mech:     v.Get("mech"),
		From:     v.Get("from"),
		To:       v.Get("to"),
		HELO:     v.Get("helo"),
		Send:     v.Get("send") != "",
	}
}

// apiRequest is the JSON body of POST /api/v1/probes: the settings plus the
// password. The port may be a number or a string holding one.
type apiRequest struct {
	Host     string      `json:"host"`
	Port     json.Number `json:"port"`
	Security string      `json:"security"`
	User     string      `json:"user"`
	Password string      `json:"password"`
	Mech     string      `json:"mech"`
	From     string      `json:"from"`
	To       string      `json:"to"`
	HELO     string      `json:"helo"`
	Send     bool        `json:"send"`
}

// decodeAPIInput reads the API body. Unknown fields are refused so that a
// typo ("pass") is an error, not a silent probe without a password.
func decodeAPIInput(r io.Reader) (probe.Input, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var req apiRequest
	if err := dec.Decode(&req); err != nil {
		return probe.Input{}, fmt.Errorf("read the JSON body: %w", err)
	}
	if dec.More() {
		return probe.Input{}, errors.New("read the JSON body: more than one JSON value")
	}
	return probe.Input{
		Host: req.Host, Port: req.Port.String(), Security: req.Security, User: req.User,
		Password: req.Password, Mech: req.Mech, From: req.From, To: req.To, HELO: req.HELO, Send: req.Send,
	}, nil
}

// validate reads the input (probe.ParseSettings) and then checks the port
// against the target policy, so a refused port never connects.
func validate(in probe.Input, pol *policy.Policy) (probe.Settings, probe.Secret, probe.FieldErrors) {
	set, sec, fe := probe.ParseSettings(in)
	if fe != nil {
		return set, sec, fe
	}
	if err := pol.CheckPort(set.Host, set.Port); err != nil {
		return probe.Settings{}, probe.Secret{}, probe.FieldErrors{"port": err.Error()}
	}
	return set, sec, nil
}
