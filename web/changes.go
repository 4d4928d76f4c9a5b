package web

import (
	"slices"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// change is one difference between the last attempt that worked and a
// failing one: often the fastest route to the cause ("the certificate
// changed yesterday", "AUTH PLAIN is no longer offered").
type change struct {
	What, Before, After string
}

// diffResults compares what the server showed then and now.
func diffResults(ok, bad probe.Result) []change {
	var out []change
	add := func(what, before, after string) {
		if before != after {
			out = append(out, change{What: what, Before: orDash(before), After: orDash(after)})
		}
	}
	if ok.Server != nil && bad.Server != nil {
		add("Greeting banner", strings.Join(ok.Server.Banner, " / "), strings.Join(bad.Server.Banner, " / "))
		add("Server address", ok.Server.Address, bad.Server.Address)
		addSet(&out, "EHLO capabilities", exts(ok.Server), exts(bad.Server))
	}
	if ok.Auth != nil && bad.Auth != nil {
		addSet(&out, "AUTH mechanisms offered", mechs(ok.Auth), mechs(bad.Auth))
	}
	if ok.TLS != nil || bad.TLS != nil {
		add("TLS version", tlsVersion(ok.TLS), tlsVersion(bad.TLS))
		add("Certificate (SHA-256)", leaf(ok.TLS, func(c probe.Certificate) string { return c.SHA256 }),
			leaf(bad.TLS, func(c probe.Certificate) string { return c.SHA256 }))
		add("Certificate expires", leaf(ok.TLS, func(c probe.Certificate) string { return fmtTime(c.NotAfter) }),
			leaf(bad.TLS, func(c probe.Certificate) string { return fmtTime(c.NotAfter) }))
	}
	add("Diagnosis", diagCode(ok), diagCode(bad))
	return out
}

func addSet(out *[]change, what string, before, after []string) {
	var gone, added []string
	for _, b := range before {
		if !slices.Contains(after, b) {
			gone = append(gone, b)
		}
	}
	for _, a := range after {
		if !slices.Contains(before, a) {
			added = append(added, a)
		}
	}
	if len(gone)+len(added) == 0 {
		return
	}
	*out = append(*out, change{What: what, Before: "no longer: " + orDash(strings.Join(gone, ", ")), After: "new: " + orDash(strings.Join(added, ", "))})
}

func exts(s *probe.ServerInfo) []string {
	if len(s.ExtensionsTLS) > 0 {
		return s.ExtensionsTLS
	}
	return s.Extensions
}

func mechs(a *probe.AuthInfo) []string {
	if len(a.OfferedAfterTLS) > 0 {
		return a.OfferedAfterTLS
	}
	return a.OfferedBeforeTLS
}

func tlsVersion(t *probe.TLSInfo) string {
	if t == nil {
		return "no TLS"
	}
	return t.Version
}

func leaf(t *probe.TLSInfo, f func(probe.Certificate) string) string {
	if t == nil || len(t.Chain) == 0 {
		return ""
	}
	return f(t.Chain[0])
}

func diagCode(r probe.Result) string {
	if r.Diagnosis == nil {
		return ""
	}
	return r.Diagnosis.Code
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
