package ticket

import (
	"net/netip"
	"net/url"
	"strings"
)

// LinkTo makes the Link for an absolute permalink, noting when it points at
// this machine's loopback (127.0.0.0/8, ::1, localhost): such a link opens
// nowhere else, and whoever reads the ticket should know.
func LinkTo(permalink string) Link {
	return Link{URL: permalink, LocalOnly: isLoopbackURL(permalink)}
}

func isLoopbackURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}
