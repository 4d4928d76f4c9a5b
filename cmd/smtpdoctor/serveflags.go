package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/policy"
	"github.com/smtpdoctor/smtpdoctor/web"
)

type serveConfig struct {
	listen          string
	db              string
	sandbox         bool
	caFile          string
	shutdownTimeout time.Duration
	logLevel        slog.Level
	web             web.Config
	attempts        attempt.Config
	// secretKeyFile holds the key monitors' passwords are sealed with.
	secretKeyFile string
	// monitorRetention is how long monitors' runs and attempts are kept.
	monitorRetention time.Duration
}

// parseServeFlags reads the serve flags; every flag's default comes from its
// SMTPDOCTOR_* environment variable when set, so a container or unit file can
// configure everything without a command line.
func parseServeFlags(args []string, e env, stderr io.Writer) (serveConfig, error) {
	var c serveConfig
	fs := flag.NewFlagSet("smtpdoctor serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	str := func(p *string, name, def, help string) {
		fs.StringVar(p, name, envOr(e, name, def), help+" (env "+envName(name)+")")
	}
	var allowTargets, allowPorts, logLevel, retention, stepTimeout, totalTimeout, shutdown, trustedProxies, publicURL, allowedHosts string
	var probeRate, perTarget, maxProbes, queue, ipv6Prefix, maxStreams, streamsPerClient string
	str(&c.listen, "listen", "127.0.0.1:8080", "address to serve the dashboard on")
	str(&publicURL, "public-url", "", "the address people use, e.g. https://smtpdoctor.example.com: links are built from it and requests for other host names are refused")
	str(&allowedHosts, "allowed-hosts", "", "more host names the dashboard answers to (comma-separated), e.g. the internal name a metrics scraper uses")
	str(&c.db, "db", "./smtpdoctor.db", "SQLite database file, created on first run")
	boolean := func(p *bool, name, help string) {
		*p, _ = strconv.ParseBool(envOr(e, name, "false"))
		fs.BoolVar(p, name, *p, help+" (env "+envName(name)+")")
	}
	sandboxFlag := &autoBool{}
	if v := e.get(envName("sandbox")); v != "" {
		if err := sandboxFlag.Set(v); err != nil {
			return c, fmt.Errorf("%s: %w", envName("sandbox"), err)
		}
	}
	fs.Var(sandboxFlag, "sandbox", "start the built-in demo SMTP servers on loopback and offer them as examples; "+
		"default: on when the dashboard listens on loopback only, off otherwise (env "+envName("sandbox")+")")
	str(&c.caFile, "ca-file", "", "extra trusted CA certificates (PEM) for every probe")
	str(&allowTargets, "allow-targets", "", "also allow probing these CIDRs (comma-separated), or all")
	str(&allowPorts, "allow-ports", "25,465,587,2525", "ports probes may use: a list and ranges, e.g. 25,465,587,2525 or 1-65535")
	boolean(&c.web.DenyPrivate, "deny-private", "refuse private address ranges too (for a dashboard reachable from the internet)")
	str(&probeRate, "probe-rate", "10", "probe starts per minute per client address; 0 = unlimited")
	str(&ipv6Prefix, "ipv6-prefix", "64", "IPv6 clients count against per-client limits by this many leading bits of their address (1-128)")
	str(&perTarget, "per-target", "2", "concurrent probes per target host; 0 = unlimited")
	str(&maxProbes, "max-probes", "32", "concurrent probes in all")
	str(&queue, "queue", "64", "probes that may wait for a free slot before new ones are refused with 503")
	str(&maxStreams, "max-streams", "1000", "live-progress streams open at once in all; more are refused with 503 (each costs about 40 KB)")
	str(&streamsPerClient, "max-streams-per-client", "16", "live-progress streams one client may have open at once")
	str(&retention, "retention", "2160h", "delete attempts older than this (default 90 days); 0 keeps everything")
	str(&stepTimeout, "timeout", "10s", "probe deadline per step (connect, each reply)")
	str(&totalTimeout, "total-timeout", "60s", "probe deadline for the whole conversation")
	str(&shutdown, "shutdown-timeout", "20s", "on SIGTERM, how long in-flight probes may finish before they are marked interrupted")
	boolean(&c.web.PublicPermalinks, "public-permalinks", "with access control on, let permalinks be opened without logging in")
	str(&c.web.BasicUser, "auth-user", "", "require HTTP basic auth with this user name (with --auth-bcrypt)")
	str(&c.web.BasicHash, "auth-bcrypt", "", "bcrypt hash of the basic-auth password (htpasswd -nbB user pass)")
	str(&c.web.TrustedUserHeader, "auth-header", "", "trust this header as the logged-in user when it comes from --trusted-proxies (your reverse proxy sets it), e.g. X-Forwarded-User")
	str(&trustedProxies, "trusted-proxies", "", "reverse proxies (CIDRs) whose X-Forwarded-For names the client (per-client rate limits behind a proxy) and whose --auth-header is believed")
	str(&logLevel, "log-level", "info", "debug, info, warn or error")
	var monitorRetention string
	str(&c.secretKeyFile, "secret-key-file", "", "key that encrypts the passwords monitors keep: 32 random bytes, base64 on one line (openssl rand -base64 32); without it, monitors that log in are refused")
	str(&monitorRetention, "monitor-retention", "720h", "delete monitors' runs, alert logs and attempts older than this (default 30 days; the latest run's attempt is always kept); 0 keeps everything")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	// A first-time user running the README's command should see a working
	// and a failing diagnosis without a mail server of their own; a
	// dashboard reachable by others should not offer a demo unasked.
	c.sandbox = sandboxFlag.or(listensOnLoopback(c.listen))
	if fs.NArg() > 0 {
		return c, fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}

	var err error
	parse := func(name string, f func() error) {
		if err == nil {
			if e := f(); e != nil {
				err = fmt.Errorf("--%s: %w", name, e)
			}
		}
	}
	parse("allow-targets", func() (e error) {
		c.web.AllowTargets, c.web.AllowAllTargets, e = parseTargets(allowTargets)
		return
	})
	parse("trusted-proxies", func() (e error) {
		var all bool
		c.web.TrustedProxies, all, e = parseTargets(trustedProxies)
		if all {
			e = fmt.Errorf("list the proxies' CIDRs; trusting every peer would let any client choose its address")
		}
		return
	})
	parse("public-url", func() (e error) {
		if publicURL != "" {
			c.web.PublicURL, e = web.ParsePublicURL(publicURL)
		}
		return
	})
	parse("allowed-hosts", func() error {
		for h := range strings.SplitSeq(allowedHosts, ",") {
			if h = strings.TrimSpace(h); h == "" {
				continue
			}
			if strings.ContainsAny(h, "/:@ ") {
				return fmt.Errorf("%q: give host names only, without scheme, port or path (e.g. smtpdoctor.internal)", h)
			}
			c.web.AllowedHosts = append(c.web.AllowedHosts, h)
		}
		return nil
	})
	parse("allow-ports", func() (e error) { c.web.AllowPorts, e = policy.ParsePortSet(allowPorts); return })
	parse("probe-rate", func() (e error) { c.web.ProbeRate, e = nonNegative(probeRate); return })
	parse("ipv6-prefix", func() (e error) {
		c.web.IPv6Prefix, e = positive(ipv6Prefix)
		if e == nil && c.web.IPv6Prefix > 128 {
			e = fmt.Errorf("%q: an IPv6 prefix has 1 to 128 bits (64 counts each /64 network as one client)", ipv6Prefix)
		}
		return
	})
	parse("per-target", func() (e error) { c.attempts.PerTarget, e = nonNegative(perTarget); return })
	parse("max-probes", func() (e error) { c.attempts.MaxProbes, e = positive(maxProbes); return })
	parse("max-streams", func() (e error) { c.web.MaxStreams, e = positive(maxStreams); return })
	parse("max-streams-per-client", func() (e error) { c.web.MaxStreamsPerClient, e = positive(streamsPerClient); return })
	parse("queue", func() (e error) { c.attempts.QueueSize, e = nonNegative(queue); return })
	parse("retention", func() (e error) { c.web.Retention, e = time.ParseDuration(retention); return })
	parse("timeout", func() (e error) { c.attempts.StepTimeout, e = time.ParseDuration(stepTimeout); return })
	parse("total-timeout", func() (e error) { c.attempts.TotalTimeout, e = time.ParseDuration(totalTimeout); return })
	parse("shutdown-timeout", func() (e error) { c.shutdownTimeout, e = time.ParseDuration(shutdown); return })
	parse("log-level", func() error { return c.logLevel.UnmarshalText([]byte(logLevel)) })
	parse("monitor-retention", func() (e error) { c.monitorRetention, e = time.ParseDuration(monitorRetention); return })
	if c.monitorRetention == 0 {
		c.monitorRetention = -1 // keep everything
	}
	// On the command line 0 lifts a bound (or, for --queue, lets nothing
	// wait); in the configuration structs 0 means "not set, use the
	// default", so translate.
	if c.web.ProbeRate == 0 {
		c.web.ProbeRate = web.Unlimited
	}
	if c.attempts.PerTarget == 0 {
		c.attempts.PerTarget = attempt.Unlimited
	}
	if c.attempts.QueueSize == 0 {
		c.attempts.QueueSize = attempt.NoQueue
	}
	if c.web.Retention == 0 {
		c.web.Retention = web.KeepForever
	}
	if err == nil && c.web.TrustedUserHeader != "" && len(c.web.TrustedProxies) == 0 {
		err = fmt.Errorf("--auth-header %s is believed only from the reverse proxy that sets it: name that proxy with --trusted-proxies (e.g. --trusted-proxies 127.0.0.1/32), or any client could send the header and sign itself in",
			c.web.TrustedUserHeader)
	}
	if err == nil && (c.web.BasicUser == "") != (c.web.BasicHash == "") {
		err = fmt.Errorf("--auth-user and --auth-bcrypt go together: set both or neither")
	}
	return c, err
}

