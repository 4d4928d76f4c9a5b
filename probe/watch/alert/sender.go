package alert

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

// Channel is one configured alert with its secret (the alert SMTP server's
// password), opened from the store only to send.
type Channel struct {
	watch.Alert
	Secret probe.Secret
}

// DefaultBackoff is how long the Sender waits before each retry.
var DefaultBackoff = []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute}

// Sender delivers alerts. Deliver returns at once and tries in the
// background; Close waits for the deliveries in flight.
type Sender struct {
	// HTTP posts webhooks; build it with NewHTTPClient so the policy
	// applies.
	HTTP *http.Client
	// SMTPPolicy checks the alert SMTP server's addresses (the probes'
	// policy, ports included).
	SMTPPolicy Policy
	// RootCAs verifies the alert SMTP server's certificate; nil is the
	// system roots.
	RootCAs *x509.CertPool
	// Timeout bounds one try. Zero is 15 s.
	Timeout time.Duration
	// Backoff is the wait before each retry; nil is DefaultBackoff.
	Backoff []time.Duration
	// Record is called with every try; it must be safe for concurrent
	// use. Nil records nothing.
	Record func(context.Context, watch.Delivery)
	Log    *slog.Logger

	wg sync.WaitGroup
}

// permanent marks a failure that a retry cannot fix (a 4xx, a 5xx from
// SMTP, a refused address).
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Deliver sends msg to ch in the background, retrying with back-off, until
// it is delivered, refused for good, out of tries, or ctx ends.
func (s *Sender) Deliver(ctx context.Context, monitorID string, ch Channel, msg Message) {
	s.wg.Go(func() { s.deliver(ctx, monitorID, ch, msg) })
}

// Close waits for the deliveries in flight (their ctx bounds them).
func (s *Sender) Close() { s.wg.Wait() }

func (s *Sender) deliver(ctx context.Context, monitorID string, ch Channel, msg Message) {
	backoff := s.Backoff
	if backoff == nil {
		backoff = DefaultBackoff
	}
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for try := 1; ; try++ {
		detail, err := s.Send(ctx, ch, msg)
		d := watch.Delivery{MonitorID: monitorID, Event: msg.Event, Channel: ch.Type, Target: ch.Target(),
			At: time.Now().UTC(), Try: try, OK: err == nil, Detail: detail}
		var perm permanent
		d.Final = err == nil || errors.As(err, &perm) || try > len(backoff) || ctx.Err() != nil
		if err != nil {
			d.Detail = err.Error()
			log.Warn("alert not delivered", "monitor", monitorID, "event", msg.Event, "channel", ch.Type,
				"target", d.Target, "try", try, "final", d.Final, "error", err)
		} else {
			log.Info("alert delivered", "monitor", monitorID, "event", msg.Event, "channel", ch.Type,
				"target", d.Target, "try", try, "reply", detail)
		}
		if s.Record != nil {
			s.Record(context.WithoutCancel(ctx), d)
		}
		if d.Final {
			return
		}
		t := time.NewTimer(backoff[try-1])
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// Send makes one try and says what the receiver answered.
func (s *Sender) Send(ctx context.Context, ch Channel, msg Message) (string, error) {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if ch.Type == watch.AlertEmail {
		return sendEmail(ctx, ch, msg, s.SMTPPolicy, s.RootCAs, timeout)
	}
	req, err := httpRequest(ch.Type, msg)
	if err != nil {
		return "", permanent{err}
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, ch.URL, bytes.NewReader(req.body))
	if err != nil {
		return "", permanent{fmt.Errorf("alert: %s: %w", ch.Target(), err)}
	}
	hr.Header.Set("Content-Type", req.contentType)
	hr.Header.Set("User-Agent", "smtpdoctor-alerts")
	for k, v := range req.headers {
		hr.Header.Set(k, v)
	}
	client := s.HTTP
	if client == nil {
		client = NewHTTPClient(nil, timeout)
	}
	resp, err := client.Do(hr)
	if err != nil {
		var pe policyError
		if errors.As(err, &pe) {
			return "", permanent{pe}
		}
		// The URL in a *url.Error carries the webhook's secret path.
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) && ue.Unwrap() != nil {
			err = ue.Unwrap()
		}
		return "", fmt.Errorf("post to %s: %w", ch.Target(), err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	detail := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if s := strings.TrimSpace(oneLine(string(snippet))); s != "" && resp.StatusCode >= 300 {
		detail += ": " + s
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return detail, nil
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return "", errors.New(detail)
	default:
		return "", permanent{errors.New(detail)}
	}
}
