package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

func contextWithTimeout(r *http.Request, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), d)
}

// exportJSON is GET /p/{id}.json: the result as the API gives it.
func (s *Server) exportJSON(w http.ResponseWriter, r *http.Request) {
	res, ok := s.loadAttempt(w, r)
	if !ok {
		return
	}
	writeJSONIndent(w, http.StatusOK, s.exported(r, res), "  ")
}

// exportText is GET /p/{id}.txt: a plain-text report to paste in a ticket.
func (s *Server) exportText(w http.ResponseWriter, r *http.Request) {
	res, ok := s.loadAttempt(w, r)
	if !ok {
		return
	}
	var b strings.Builder
	st := res.Settings
	fmt.Fprintf(&b, "smtpdoctor report %s\n\n", absURL(r, "/p/"+res.ID))
	fmt.Fprintf(&b, "Tested:   %s, security %s\n", target(st), securityLabel(st.Security))
	if st.User != "" {
		fmt.Fprintf(&b, "Username: %s (mechanism %s)\n", st.User, st.Mech)
	}
	if st.From != "" || st.To != "" {
		fmt.Fprintf(&b, "Envelope: from %s to %s\n", orDash(st.From), orDash(st.To))
	}
	fmt.Fprintf(&b, "When:     %s, took %s, from %s\n", fmtTime(res.StartedAt), fmtMS(res.DurationMS), orDash(res.Origin))
	fmt.Fprintf(&b, "Status:   %s", res.Status)
	if res.Outcome != "" {
		fmt.Fprintf(&b, ", outcome %s", res.Outcome)
	}
	b.WriteString("\n")
	if d := res.Diagnosis; d != nil {
		fmt.Fprintf(&b, "\nDiagnosis: %s (%s)\n%s\n", d.Title, d.Code, d.Summary)
		if len(d.Remediation) > 0 {
			b.WriteString("\nWhat to do:\n")
			for i, step := range d.Remediation {
				fmt.Fprintf(&b, "  %d. %s\n", i+1, step)
			}
		}
	}
	if len(res.Findings) > 0 {
		b.WriteString("\nAlso worth knowing:\n")
		for _, f := range res.Findings {
			fmt.Fprintf(&b, "  - [%s] %s (%s): %s\n", f.Severity, f.Title, f.Code, f.Detail)
		}
	}
	if len(res.Steps) > 0 {
		b.WriteString("\nSteps:\n")
		for _, step := range res.Steps {
			fmt.Fprintf(&b, "  %-10s %-8s %8s  %s\n", step.Name, step.Status, fmtMS(step.DurationMS), step.Detail)
		}
	}
	if len(res.Transcript) > 0 {
		b.WriteString("\nTranscript (C: client, S: server; secrets redacted):\n")
		for _, l := range res.Transcript {
			fmt.Fprintf(&b, "  %8s %s %s\n", fmtMS(l.AtMS), dirLabel(l.Dir), l.Text)
		}
		if res.TranscriptCut {
			b.WriteString("  (transcript cut at its size limit)\n")
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(b.String()))
}
