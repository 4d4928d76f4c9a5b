package web

import (
	"strconv"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// example is one sandbox scenario offered as a one-click test. The
// sandbox's demo passwords are public (documented), so they travel as
// hidden form fields.
type example struct {
	Key, Title, Description, Expect string
	Settings                        probe.Settings
	Password                        string
}

func (e example) port() string { return strconv.Itoa(e.Settings.Port) }

// examples lists the sandbox scenarios when the sandbox runs.
func (s *Server) examples() []example {
	return nil
}
