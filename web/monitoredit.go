package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/watch"
	"github.com/smtpdoctor/smtpdoctor/probe/watch/service"
)

// The edit form is the "Watch this server" form filled in from a monitor
// and posted to /monitors/{id}/edit. Secrets are never put back into a
// page: the password field is empty (empty keeps the stored one), and so
// are the webhook fields, which say which address is kept (scheme and
// host) and offer a box to remove it.

func (v monitorFormView) title() string {
	if v.EditID != "" {
		return "Edit " + v.In.Name
	}
	return "Watch this server"
}

func (v monitorFormView) action() string {
	if v.EditID != "" {
		return "/monitors/" + v.EditID + "/edit"
	}
	return "/monitors"
}

// otherInterval says the interval is none of the form's choices (one set
// through the API), so it is offered as well instead of silently changed.
func (v monitorFormView) otherInterval() bool {
	return v.In.Interval != "" && !slices.Contains([]string{"1m", "5m", "15m", "1h"}, v.In.Interval)
}

// editInput is a monitor as the edit form shows it: no password, no
// webhook address.
func editInput(m watch.Monitor) monitorInput {
	st := m.Settings
	in := monitorInput{Name: m.Name, Interval: watch.FormatInterval(m.Interval), FailAfter: m.FailAfter, CertDays: m.CertDays,
		Settings: probe.Input{Host: st.Host, Port: strconv.Itoa(st.Port), Security: string(st.Security), User: st.User,
			Mech: string(st.Mech), From: st.From, To: st.To, HELO: st.HELO}}
	for _, a := range m.Alerts {
		if a.Type != watch.AlertEmail || a.SMTP == nil {
			continue
		}
		sm := a.SMTP
		in.Alerts = append(in.Alerts, alertInput{Type: string(a.Type), To: a.To, SMTP: probe.Input{Host: sm.Host,
			Port: strconv.Itoa(sm.Port), Security: string(sm.Security), User: sm.User, From: sm.From}})
	}
	return in
}

// keptTargets are the monitor's webhook alerts by type, as the edit form
// names them.
func keptTargets(m watch.Monitor) map[watch.AlertType]string {
	out := map[watch.AlertType]string{}
	for _, a := range m.Alerts {
		if a.Sealable() {
			out[a.Type] = a.Target()
		}
	}
	return out
}

// monitorEditForm is GET /monitors/{id}/edit.
func (s *Server) monitorEditForm(w http.ResponseWriter, r *http.Request) {
	if s.monitorsOff(w, r) {
		return
	}
	m, ok := s.cfg.Monitors.Get(chi.URLParam(r, "id"))
	if !ok {
		s.clientError(w, r, http.StatusNotFound, "No such monitor", "There is no monitor at this address. It may have been deleted.")
		return
	}
	s.renderMonitorForm(w, r, http.StatusOK, monitorFormView{In: editInput(m), EditID: m.ID, Kept: keptTargets(m),
		HasPassword: m.HasSecret, HasKey: s.cfg.Monitors.HasKey()})
}

// monitorEdit is POST /monitors/{id}/edit: the form read as on creation
// (the probe settings through the same parser), with what was left empty
// kept: the password, and each webhook address not replaced or removed.
func (s *Server) monitorEdit(w http.ResponseWriter, r *http.Request) {
	if s.monitorsOff(w, r) {
		return
	}
	old, ok := s.cfg.Monitors.Get(chi.URLParam(r, "id"))
	if !ok {
		s.clientError(w, r, http.StatusNotFound, "No such monitor", "There is no monitor at this address. It may have been deleted.")
		return
	}
	if err := r.ParseForm(); err != nil {
		s.clientError(w, r, http.StatusBadRequest, "Bad form", "The form could not be read: "+err.Error())
		return
	}
	in := formMonitorInput(r.PostForm)
	in.Alerts = keepAlerts(in.Alerts, old, r.PostForm)
	v := monitorFormView{In: in, EditID: old.ID, Kept: keptTargets(old), HasPassword: old.HasSecret, HasKey: s.cfg.Monitors.HasKey()}
	v.In.Password = ""
	v.In.Alerts = nil
	for _, a := range in.Alerts {
		// The form shows back what was typed, never a kept address.
		if a.Type == string(watch.AlertEmail) || r.PostForm.Get("alert_"+a.Type) != "" {
			a.Password = ""
			v.In.Alerts = append(v.In.Alerts, a)
		}
	}
	m, secrets, fe := s.toMonitor(in)
	if fe != nil {
		v.Errors = fe
		v.Message = "Some settings need fixing (and type any new password again)."
		s.renderMonitorForm(w, r, http.StatusBadRequest, v)
		return
	}
	if in.Password == "" && m.Settings.User != "" && m.Settings.User == old.Settings.User {
		secrets.Login = nil // empty keeps the stored password of the same user
	} else if in.Password == "" {
		empty := ""
		secrets.Login = &empty // another user (or none): the old password is not theirs
	}
	m.ID = old.ID
	_, err := s.cfg.Monitors.Update(r.Context(), m, secrets)
	var ie *service.InputError
	switch {
	case errors.Is(err, service.ErrNotFound):
		s.clientError(w, r, http.StatusNotFound, "No such monitor", "There is no monitor at this address. It may have been deleted.")
	case errors.As(err, &ie):
		v.Message = ie.Error()
		s.renderMonitorForm(w, r, http.StatusBadRequest, v)
	case err != nil:
		s.serverError(w, r, "saving the monitor", err)
	default:
		http.Redirect(w, r, "/monitors/"+old.ID+"?done=edited", http.StatusSeeOther)
	}
}

// keepAlerts adds back each webhook alert of old whose field was left
// empty and not ticked for removal, in the form's order of types.
func keepAlerts(typed []alertInput, old watch.Monitor, form map[string][]string) []alertInput {
	get := func(k string) string {
		if v := form[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	var out []alertInput
	for _, t := range []watch.AlertType{watch.AlertWebhook, watch.AlertSlack, watch.AlertTeams, watch.AlertDiscord, watch.AlertNtfy} {
		if i := slices.IndexFunc(typed, func(a alertInput) bool { return a.Type == string(t) }); i >= 0 {
			out = append(out, typed[i])
			continue
		}
		if get("remove_alert_"+string(t)) != "" {
			continue
		}
		for _, a := range old.Alerts {
			if a.Type == t && a.Sealable() {
				out = append(out, alertInput{Type: string(t), URL: a.URL})
			}
		}
	}
	for _, a := range typed {
		if a.Type == string(watch.AlertEmail) {
			out = append(out, a)
		}
	}
	return out
}
