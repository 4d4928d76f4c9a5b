package probe

import "time"

// This file holds the probe's data model: what was asked (Settings), and
// everything that was seen (Result). The JSON shape is the outside interface
// (README.md, "Interface contract", Result JSON): add fields freely, never
// rename.

// Security is how the connection is protected.
type Security string

const (
	SecurityAuto     Security = "auto"     // implicit TLS on 465; elsewhere plaintext, then STARTTLS when offered
	SecurityStartTLS Security = "starttls" // plaintext, then STARTTLS (RFC 3207); fail if not offered
	SecurityTLS      Security = "tls"      // implicit TLS from the first byte (RFC 8314)
	SecurityNone     Security = "none"     // plaintext only
)

// AutoMode is what auto security found a port to speak.
type AutoMode string

const (
	AutoModeImplicitTLS AutoMode = "implicit_tls"
	AutoModePlain       AutoMode = "plaintext"
)

// Mechanism is the SASL mechanism for AUTH (RFC 4954).
type Mechanism string

const (
	MechAuto        Mechanism = "auto"
	MechPlain       Mechanism = "plain"
	MechLogin       Mechanism = "login"
	MechCRAMMD5     Mechanism = "cram-md5"
	MechXOAUTH2     Mechanism = "xoauth2"
	MechOAUTHBEARER Mechanism = "oauthbearer"
)

// Settings is what the user asked to test. It never holds the password: the
// secret travels separately (see Secret) so that a Settings value can be
// stored, logged and shown anywhere.
type Settings struct {
	Host     string   `json:"host"`
	Port     int      `json:"port"`
	Security Security `json:"security"`
	// The contract lists every key below; scripts find them present, empty
	// when not given.
	User string    `json:"user"`
	Mech Mechanism `json:"mech"`
	From string    `json:"from"`
	To   string    `json:"to"`
	HELO string    `json:"helo"`
	Send bool      `json:"send,omitempty"` // DATA with a marked test message; only when asked
}

// Secret is the password or OAuth access token for one probe. It lives in
// memory for the duration of Run and is never part of a Result.
type Secret struct {
	Password string
}

// String keeps the secret out of any accidental %v or log line.
func (Secret) String() string { return "[redacted]" }

// GoString keeps the secret out of %#v.
func (Secret) GoString() string { return "probe.Secret{[redacted]}" }

// Status is where an attempt is in its life.
type Status string

const (
	StatusQueued      Status = "queued"
	StatusRunning     Status = "running"
	StatusDone        Status = "done"
	StatusInterrupted Status = "interrupted" // the process stopped before the probe finished
)

// Kind says where an attempt came from: a probe started by hand (the form,
// the API, the command line), a scheduled monitor's probe, or pasted text
// explained without connecting anywhere.
type Kind string

const (
	KindProbe   Kind = "probe"
	KindExplain Kind = "explain"
	KindMonitor Kind = "monitor"
)

// Outcome is the verdict once done.
type Outcome string

const (
	OutcomeSuccess Outcome = "success"
	OutcomeWarning Outcome = "warning" // everything asked for worked, but something is wrong (say, an untrusted certificate)
	OutcomeFailure Outcome = "failure"
)

// Severity ranks diagnoses and findings.
type Severity string

const (
	SeverityInfo    Severity = "info"
	SeverityWarning Severity = "warning"
	SeverityError   Severity = "error"
)

