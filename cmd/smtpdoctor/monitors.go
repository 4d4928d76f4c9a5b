package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/secretbox"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/alert"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/metrics"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/service"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// monitorWiring is what serve builds for monitors and metrics: the
// metrics registry comes first, because the lifecycle's store is wrapped to
// count every attempt; the monitor service last, because it runs through
// the lifecycle.
type monitorWiring struct {
	metrics *metrics.Metrics
	svc     *service.Service
}

func newMetrics(w *monitorWiring) *metrics.Metrics {
	w.metrics = metrics.New(func() []watch.Monitor {
		if w.svc == nil {
			return nil
		}
		return w.svc.Snapshot()
	})
	return w.metrics
}

// startMonitors loads the secret key (if any), builds the alert sender and
// the monitor service, and starts it: a key that does not open the stored
// passwords stops the start here, with the reason.
func startMonitors(ctx context.Context, w *monitorWiring, cfg serveConfig, ac attempt.Config, st *store.Store,
	attempts *attempt.Lifecycle, logger *slog.Logger, alertPolicy alert.Policy) error {
	var key *secretbox.Key
	if cfg.secretKeyFile != "" {
		k, err := secretbox.LoadKeyFile(cfg.secretKeyFile)
		if err != nil {
			return usageError{"--secret-key-file: " + err.Error()}
		}
		key = k
		logger.Info("monitor passwords are sealed with the secret key", "key_id", key.ID())
	}
	sender := &alert.Sender{
		HTTP:       alert.NewHTTPClient(alertPolicy, 15*time.Second),
		SMTPPolicy: alert.Policy(ac.Policy),
		RootCAs:    ac.RootCAs,
		Log:        logger,
	}
	svc, err := service.New(service.Config{
		Store: st, Probe: service.LifecycleProber(attempts), Key: key, Sender: sender,
		BaseURL: alertBaseURL(cfg.web.PublicURL, cfg.listen),
		ProbeOptions: probe.Options{Policy: ac.Policy, RootCAs: ac.RootCAs, ExtraRoots: ac.ExtraRoots,
			StepTimeout: ac.StepTimeout, TotalTimeout: ac.TotalTimeout, Origin: ac.Origin},
		Retention: cfg.monitorRetention,
		Log:       logger,
	})
	if err != nil {
		return err
	}
	if err := svc.Start(ctx); err != nil {
		return fmt.Errorf("start the monitors: %w", err)
	}
	w.svc = svc
	return nil
}

// alertBaseURL is the address alerts link to: --public-url when set, else
// the listen address, with this machine's name when it listens on every
// interface.
func alertBaseURL(public *url.URL, listen string) string {
	if public != nil {
		return public.String()
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "http://" + listen
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = probe.Hostname()
	}
	return "http://" + net.JoinHostPort(host, port)
}
