package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/attempt"
	"github.com/smtpdoctor/smtpdoctor/probe/provider"
)

// formView is what the form page shows.
type formView struct {
	In      probe.Input // what to show in the fields; Password is never shown
	Errors  probe.FieldErrors
	Message string // a page-level message (busy, re-run note)
	Notice  string // a page-level info message
	Presets []preset
	// PasswordCleared is set when the form comes back after an error: the
	// password was not kept and must be typed again.
	PasswordCleared bool
	Examples        []example
	// AskPassword focuses the password field: a re-run has every setting
	// but the password, which is never stored.
	AskPassword bool
	// ExplainText and ExplainMessage refill the paste box beside the form
	// when what was pasted could not be explained.
	ExplainText    string
	ExplainMessage string
}

// preset is one provider's preferred submission endpoint.
type preset struct {
	Key, Name, Host, Port, Security string
}

func presets() []preset {
	var out []preset
	for _, p := range provider.All() {
		if p.Kind != provider.KindService {
			continue
		}
		eps := p.Endpoints("")
		if len(eps) == 0 {
			continue
		}
		e := eps[0]
		out = append(out, preset{Key: p.Key, Name: p.Name, Host: e.Host, Port: strconv.Itoa(e.Port), Security: string(e.Security)})
	}
	return out
}

func defaultInput() probe.Input {
	// Auto picks the mode by the port (SSL/TLS on 465, STARTTLS
	// elsewhere), so changing the port alone is never a mismatch.
	return probe.Input{Port: "587", Security: string(probe.SecurityAuto), Mech: string(probe.MechAuto)}
}

// form is GET /: the empty form, or prefilled from ?preset= (works
// without JavaScript) or from ?from=<id> (re-run an attempt; the password
// is never stored, so it is asked for again).
func (s *Server) form(w http.ResponseWriter, r *http.Request) {
	v := formView{In: defaultInput(), Presets: presets(), Examples: s.examples()}
	q := r.URL.Query()
	if key := q.Get("preset"); key != "" {
		for _, p := range v.Presets {
			if p.Key == key {
				v.In.Host, v.In.Port, v.In.Security = p.Host, p.Port, p.Security
				v.Notice = "Filled in the settings for " + p.Name + "."
			}
		}
	}
	if from := q.Get("from"); from != "" {
		id, ok := attempt.ParseID(from)
		if !ok {
			s.clientError(w, r, http.StatusNotFound, "No such test", "That link does not name a test.")
			return
		}
		old, err := s.store.Get(r.Context(), id)
		if err != nil {
			s.notFoundOr(w, r, "load the attempt to re-run", err)
			return
		}
		st := old.Settings
		v.In = probe.Input{
			Host: st.Host, Port: strconv.Itoa(st.Port), Security: string(st.Security), User: st.User,
			Mech: string(st.Mech), From: st.From, To: st.To, HELO: st.HELO, Send: st.Send,
		}
		v.Notice = "Settings copied from the test of " + old.StartedAt.Format(time.RFC1123) + ". Passwords are never stored: enter it again."
		v.AskPassword = st.User != ""
		if old.Kind == probe.KindExplain {
			// What the pasted text revealed; what it did not say keeps the
			// form's default, and the app's own EHLO name is not reused.
			if st.Port == 0 {
				v.In.Port = defaultInput().Port
			}
			if st.Security == "" {
				v.In.Security = string(probe.SecurityAuto)
			}
			v.In.HELO = ""
			v.Notice = "Settings read from the pasted text explained on " + old.StartedAt.Format(time.RFC1123) + ": check them, then enter the password to probe the server. It is used for this test only."
			v.AskPassword = st.User != "" && st.Host != ""
		}
	}
	s.renderForm(w, r, http.StatusOK, v)
}

func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, status int, v formView) {
	v.In.Password = ""
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	formPage(v).Render(r.Context(), w)
}

// startForm is POST /probes: validate, start, redirect to the permalink.
func (s *Server) startForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		if isTooLarge(err) {
			s.clientError(w, r, http.StatusRequestEntityTooLarge, "Too much data", "The form sent more than 64 KiB.")
			return
		}
		s.clientError(w, r, http.StatusBadRequest, "Could not read the form", err.Error())
		return
	}
	in := formInput(r.PostForm)
	if strings.Contains(in.Host, "@") {
		// An email address instead of a host: find its servers first.
		s.startFromAddress(w, r, strings.TrimSpace(in.Host), in.Password != "")
		return
	}
	set, sec, fe := validate(in, s.policy)
	v := formView{In: in, Presets: presets(), Examples: s.examples(), PasswordCleared: in.Password != ""}
	if fe != nil {
		v.Errors = fe
		v.Message = "Some settings need fixing before the test can run; see the marked fields."
		s.renderForm(w, r, http.StatusBadRequest, v)
		return
	}
	started, err := s.attempts.Start(r.Context(), attempt.Request{Settings: set, Secret: sec})
	if err != nil {
		if status, msg, ok := s.refusal(w, r, err); ok {
			v.Message = "Not started: " + msg + "."
			s.renderForm(w, r, status, v)
			return
		}
		s.serverError(w, r, "starting the test", err)
		return
	}
	http.Redirect(w, r, "/p/"+started.ID, http.StatusSeeOther)
}

// boolAttr spells a bool for attributes such as aria-invalid, which take
// the words "true" and "false" rather than being present or absent.
func boolAttr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
