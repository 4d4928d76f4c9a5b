package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/service"
)

// apiMonitor is one monitor in the API's answers. It has no password and
// no alert addresses (webhook paths are credentials); alerts appear as
// their type and host.
type apiMonitor struct {
	ID           string         `json:"id"`
	URL          string         `json:"url"`
	Name         string         `json:"name"`
	Settings     probe.Settings `json:"settings"`
	Interval     string         `json:"interval"`
	State        watch.State    `json:"state"`
	Since        time.Time      `json:"since"`
	NextRun      time.Time      `json:"next_run,omitzero"`
	LoginPaused  bool           `json:"login_paused"`
	LoginRetryAt time.Time      `json:"login_retry_at,omitzero"`
	Last         *apiLastRun    `json:"last"`
	Alerts       []apiAlert     `json:"alerts"`
}

type apiLastRun struct {
	ID        string        `json:"id"`
	URL       string        `json:"url"`
	At        time.Time     `json:"at"`
	Outcome   probe.Outcome `json:"outcome"`
	Diagnosis apiDiagnosis  `json:"diagnosis"`
}

type apiDiagnosis struct {
	Code  probe.Code `json:"code"`
	Title string     `json:"title"`
}

type apiAlert struct {
	Type   watch.AlertType `json:"type"`
	Target string          `json:"target"`
}

func (s *Server) toAPIMonitor(r *http.Request, m watch.Monitor) apiMonitor {
	out := apiMonitor{ID: m.ID, URL: s.absURL(r, "/monitors/"+m.ID), Name: m.Name, Settings: m.Settings,
		Interval: watch.FormatInterval(m.Interval), State: m.Status.State, Since: m.Status.Since, NextRun: m.NextRunAt,
		Alerts: []apiAlert{}}
	if h := m.Status.Hold; h != nil {
		out.LoginPaused, out.LoginRetryAt = true, h.RetryAt
	}
	if l := m.Status.Last; l != nil {
		out.Last = &apiLastRun{ID: l.AttemptID, URL: s.absURL(r, "/p/"+l.AttemptID), At: l.At, Outcome: l.Outcome,
			Diagnosis: apiDiagnosis{Code: l.Code, Title: l.Title}}
	}
	for _, a := range m.Alerts {
		out.Alerts = append(out.Alerts, apiAlert{Type: a.Type, Target: a.Target()})
	}
	return out
}

// monitorsOff answers when the dashboard runs without monitors.
func (s *Server) monitorsOff(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.Monitors != nil {
		return false
	}
	s.clientError(w, r, http.StatusNotFound, "Monitors are off", "This dashboard runs without monitors.")
	return true
}

// apiMonitorCreate is POST /api/v1/monitors → 201 {"id","url"}.
func (s *Server) apiMonitorCreate(w http.ResponseWriter, r *http.Request) {
	if s.monitorsOff(w, r) {
		return
	}
	m, secrets, ok := s.readMonitorRequest(w, r)
	if !ok {
		return
	}
	m, err := s.cfg.Monitors.Create(r.Context(), m, secrets)
	var ie *service.InputError
	switch {
	case errors.As(err, &ie):
		writeJSON(w, http.StatusBadRequest, apiError{Error: ie.Error()})
		return
	case err != nil:
		s.serverError(w, r, "creating the monitor", err)
		return
	}
	w.Header().Set("Location", "/api/v1/monitors/"+m.ID)
	writeJSON(w, http.StatusCreated, apiStarted{ID: m.ID, URL: s.absURL(r, "/monitors/"+m.ID)})
}

// apiMonitorList is GET /api/v1/monitors.
func (s *Server) apiMonitorList(w http.ResponseWriter, r *http.Request) {
	if s.monitorsOff(w, r) {
		return
	}
	list := s.cfg.Monitors.List()
	out := struct {
		Monitors []apiMonitor `json:"monitors"`
	}{Monitors: make([]apiMonitor, 0, len(list))}
	for _, m := range list {
		out.Monitors = append(out.Monitors, s.toAPIMonitor(r, m))
	}
	writeJSON(w, http.StatusOK, out)
}

// apiMonitorGet is GET /api/v1/monitors/{id}.
func (s *Server) apiMonitorGet(w http.ResponseWriter, r *http.Request) {
	if s.monitorsOff(w, r) {
		return
	}
	m, ok := s.cfg.Monitors.Get(chi.URLParam(r, "id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, apiError{Error: "no monitor with this id"})
		return
	}
	writeJSON(w, http.StatusOK, s.toAPIMonitor(r, m))
}

// apiMonitorDelete is DELETE /api/v1/monitors/{id} → 204.
func (s *Server) apiMonitorDelete(w http.ResponseWriter, r *http.Request) {
	if s.monitorsOff(w, r) {
		return
	}
	err := s.cfg.Monitors.Delete(r.Context(), chi.URLParam(r, "id"))
	switch {
	case errors.Is(err, service.ErrNotFound):
		writeJSON(w, http.StatusNotFound, apiError{Error: "no monitor with this id"})
	case err != nil:
		s.serverError(w, r, "deleting the monitor", err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// apiMonitorUpdate is PUT /api/v1/monitors/{id}: the same body as POST,
// replacing what people edit. A password left out (or empty) keeps the one
// stored, and so does an email alert's at the same position. Editing lifts
// a login hold and runs the monitor at once.
func (s *Server) apiMonitorUpdate(w http.ResponseWriter, r *http.Request) {
	if s.monitorsOff(w, r) {
		return
	}
	id := chi.URLParam(r, "id")
	if _, ok := s.cfg.Monitors.Get(id); !ok {
		writeJSON(w, http.StatusNotFound, apiError{Error: "no monitor with this id"})
		return
	}
	m, secrets, ok := s.readMonitorRequest(w, r)
	if !ok {
		return
	}
	m.ID = id
	m, err := s.cfg.Monitors.Update(r.Context(), m, secrets)
	var ie *service.InputError
	switch {
	case errors.As(err, &ie):
		writeJSON(w, http.StatusBadRequest, apiError{Error: ie.Error()})
	case errors.Is(err, service.ErrNotFound):
		writeJSON(w, http.StatusNotFound, apiError{Error: "no monitor with this id"})
	case err != nil:
		s.serverError(w, r, "updating the monitor", err)
	default:
		writeJSON(w, http.StatusOK, s.toAPIMonitor(r, m))
	}
}

// readMonitorRequest reads a monitor from a JSON request body, answering
// the client itself (413 or 400, saying what was wrong) when it cannot.
func (s *Server) readMonitorRequest(w http.ResponseWriter, r *http.Request) (watch.Monitor, service.Secrets, bool) {
	in, err := decodeMonitorInput(r.Body)
	if err != nil {
		if isTooLarge(err) {
			writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Error: "request body too large (at most 64 KiB)"})
		} else {
			writeJSON(w, http.StatusBadRequest, apiError{Error: err.Error()})
		}
		return watch.Monitor{}, service.Secrets{}, false
	}
	m, secrets, fe := s.toMonitor(in)
	if fe != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid monitor: " + fe.Error(), Fields: fe})
		return watch.Monitor{}, service.Secrets{}, false
	}
	return m, secrets, true
}
