package probe

// Code names a diagnosis or a finding. Every code the program produces is one
// of the constants below, so a misspelling is a compile error rather than a
// diagnosis nobody can filter for. The dotted prefix says where the problem
// lives (dns, net, tls, smtp, auth, ...); a code is stable once published,
// because history filters, alert rules and scripts match on it.
type Code string

// Diagnosis codes: what went wrong, most specific first within each group.
const (
	CodeOK Code = "ok"

	CodeDNSNoSuchHost Code = "dns.no_such_host"
	CodeDNSFailure    Code = "dns.failure"

	CodeNetRefused          Code = "net.refused"
	CodeNetTimeout          Code = "net.timeout"
	CodeNetUnreachable      Code = "net.unreachable"
	CodeNetClosed           Code = "net.closed"
	CodeNetAddressFailed    Code = "net.address_failed"
	CodeNetPort25Submission Code = "net.port25_submission"

	CodePolicyBlockedTarget Code = "policy.blocked_target"

	CodeSMTPNoGreeting         Code = "smtp.no_greeting"
	CodeSMTPNotSMTP            Code = "smtp.not_smtp"
	CodeSMTPServiceUnavailable Code = "smtp.service_unavailable"
	CodeSMTPTimeout            Code = "smtp.timeout"
	CodeSMTPBadReply           Code = "smtp.bad_reply"
	CodeSMTPEHLORejected       Code = "smtp.ehlo_rejected"
	CodeSMTPUnexpectedReply    Code = "smtp.unexpected_reply"
	CodeSMTPIntercepted        Code = "smtp.intercepted"

	CodeTLSStartTLSNotOffered   Code = "tls.starttls_not_offered"
	CodeTLSStartTLSFailed       Code = "tls.starttls_failed"
	CodeTLSImplicitOnPlainPort  Code = "tls.implicit_on_plain_port"
	CodeTLSPlainOnImplicitPort  Code = "tls.plain_on_implicit_port"
	CodeTLSHandshakeFailed      Code = "tls.handshake_failed"
	CodeTLSProtocolTooOld       Code = "tls.protocol_too_old"
	CodeTLSCertUntrusted        Code = "tls.cert_untrusted"
	CodeTLSCertHostnameMismatch Code = "tls.cert_hostname_mismatch"
	CodeTLSCertExpired          Code = "tls.cert_expired"
	CodeTLSNotUsed              Code = "tls.not_used"
	CodeTLSWeakCipher           Code = "tls.weak_cipher"

	CodeAuthNotOffered           Code = "auth.not_offered"
	CodeAuthRequiresTLS          Code = "auth.requires_tls"
	CodeAuthMechanismUnsupported Code = "auth.mechanism_unsupported"
	CodeAuthCredentialsRejected  Code = "auth.credentials_rejected"
	CodeAuthAppPasswordRequired  Code = "auth.app_password_required"
	CodeAuthWebLoginRequired     Code = "auth.web_login_required"
	CodeAuthBlockedByPolicy      Code = "auth.blocked_by_policy"
	CodeAuthOAuthTokenInvalid    Code = "auth.oauth_token_invalid"
	CodeAuthTemporaryFailure     Code = "auth.temporary_failure"
	CodeAuthRateLimited          Code = "auth.rate_limited"
	CodeAuthRequired             Code = "auth.required"
	CodeAuthOnlyAfterTLS         Code = "auth.only_after_tls"
	CodeAuthPlaintext            Code = "auth.plaintext"
	CodeAuthSilentRefusal        Code = "auth.silent_refusal"
	CodeAuthNotTested            Code = "auth.not_tested"
	CodeAuthOAuthError           Code = "auth.oauth_error"
	CodeAuthBasicAuthRetiring    Code = "auth.basic_auth_retiring"

	CodeSenderRejected    Code = "sender.rejected"
	CodeSenderSandbox     Code = "sender.sandbox"
	CodeRelayDenied       Code = "relay.denied"
	CodeRecipientRejected Code = "recipient.rejected"

	CodeProviderRegionMismatch Code = "provider.region_mismatch"

	CodeProbeInterrupted Code = "probe.interrupted"
	CodeProbeError       Code = "probe.error"
	// CodeProbeCancelled: the person who started the test cancelled it
	// from the dashboard before it finished.
	CodeProbeCancelled Code = "probe.cancelled"
	// CodeProbeSkipped: a monitor's run waited for a free probe slot past
	// the time it had to start by, and was dropped rather than run late.
	CodeProbeSkipped Code = "probe.skipped"

	CodeOAuthTokenExpired    Code = "oauth.token_expired"
	CodeOAuthWrongAudience   Code = "oauth.wrong_audience"
	CodeOAuthMissingScope    Code = "oauth.missing_scope"
	CodeOAuthUserMismatch    Code = "oauth.user_mismatch"
	CodeOAuthOpaqueToken     Code = "oauth.opaque_token"
	CodeOAuthRefreshToken    Code = "oauth.refresh_token"
	CodeOAuthTokenAsPassword Code = "oauth.token_as_password"

	CodeInputWhitespace         Code = "input.whitespace"
	CodeInputUsernameNotAddress Code = "input.username_not_address"
	CodeInputAppPasswordSpaces  Code = "input.app_password_spaces"
	CodeInputPasswordNonASCII   Code = "input.password_non_ascii"
	CodeInputPortHint           Code = "input.port_hint"
	CodeInputUnrecognized       Code = "input.unrecognized"
	// CodeInputRedacted: pasted text carried secrets (AUTH blobs,
	// passwords, tokens) that were removed before anything was kept.
	CodeInputRedacted Code = "input.redacted"
	// CodeInputTextOnly: a diagnosis read from pasted text, which cannot
	// tell apart causes a probe would; it names the probe that decides.
	CodeInputTextOnly Code = "input.text_only"

	// Patterns in a mail server's log of failed logins.
	CodeLogBruteForce          Code = "log.brute_force"          // many accounts tried from few addresses: password guessing
	CodeLogClientMisconfigured Code = "log.client_misconfigured" // one account from one place, again and again: a client with an old password
	CodeLogBackendOutage       Code = "log.backend_outage"       // every account failing at once with back-end errors
)

