package web

import (
	"net/http"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/snippet"
	"github.com/smtpdoctor/smtpdoctor/probe/ticket"
)

// snippetSet is what a permalink offers to copy: configuration for the
// settings that worked (none when nothing did), and the command lines that
// replay the conversation (also for failures, to show a provider).
type snippetSet struct {
	Config    []snippet.Snippet
	Reproduce []snippet.Snippet
	// LoginUntested: the probe did not log in (try-all rows), so the
	// snippets carry a placeholder username and an unproven login.
	LoginUntested bool
}

// snippetsFor builds the set for a finished result.
func snippetsFor(res probe.Result) snippetSet {
	// Pasted text was read, not tried: nothing in it is proven to work,
	// and its settings are whatever the text happened to mention.
	if res.Status != probe.StatusDone || res.Kind == probe.KindExplain {
		return snippetSet{}
	}
	if in, ok := snippet.FromResult(&res); ok {
		all, err := snippet.All(in)
		if err != nil {
			return snippetSet{}
		}
		return snippetSet{Config: snippet.Only(all, snippet.GroupConfig), Reproduce: snippet.Only(all, snippet.GroupReproduce), LoginUntested: in.LoginUntested}
	}
	in, err := snippet.FromSettings(res.Settings)
	if err != nil {
		return snippetSet{}
	}
	all, err := snippet.All(in)
	if err != nil {
		return snippetSet{}
	}
	return snippetSet{Reproduce: snippet.Only(all, snippet.GroupReproduce)}
}

// snippetsResponse is GET /api/v1/probes/{id}/snippets.
type snippetsResponse struct {
	URL string `json:"url"` // the permalink, absolute
	// Working says whether the settings worked; without that, only the
	// replay command lines are given.
	Working  bool              `json:"working"`
	Snippets []snippet.Snippet `json:"snippets"`
}

// apiSnippets is GET /api/v1/probes/{id}/snippets: every snippet for the
// settings that worked, or only the replays when nothing did. ?client=
// narrows it to one.
func (s *Server) apiSnippets(w http.ResponseWriter, r *http.Request) {
	res, ok := s.loadAttempt(w, r)
	if !ok {
		return
	}
	set := snippetsFor(res)
	out := snippetsResponse{URL: s.absURL(r, "/p/"+res.ID), Working: len(set.Config) > 0, Snippets: append(set.Config, set.Reproduce...)}
	if c := r.URL.Query().Get("client"); c != "" {
		var one []snippet.Snippet
		for _, sn := range out.Snippets {
			if sn.Client == c {
				one = append(one, sn)
			}
		}
		if len(one) == 0 {
			s.clientError(w, r, http.StatusNotFound, "No such snippet",
				"There is no "+c+" snippet for this test. Clients: "+strings.Join(snippet.Clients(), ", ")+
					" (configuration only for tests that worked).")
			return
		}
		out.Snippets = one
	}
	if out.Snippets == nil {
		out.Snippets = []snippet.Snippet{}
	}
	writeJSON(w, http.StatusOK, out)
}

// ticketFor is the Markdown ticket text of a result.
func (s *Server) ticketFor(r *http.Request, res probe.Result) string {
	return ticket.Markdown(res, ticket.LinkTo(s.absURL(r, "/p/"+res.ID)))
}

// exportMarkdown is GET /p/{id}.md: the ticket text, for a GitHub issue or
// a provider's support form.
func (s *Server) exportMarkdown(w http.ResponseWriter, r *http.Request) {
	res, ok := s.loadAttempt(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(s.ticketFor(r, res)))
}

// exportedResult is a result as the API and the .json export give it: with
// its permalink, and every link in it absolute, so that JSON pasted into a
// ticket or a chat still leads back.
type exportedResult struct {
	probe.Result
	URL string `json:"url,omitempty"`
}

func (s *Server) exported(r *http.Request, res probe.Result) exportedResult {
	out := exportedResult{Result: res}
	if res.ID != "" {
		out.URL = s.absURL(r, "/p/"+res.ID)
	}
	if d := res.Diagnosis; d != nil && len(d.Links) > 0 {
		// The diagnosis is shared with the stored result: copy before
		// rewriting its links.
		dc := *d
		dc.Links = make([]probe.Link, len(d.Links))
		for i, l := range d.Links {
			if strings.HasPrefix(l.URL, "/") && !strings.HasPrefix(l.URL, "//") {
				l.URL = s.absURL(r, l.URL)
			}
			dc.Links[i] = l
		}
		out.Diagnosis = &dc
	}
	return out
}