func envName(flagName string) string {
	return "SMTPDOCTOR_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func envOr(e env, flagName, def string) string {
	if v := e.get(envName(flagName)); v != "" {
		return v
	}
	return def
}

// parseTargets reads --allow-targets: "all", or CIDRs and bare addresses.
func parseTargets(s string) ([]netip.Prefix, bool, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false, nil
	}
	if s == "all" {
		return nil, true, nil
	}
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, false, fmt.Errorf("%q is neither a CIDR (10.0.0.0/8) nor an address; use CIDRs separated by commas, or all", part)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, false, nil
}

func nonNegative(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q: use a whole number, 0 or more", s)
	}
	return n, nil
}

func positive(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q: use a whole number, 1 or more", s)
	}
	return n, nil
}

// autoBool is a boolean flag that knows whether it was given at all.
type autoBool struct{ set, val bool }

func (b *autoBool) IsBoolFlag() bool { return true }
func (b *autoBool) String() string {
	if b == nil || !b.set {
		return "auto"
	}
	return strconv.FormatBool(b.val)
}
func (b *autoBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%q: use true or false", s)
	}
	b.set, b.val = true, v
	return nil
}

// or is the flag's value when given, def otherwise.
func (b *autoBool) or(def bool) bool {
	if b.set {
		return b.val
	}
	return def
}

// listensOnLoopback reports whether addr (host:port) is reachable only from
// this machine.
func listensOnLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}