// Result is everything one probe saw, plus the diagnosis made from it.
type Result struct {
	ID     string `json:"id,omitempty"`
	Status Status `json:"status"`
	// Kind is probe, explain or monitor; results stored before kinds
	// existed read back as probe.
	Kind Kind `json:"kind"`
	// MonitorID names the monitor whose schedule started this attempt;
	// empty for every other kind.
	MonitorID  string    `json:"monitor_id,omitempty"`
	Outcome    Outcome   `json:"outcome,omitempty"`
	Settings   Settings  `json:"settings"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS int64     `json:"duration_ms"`
	// Origin says from which machine the probe ran (hostname), so a shared
	// permalink reads well without context.
	Origin string `json:"origin,omitempty"`

	Diagnosis *Diagnosis `json:"diagnosis,omitempty"`
	Findings  []Finding  `json:"findings"`
	Steps     []Step     `json:"steps"`
	// Transcript is every line on the wire, secrets redacted at capture.
	Transcript []Line `json:"transcript"`
	// TranscriptCut is set when the transcript hit its size bound.
	TranscriptCut bool `json:"transcript_cut,omitempty"`

	TLS     *TLSInfo     `json:"tls,omitempty"`
	Server  *ServerInfo  `json:"server,omitempty"`
	Network *NetworkInfo `json:"network,omitempty"`
	Auth    *AuthInfo    `json:"auth,omitempty"`

	// AutoMode is the mode security "auto" chose on a port without a
	// conventional mode, by racing a plaintext greeting against a TLS
	// handshake: "implicit_tls" or "plaintext" (then STARTTLS when
	// offered). Empty when the mode followed from the port.
	AutoMode AutoMode `json:"auto_mode,omitempty"`

	// Failure is the first thing that went wrong, kept structured; nil
	// when the probe did everything it was asked to.
	Failure *Failure `json:"failure,omitempty"`
	// Observations are facts the probe established on the way that the
	// diagnosis turns into findings (a certificate that did not verify but
	// was carried past, an input hint, a decoded OAuth error). Their codes
	// are diagnosis codes.
	Observations []Observation `json:"observations,omitempty"`

	// LogSummary aggregates an explained server log; nil for everything
	// else.
	LogSummary *LogSummary `json:"log_summary,omitempty"`
}

// Diagnosis is the one root cause, in plain words, with the steps that fix it.
type Diagnosis struct {
	Code        Code     `json:"code"`
	Severity    Severity `json:"severity"`
	Title       string   `json:"title"`
	Summary     string   `json:"summary"`
	Remediation []string `json:"remediation"`
	Links       []Link   `json:"links,omitempty"`
	Provider    string   `json:"provider,omitempty"` // a recognised provider or server software, if any
	// Rule says how the diagnosis was reached, so that it can be checked
	// and argued with. It holds only facts of the reply and the session,
	// never a secret.
	Rule *RuleTrace `json:"rule,omitempty"`
}

// RuleTrace is the rule that decided a diagnosis and the facts it matched.
type RuleTrace struct {
	// ID names the rule: "rules/auth.credentials_rejected#0" (the rule for
	// that code, its first sign), "provider/gmail#2" (the provider's third
	// reply pattern), "replies#4" (a shared reply pattern), "probe" (the
	// probe established the cause itself: a refused connection, a failed
	// handshake), "ok" (nothing failed) or "promoted" (a warning found on a
	// working session leads the report).
	ID string `json:"id"`
	// Matched are the facts that held: "step=auth", "reply=535",
	// "enhanced=5.7.8", "phrase=too many", "source=URL".
	Matched []string `json:"matched"`
}

// Link points to documentation: the provider's own, or a /guide section.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Finding is anything else worth knowing besides the primary diagnosis.
type Finding struct {
	Code     Code     `json:"code"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Detail   string   `json:"detail"`
}

// Observation is a fact established by the probe, with the diagnosis code it
// supports. Detail is for people; it never holds a secret.
type Observation struct {
	Code   Code   `json:"code"`
	Detail string `json:"detail"`
}

// Step names, in conversation order.
const (
	StepResolve  = "resolve"
	StepConnect  = "connect"
	StepTLS      = "tls" // implicit TLS handshake
	StepGreeting = "greeting"
	StepEHLO     = "ehlo"
	StepStartTLS = "starttls" // STARTTLS command and its handshake
	StepEHLOTLS  = "ehlo_tls" // EHLO again after STARTTLS (RFC 3207 §4.2)
	StepAuth     = "auth"
	StepMail     = "mail"
	StepRcpt     = "rcpt"
	StepData     = "data"
	StepQuit     = "quit"
)

// StepStatus is how one step ended.
type StepStatus string

const (
	StepRunning StepStatus = "running"
	StepOK      StepStatus = "ok"
	StepWarning StepStatus = "warning"
	StepFailed  StepStatus = "failed"
	StepSkipped StepStatus = "skipped"
)

// Step is one phase of the conversation and how long it took.
type Step struct {
	Name       string     `json:"name"`
	Status     StepStatus `json:"status"`
	StartedMS  int64      `json:"started_ms"`
	DurationMS int64      `json:"duration_ms"`
	Detail     string     `json:"detail,omitempty"`
}

