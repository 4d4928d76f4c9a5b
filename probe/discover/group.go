package discover

import "time"

// Group is one try-all as it is kept for its permalink: what the person
// typed, what discovery found when that was an address or a domain, the
// matrix of the host that was tried, and the stored attempt of each row.
// Rows keep their summary; the whole probe of each is its attempt.
type Group struct {
	ID        string    `json:"id"`
	StartedAt time.Time `json:"started_at"`
	// Input is what was typed: an email address, a domain or a host.
	Input string `json:"input"`
	// Discovery is set when Input was an address or a domain.
	Discovery *Discovery `json:"discovery,omitempty"`
	// Matrix is the try-all of the chosen host; empty Host when discovery
	// found no submission server to try.
	Matrix Matrix `json:"matrix"`
	// IDs are the stored attempts, one per row of the matrix; "" where
	// the store refused the write.
	IDs []string `json:"ids"`
	// Running is set while the rows are being tried; the rows then hold
	// only their port and security, and each row's attempt its progress.
	// Best is known once it ends.
	Running bool `json:"running,omitempty"`
	// Interrupted is set when the dashboard stopped before the rows
	// finished, Cancelled when the person who started it stopped it.
	Interrupted bool `json:"interrupted,omitempty"`
	Cancelled   bool `json:"cancelled,omitempty"`
}

// Answered counts the rows whose server sent a greeting.
func (g Group) Answered() int {
	n := 0
	for _, r := range g.Matrix.Rows {
		if r.Answered {
			n++
		}
	}
	return n
}
