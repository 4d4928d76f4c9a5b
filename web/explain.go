package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/probe/explain"
)

// Pasted text reaches the dashboard through two doors, the front page's
// paste box (POST /explain, a form) and the API (POST /api/v1/explain,
// JSON); both read it with probe/explain, which connects nowhere, and
// record the explanation through the lifecycle like any attempt, so that
// it has a permalink, a history row and exports.

// maxExplainBody bounds the request that carries pasted text: the text's
// own bound, with room for a form's or JSON's encoding of it (percent- or
// \u-escapes may triple it).
const maxExplainBody = 3*explain.MaxInput + 64<<10

// explainTooLong is the message for text beyond explain.MaxInput.
var explainTooLong = fmt.Sprintf("The text is longer than %d KiB, the most smtpdoctor reads: paste the part around the failure (for a log, its last lines).", explain.MaxInput>>10)

// explainForm is POST /explain: read the pasted text, store the
// explanation, redirect to its permalink.
func (s *Server) explainForm(w http.ResponseWriter, r *http.Request) {
	text, status, msg := readPastedForm(r)
	if msg != "" {
		v := formView{In: defaultInput(), Presets: presets(), Examples: s.examples(), ExplainMessage: msg}
		if status != http.StatusRequestEntityTooLarge {
			v.ExplainText = text
		}
		s.renderForm(w, r, status, v)
		return
	}
	res, ok := s.saveExplanation(w, r, text)
	if !ok {
		return
	}
	http.Redirect(w, r, "/p/"+res.ID, http.StatusSeeOther)
}

// readPastedForm reads the paste box's text, from a multipart or a plain
// form; a non-empty message says what is wrong with it.
func readPastedForm(r *http.Request) (string, int, string) {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(maxExplainBody)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		if isTooLarge(err) {
			return "", http.StatusRequestEntityTooLarge, explainTooLong
		}
		return "", http.StatusBadRequest, "The form could not be read: " + err.Error()
	}
	text := r.PostFormValue("text")
	switch {
	case len(text) > explain.MaxInput:
		return "", http.StatusRequestEntityTooLarge, explainTooLong
	case strings.TrimSpace(text) == "":
		return "", http.StatusBadRequest, "Paste something first: the error message, the mail library's debug output or the server's log."
	}
	return text, http.StatusOK, ""
}

// apiExplainInput is the body of POST /api/v1/explain.
type apiExplainInput struct {
	Text string `json:"text"`
}

// apiExplain is POST /api/v1/explain: {"text": "..."} → 200 with the
// result JSON, "id" included.
func (s *Server) apiExplain(w http.ResponseWriter, r *http.Request) {
	var in apiExplainInput
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		if isTooLarge(err) {
			writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Error: explainTooLong})
			return
		}
		writeJSON(w, http.StatusBadRequest, apiError{Error: `want a JSON object {"text": "..."}: ` + err.Error()})
		return
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		writeJSON(w, http.StatusBadRequest, apiError{Error: `want one JSON object {"text": "..."}, and nothing after it`})
		return
	}
	switch {
	case len(in.Text) > explain.MaxInput:
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Error: explainTooLong})
		return
	case strings.TrimSpace(in.Text) == "":
		writeJSON(w, http.StatusBadRequest, apiError{Error: `"text" is empty: give the error message, the debug output or the log to explain`})
		return
	}
	res, ok := s.saveExplanation(w, r, in.Text)
	if !ok {
		return
	}
	w.Header().Set("Location", "/api/v1/probes/"+res.ID)
	writeJSON(w, http.StatusOK, res)
}

// saveExplanation explains pasted text and records it through the
// lifecycle, answering the client itself when it could not be stored.
func (s *Server) saveExplanation(w http.ResponseWriter, r *http.Request, text string) (probe.Result, bool) {
	res, err := s.attempts.SaveFinished(r.Context(), explain.Explain(text))
	if err != nil {
		if status, msg, ok := s.refusal(w, r, err); ok {
			s.clientError(w, r, status, "Not stored", msg)
		} else {
			s.serverError(w, r, "storing the explanation", err)
		}
		return probe.Result{}, false
	}
	return res, true
}
