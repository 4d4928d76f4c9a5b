package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/discover"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// A try-all is kept as a group (store.SaveTryGroup) with a permalink of
// its own, /try/{id}: POST /try starts it and redirects there at once, so
// the result is a page that fills in as the rows end and can be reloaded,
// shared and found again after a restart, not the answer to a POST. An email address (in the main form's host
// field or the try-all form) starts with discovery: the domain's SRV
// records, the provider table and its MX hosts, as `smtpdoctor probe
// --discover` does; the try-all then runs on the best submission
// candidate, every probe through the dashboard's target policy.

const passwordUnused = "The password was not used: trying all ports never signs in. Run a normal test on the best combination to check it."

// discoverTimeout bounds the DNS lookups of one discovery.
const discoverTimeout = 10 * time.Second

func groupURL(id string, passwordUnused bool) string {
	u := "/try/" + id
	if passwordUnused {
		u += "?unused=password"
	}
	return u
}

// startFromAddress discovers the servers of an email address, tries all
// ports on the best submission candidate and redirects to the group.
func (s *Server) startFromAddress(w http.ResponseWriter, r *http.Request, input string, usedPassword bool) {
	ctx, cancel := context.WithTimeout(r.Context(), discoverTimeout)
	d, err := discover.Discover(ctx, s.cfg.DiscoverResolver, input)
	cancel()
	v := tryView{Host: input, Best: -1}
	if err != nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusBadRequest)
		v.Error = "Not started: could not find the mail servers of " + input + ": " + err.Error() + "."
		tryPage(v).Render(r.Context(), w)
		return
	}
	host := ""
	for _, c := range d.Candidates {
		if c.Submission {
			host = c.Host
			break
		}
	}
	g, err := s.attempts.TryAllGroup(r.Context(), attempt.TryAllRequest{Input: input, Host: host, Discovery: &d})
	if err != nil {
		s.tryRefused(w, r, v, err)
		return
	}
	http.Redirect(w, r, groupURL(g.ID, usedPassword), http.StatusSeeOther)
}

// tryRefused answers a try-all that could not run: a bound (429/503 with
// the reason), a client that left, or a server error.
func (s *Server) tryRefused(w http.ResponseWriter, r *http.Request, v tryView, err error) {
	if status, msg, ok := s.refusal(w, r, err); ok {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		v.Error = "Not started: " + msg + "."
		tryPage(v).Render(r.Context(), w)
		return
	}
	if r.Context().Err() != nil {
		return // the client left while the job waited for a slot
	}
	s.serverError(w, r, "trying all ports", err)
}

// tryGroup is GET /try/{id}: a kept try-all, live while it runs. Each
// row shows its state (waiting, the step it waits in against its limit,
// or its result) and fills in from GET /try/{id}/events as it ends;
// without JavaScript the page reloads itself, as a probe's permalink does.
func (s *Server) tryGroup(w http.ResponseWriter, r *http.Request) {
	g, ok := s.loadGroup(w, r)
	if !ok {
		return
	}
	v := s.tryGroupView(r, g)
	if r.URL.Query().Get("unused") == "password" {
		v.Note = passwordUnused
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if v.Live {
		w.Header().Set("Cache-Control", "no-store")
	} else {
		w.Header().Set("Cache-Control", "private, no-cache")
	}
	tryPage(v).Render(r.Context(), w)
}

// loadGroup reads the {id} of the route: live when the try-all runs in
// this process, else from the store. It answers the request itself (404,
// 500) when it returns ok=false.
func (s *Server) loadGroup(w http.ResponseWriter, r *http.Request) (discover.Group, bool) {
	id, ok := attempt.ParseID(chi.URLParam(r, "id"))
	if !ok {
		s.clientError(w, r, http.StatusNotFound, "No such try-all", "That link does not name a try-all. Check that it was copied whole.")
		return discover.Group{}, false
	}
	g, err := s.attempts.Group(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, attempt.ErrNoGroupStore) {
		s.clientError(w, r, http.StatusNotFound, "No such try-all",
			"There is no try-all at this link. It may have been removed after the retention period.")
		return discover.Group{}, false
	}
	if err != nil {
		s.serverError(w, r, "loading the try-all", err)
		return discover.Group{}, false
	}
	return g, true
}

// tryGroupView is the page of a group as it is now.
func (s *Server) tryGroupView(r *http.Request, g discover.Group) tryView {
	v := tryView{Host: g.Matrix.Host, Best: g.Matrix.Best, Group: &g, URL: s.absURL(r, "/try/"+g.ID),
		Live: g.Running, StepLimit: s.attempts.StepTimeout()}
	for i, row := range g.Matrix.Rows {
		tr := tryRow{Row: row}
		if i < len(g.IDs) {
			tr.ID = g.IDs[i]
		}
		v.Rows = append(v.Rows, tr)
	}
	return v
}

// tryHeadline is the group's verdict in one sentence, honest about the
// worst case: nothing answered at all.
func tryHeadline(v tryView) string {
	g := v.Group
	switch {
	case g == nil:
		return ""
	case g.Running:
		return "Trying " + itoa(len(g.Matrix.Rows)) + " ports on " + g.Matrix.Host + " at once, without signing in. " +
			"Each row below fills in as it ends; the verdict comes when all have."
	case g.Matrix.Host == "":
		return "No submission server was found for " + domainOf(g) + ", so nothing was tried."
	case g.Cancelled && g.Matrix.Best < 0:
		return "You cancelled this try-all before any port offering sign-in over TLS had answered. Each row shows how far it got."
	case g.Interrupted && g.Matrix.Best < 0:
		return "The dashboard stopped before this try-all finished. Each row shows how far it got; run it again."
	case g.Answered() == 0:
		return "Nothing answered at all: none of the " + itoa(len(g.Matrix.Rows)) + " ports tried on " + g.Matrix.Host +
			" sent an SMTP greeting. The host is down, a firewall drops the traffic, or this is not its mail server."
	case g.Matrix.Best < 0:
		return itoa(g.Answered()) + " of " + itoa(len(g.Matrix.Rows)) + " ports answered on " + g.Matrix.Host +
			", but none offered sign-in over TLS. See each row for what went wrong."
	}
	b := g.Matrix.Rows[g.Matrix.Best]
	return "Use " + g.Matrix.Host + " port " + itoa(b.Port) + " with " + securityLabel(b.Security) + ": it answered and offers sign-in over TLS."
}

func domainOf(g *discover.Group) string {
	if g.Discovery != nil && g.Discovery.Domain != "" {
		return g.Discovery.Domain
	}
	return g.Input
}

func itoa(n int) string { return strconv.Itoa(n) }

func tryHeadlineClass(v tryView) string {
	switch {
	case v.Group != nil && v.Group.Running:
		return "info"
	case v.Group != nil && v.Group.Matrix.Best >= 0:
		return "success"
	}
	return "error"
}

// tryFormValue refills the form with what was typed (an address stays an
// address).
func tryFormValue(v tryView) string {
	if v.Group != nil {
		return v.Group.Input
	}
	return v.Host
}

// sourceLabel says where discovery found a candidate.
func sourceLabel(src string) string {
	switch {
	case src == discover.SourceSRVSubmissions:
		return "from the domain's _submissions SRV record"
	case src == discover.SourceSRVSubmission:
		return "from the domain's _submission SRV record"
	case src == discover.SourceMX:
		return "an MX host of the domain"
	case strings.HasPrefix(src, discover.SourceProviderPrefix):
		return "from smtpdoctor's provider table"
	}
	return src
}
