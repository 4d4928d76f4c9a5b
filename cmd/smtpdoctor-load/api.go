package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// apiClient starts probes through POST /api/v1/probes?wait=…, many at
// once, each on a connection of its own.
type apiClient struct {
	base string
	http *http.Client
}

func newAPIClient(base string, conns int) *apiClient {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return &apiClient{base: base, http: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
}

// apiOutcome is what one API probe came back with.
type apiOutcome struct {
	status  int    // HTTP status
	code    string // diagnosis code, when done
	outcome string
	took    time.Duration
	err     error
}

type probeRequest struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Security string `json:"security"`
	User     string `json:"user,omitempty"`
	Password string `json:"password,omitempty"`
	Mech     string `json:"mech,omitempty"`
	HELO     string `json:"helo,omitempty"`
}

func (c *apiClient) probe(ctx context.Context, req probeRequest, wait string) apiOutcome {
	body, _ := json.Marshal(req)
	start := time.Now()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/v1/probes?wait="+wait, bytes.NewReader(body))
	if err != nil {
		return apiOutcome{err: err}
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(hr)
	if err != nil {
		return apiOutcome{err: err, took: time.Since(start)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	o := apiOutcome{status: resp.StatusCode, took: time.Since(start), err: err}
	if err != nil {
		return o
	}
	if resp.StatusCode != http.StatusOK {
		o.err = fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, raw)
		return o
	}
	var res struct {
		Status    string `json:"status"`
		Outcome   string `json:"outcome"`
		Diagnosis *struct {
			Code string `json:"code"`
		} `json:"diagnosis"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		o.err = fmt.Errorf("decoding the result: %w", err)
		return o
	}
	o.outcome = res.Outcome
	if res.Diagnosis != nil {
		o.code = res.Diagnosis.Code
	}
	if res.Status != "done" {
		o.err = fmt.Errorf("status %q, want done", res.Status)
	}
	return o
}

// get times one GET; an error when it is not 200.
func (c *apiClient) get(ctx context.Context, path string) (time.Duration, error) {
	start := time.Now()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		return time.Since(start), err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		return d, fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	return d, nil
}
