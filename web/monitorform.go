package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/service"
	"github.com/smtpdoctor/smtpdoctor/store"
)

type monitorFormView struct {
	In      monitorInput
	FromID  string
	Errors  probe.FieldErrors
	Message string
	HasKey  bool
	// EditID is the monitor being edited; empty on creation.
	EditID string
	// Kept names the webhook address of each type the monitor has, which
	// an empty field keeps (edit only).
	Kept map[watch.AlertType]string
	// HasPassword says a password is stored, which an empty field keeps.
	HasPassword bool
}

func (v monitorFormView) alertURL(t watch.AlertType) string {
	for _, a := range v.In.Alerts {
		if a.Type == string(t) {
			return a.URL
		}
	}
	return ""
}

func (v monitorFormView) emailAlert() alertInput {
	for _, a := range v.In.Alerts {
		if a.Type == string(watch.AlertEmail) {
			return a
		}
	}
	return alertInput{SMTP: probe.Input{Port: "587", Security: "starttls"}}
}

// monitorNew is GET /monitors/new: the "Watch this server" form, filled in
// from ?from=<attempt id> when it comes from a permalink. The password is
// asked again: no page ever holds one.
func (s *Server) monitorNew(w http.ResponseWriter, r *http.Request) {
	if s.monitorsOff(w, r) {
		return
	}
	v := monitorFormView{In: monitorInput{Interval: "5m", Settings: defaultInput()}, HasKey: s.cfg.Monitors.HasKey()}
	if from, ok := attempt.ParseID(r.URL.Query().Get("from")); ok {
		res, err := s.store.Get(r.Context(), from)
		switch {
		case errors.Is(err, store.ErrNotFound):
			v.Message = "The test this form was to be filled from is gone; enter the settings."
		case err != nil:
			s.serverError(w, r, "reading the test to watch", err)
			return
		default:
			st := res.Settings
			v.FromID = from
			v.In.Settings = probe.Input{Host: st.Host, Port: strconv.Itoa(st.Port), Security: string(st.Security), User: st.User,
				Mech: string(st.Mech), From: st.From, To: st.To, HELO: st.HELO}
			v.In.Name = target(st)
		}
	}
	s.renderMonitorForm(w, r, http.StatusOK, v)
}

// monitorCreate is POST /monitors, from the form: on success to the
// monitor's page, else the form again with what to fix (without the
// password).
func (s *Server) monitorCreate(w http.ResponseWriter, r *http.Request) {
	if s.monitorsOff(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.clientError(w, r, http.StatusBadRequest, "Bad form", "The form could not be read: "+err.Error())
		return
	}
	in := formMonitorInput(r.PostForm)
	v := monitorFormView{In: in, FromID: r.PostForm.Get("from_attempt"), HasKey: s.cfg.Monitors.HasKey()}
	v.In.Password = ""
	for i := range v.In.Alerts {
		v.In.Alerts[i].Password = ""
	}
	m, secrets, fe := s.toMonitor(in)
	if fe != nil {
		v.Errors = fe
		v.Message = "Some settings need fixing (and type the password again)."
		s.renderMonitorForm(w, r, http.StatusBadRequest, v)
		return
	}
	m, err := s.cfg.Monitors.Create(r.Context(), m, secrets)
	var ie *service.InputError
	switch {
	case errors.As(err, &ie):
		v.Message = ie.Error()
		s.renderMonitorForm(w, r, http.StatusBadRequest, v)
		return
	case err != nil:
		s.serverError(w, r, "creating the monitor", err)
		return
	}
	http.Redirect(w, r, "/monitors/"+m.ID+"?done=created", http.StatusSeeOther)
}

func (s *Server) renderMonitorForm(w http.ResponseWriter, r *http.Request, status int, v monitorFormView) {
	if v.Errors == nil {
		v.Errors = probe.FieldErrors{}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	monitorFormPage(v).Render(r.Context(), w)
}
