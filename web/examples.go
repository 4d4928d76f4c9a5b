package web

import "strconv"

// examples lists the sandbox scenarios as one-click tests when the sandbox
// runs. The sandbox's demo passwords are public (documented), so they
// travel as hidden form fields.
func (s *Server) examples() []example {
	if s.cfg.Sandbox == nil {
		return nil
	}
	var out []example
	for _, e := range s.cfg.Sandbox.Examples() {
		out = append(out, example{Title: e.Title, Description: e.Description, Expect: string(e.Expect),
			Host: e.Settings.Host, Port: strconv.Itoa(e.Settings.Port), Security: string(e.Settings.Security),
			User: e.Settings.User, Password: e.Password, Mech: string(e.Settings.Mech),
			From: e.Settings.From, To: e.Settings.To, HELO: e.Settings.HELO, Send: e.Settings.Send})
	}
	return out
}

type example struct {
	Title, Description, Expect                                 string
	Host, Port, Security, User, Password, Mech, From, To, HELO string
	Send                                                       bool
}
