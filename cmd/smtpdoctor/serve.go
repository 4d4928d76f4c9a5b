package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
	"github.com/smtpdoctor/smtpdoctor/store"
	"github.com/smtpdoctor/smtpdoctor/web"
)

// serve runs the dashboard until ctx ends (SIGINT/SIGTERM), then shuts down
// gracefully: stop accepting, let in-flight probes finish up to a deadline,
// mark the rest interrupted.
func serve(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	cfg, err := parseServeFlags(args, e, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return usageError{err.Error()}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))

	// Heartbeats six to a timeout: a replica is declared gone only after
	// missing several.
	st, err := store.OpenWith(ctx, cfg.db, store.Options{Heartbeat: cfg.replicaTimeout / 6, Stale: cfg.replicaTimeout})
	if err != nil {
		return fmt.Errorf("open the database %s: %w", store.Redact(cfg.db), err)
	}
	defer st.Close()

	wc, ac := cfg.web, cfg.attempts
	wc.Logger, ac.Logger = logger, logger
	if ac.RootCAs, err = rootPool(cfg.caFile); err != nil {
		return usageError{err.Error()}
	}
	if cfg.sandbox {
		sb, err := sandbox.StartOn(ctx, sandbox.FixedPorts)
		if err != nil {
			// Another smtpdoctor holds the documented ports: fresh ones
			// still give working examples.
			logger.Warn("the sandbox's fixed ports are taken; using fresh ones", "err", err)
			sb, err = sandbox.Start(ctx)
		}
		if err != nil {
			return fmt.Errorf("start the sandbox: %w", err)
		}
		defer sb.Close()
		wc.Sandbox = sb
		ac.ExtraRoots = sb.RootCAs()
		logger.Info("sandbox SMTP servers are running on loopback; the form offers them as examples")
	}
	var mon monitorWiring
	ac.Store = newMetrics(&mon).Counting(st)
	ac.Groups = st // the counting wrapper keeps attempts only
	ac.Policy = wc.TargetPolicy()

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another smtpdoctor running? choose another with --listen)", cfg.listen, err)
	}
	defer ln.Close()
	wc.ListenAddr = ln.Addr().String()
	if h, _, err := net.SplitHostPort(cfg.listen); err == nil && h != "" {
		// Keep a name given to --listen (localhost) as typed: it is one
		// of the names the dashboard answers to.
		_, p, _ := net.SplitHostPort(wc.ListenAddr)
		wc.ListenAddr = net.JoinHostPort(h, p)
	}
	// The lifecycle marks what a crash (kill -9, power loss) left queued or
	// running as interrupted before it starts anything.
	attempts, err := attempt.New(ctx, ac)
	if err != nil {
		return fmt.Errorf("set up the attempt lifecycle: %w", err)
	}
	if err := startMonitors(ctx, &mon, cfg, ac, st, attempts, logger, wc.AlertPolicy()); err != nil {
		attempts.Shutdown(context.Background())
		return err
	}
	defer mon.svc.Close()
	wc.Monitors, wc.Metrics = mon.svc, mon.metrics
	app, err := web.New(wc, st, attempts)
	if err != nil {
		return fmt.Errorf("set up the dashboard: %w", err)
	}
	srv := &http.Server{
		Handler:           app.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// No WriteTimeout: the live-progress stream stays open while a
		// probe runs; each handler bounds its own work instead.
		IdleTimeout: 2 * time.Minute,
		ErrorLog:    slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "smtpdoctor is serving the dashboard on http://%s/ (database %s)\n", ln.Addr(), store.Redact(cfg.db))
	if u := wc.PublicURL; u != nil {
		fmt.Fprintf(stdout, "people reach it at %s/; requests for other host names are refused\n", u)
	}
	logger.Info("serving", "addr", ln.Addr().String(), "db", store.Redact(cfg.db), "replica", st.Replica())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight probes", "deadline", cfg.shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	// Both at once: the live-progress streams stay open until their probes
	// end, so an HTTP shutdown first would spend the whole deadline waiting
	// on them and leave the probes none. The app refuses new probes from
	// its first moment of shutting down.
	appDone := make(chan error, 1)
	go func() {
		// Monitors stop scheduling first; a run cut short here is
		// interrupted and alerts nothing.
		mon.svc.Close()
		appDone <- errors.Join(attempts.Shutdown(sctx), app.Shutdown(sctx))
	}()
	httpErr := srv.Shutdown(sctx)
	appErr := <-appDone
	if errors.Is(httpErr, context.DeadlineExceeded) {
		srv.Close()
		httpErr = nil
	}
	return errors.Join(httpErr, appErr)
}