// AllCodes lists every code above, in declaration order: the guide, the
// README's list and the tests check themselves against it.
var AllCodes = []Code{
	CodeOK,
	CodeDNSNoSuchHost, CodeDNSFailure,
	CodeNetRefused, CodeNetTimeout, CodeNetUnreachable, CodeNetClosed, CodeNetAddressFailed, CodeNetPort25Submission,
	CodePolicyBlockedTarget,
	CodeSMTPNoGreeting, CodeSMTPNotSMTP, CodeSMTPServiceUnavailable, CodeSMTPTimeout, CodeSMTPBadReply,
	CodeSMTPEHLORejected, CodeSMTPUnexpectedReply, CodeSMTPIntercepted,
	CodeTLSStartTLSNotOffered, CodeTLSStartTLSFailed, CodeTLSImplicitOnPlainPort, CodeTLSPlainOnImplicitPort,
	CodeTLSHandshakeFailed, CodeTLSProtocolTooOld, CodeTLSCertUntrusted, CodeTLSCertHostnameMismatch,
	CodeTLSCertExpired, CodeTLSNotUsed, CodeTLSWeakCipher,
	CodeAuthNotOffered, CodeAuthRequiresTLS, CodeAuthMechanismUnsupported, CodeAuthCredentialsRejected,
	CodeAuthAppPasswordRequired, CodeAuthWebLoginRequired, CodeAuthBlockedByPolicy, CodeAuthOAuthTokenInvalid,
	CodeAuthTemporaryFailure, CodeAuthRateLimited, CodeAuthRequired, CodeAuthOnlyAfterTLS, CodeAuthPlaintext,
	CodeAuthSilentRefusal, CodeAuthNotTested, CodeAuthOAuthError, CodeAuthBasicAuthRetiring,
	CodeSenderRejected, CodeSenderSandbox, CodeRelayDenied, CodeRecipientRejected,
	CodeProviderRegionMismatch,
	CodeProbeInterrupted, CodeProbeError, CodeProbeCancelled, CodeProbeSkipped,
	CodeOAuthTokenExpired, CodeOAuthWrongAudience, CodeOAuthMissingScope, CodeOAuthUserMismatch, CodeOAuthOpaqueToken,
	CodeOAuthRefreshToken, CodeOAuthTokenAsPassword,
	CodeInputWhitespace, CodeInputUsernameNotAddress, CodeInputAppPasswordSpaces, CodeInputPasswordNonASCII,
	CodeInputPortHint, CodeInputUnrecognized, CodeInputRedacted, CodeInputTextOnly,
	CodeLogBruteForce, CodeLogClientMisconfigured, CodeLogBackendOutage,
}

// KnownCode reports whether s is one of the codes above.
func KnownCode(s string) bool {
	for _, c := range AllCodes {
		if string(c) == s {
			return true
		}
	}
	return false
}