// Direction of a transcript line.
type Direction string

const (
	DirClient Direction = "client"
	DirServer Direction = "server"
	DirNote   Direction = "note" // the probe's own remark: "connecting to 192.0.2.1:587", "TLS 1.3 established"
)

// Line is one transcript line. Text is valid UTF-8: bytes that are not are
// shown escaped (\xNN) at capture.
type Line struct {
	AtMS int64     `json:"at_ms"`
	Dir  Direction `json:"dir"`
	Text string    `json:"text"`
}

// Failure is the first thing that went wrong, kept as data (after mox's
// smtpclient.Error): the step, the command, the reply code, the enhanced
// code and every line of the reply.
type Failure struct {
	Step string `json:"step"`
	// Code is set when the probe itself established the cause (a refused
	// connection, a handshake error, silence); empty when the cause lies in
	// the server's reply, which the diagnosis reads.
	Code     Code     `json:"code,omitempty"`
	Command  string   `json:"command,omitempty"`  // as sent, redacted
	Reply    int      `json:"reply,omitempty"`    // 3-digit reply code, 0 if none
	Enhanced string   `json:"enhanced,omitempty"` // "5.7.8", RFC 3463
	Lines    []string `json:"lines,omitempty"`    // every reply line, text after the code
	Err      string   `json:"error,omitempty"`    // the Go error, for network and TLS failures
}

// TLSInfo is the TLS session as negotiated, and the verification verdict.
type TLSInfo struct {
	Mode        string `json:"mode"` // "starttls" or "implicit"
	Version     string `json:"version"`
	CipherSuite string `json:"cipher_suite"`
	ServerName  string `json:"server_name"`
	Verified    bool   `json:"verified"`
	// VerifyError is why verification failed, in words, with dates, names
	// or issuer as relevant.
	VerifyError string `json:"verify_error,omitempty"`
	// VerifyCode is the diagnosis code for the verification failure:
	// tls.cert_expired, tls.cert_hostname_mismatch or tls.cert_untrusted.
	VerifyCode Code          `json:"verify_code,omitempty"`
	Chain      []Certificate `json:"chain,omitempty"`
}

// Certificate is one certificate of the chain the server presented.
type Certificate struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	DNSNames  []string  `json:"dns_names,omitempty"`
	IPs       []string  `json:"ips,omitempty"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	SHA256    string    `json:"sha256"` // hex fingerprint of the DER
}

// ServerInfo is what the server said about itself.
type ServerInfo struct {
	Address    string   `json:"address,omitempty"` // ip:port actually used
	Banner     []string `json:"banner,omitempty"`  // greeting lines, text after the code
	EHLODomain string   `json:"ehlo_domain,omitempty"`
	// Extensions are the EHLO keywords and parameters, before and after
	// TLS (RFC 5321 §4.1.1.1); what changes across STARTTLS matters.
	Extensions    []string `json:"extensions,omitempty"`
	ExtensionsTLS []string `json:"extensions_tls,omitempty"`
}

// NetworkInfo is what resolution and dialling found.
type NetworkInfo struct {
	Addresses []AddressAttempt `json:"addresses,omitempty"`
	Used      string           `json:"used,omitempty"`
}

// AddressAttempt is the outcome of dialling one resolved address.
type AddressAttempt struct {
	Address    string `json:"address"` // ip:port
	Result     string `json:"result"`  // "connected", "refused", "timeout", "unreachable", "reset", "blocked", "not_tried"
	Error      string `json:"error,omitempty"`
	DurationMS int64  `json:"duration_ms"`
}

// AuthInfo records what AUTH offered and what was tried.
type AuthInfo struct {
	OfferedBeforeTLS []string `json:"offered_before_tls,omitempty"`
	OfferedAfterTLS  []string `json:"offered_after_tls,omitempty"`
	Mechanism        string   `json:"mechanism,omitempty"` // as used, upper case
	Succeeded        bool     `json:"succeeded"`
	// OAuthError is the decoded JSON error challenge of XOAUTH2 or
	// OAUTHBEARER (RFC 7628 §3.2.2), when the server sent one.
	OAuthError map[string]string `json:"oauth_error,omitempty"`
}
