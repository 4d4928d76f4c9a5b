package store

// dictV1 is the preset dictionary (RFC 1951 §3.2, "preset dictionary") that
// documents of format docDeflateDictV1 are compressed with. A result is a few
// kilobytes of JSON: too short for DEFLATE to learn its own vocabulary before
// it ends, so the first occurrence of every key and every common SMTP phrase
// would be spelt out in full. Primed with that vocabulary, a typical attempt
// shrinks by about a third (1.5 KB to 1 KB).
//
// It holds the shape of probe.Result's JSON and generic SMTP vocabulary
// (EHLO keywords, common replies, step names), nothing from a particular
// attempt. Strings near the end are matched at the shortest distances, so
// the most frequent come last.
//
// NEVER EDIT: stored documents can only be decompressed with exactly these
// bytes. For a better dictionary add dictV2 with a new format byte.
var dictV1 = []byte(`{"tls":{"mode":"implicit","version":"TLS 1.2","cipher_suite":"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384","verify_error":"x509: certificate signed by unknown authority","verify_code":probe.CodeTLSCertUntrusted,"server_name":"","verified":true,"chain":[{"subject":"CN=","issuer":"CN=,O=,C=US","dns_names":[""],"ips":[""],"not_before":"T00:00:00Z","not_after":"T23:59:59Z","sha256":""}]},` +
	`"auth":{"offered_before_tls":["PLAIN","LOGIN"],"offered_after_tls":["PLAIN","LOGIN","XOAUTH2","OAUTHBEARER","CRAM-MD5"],"mechanism":"PLAIN","succeeded":false},` +
	`"network":{"addresses":[{"address":"","result":"connected","duration_ms":}],"used":""},` +
	`"server":{"address":"","banner":[" ESMTP Postfix"],"ehlo_domain":"","extensions":["PIPELINING","SIZE ","VRFY","ETRN","STARTTLS","ENHANCEDSTATUSCODES","8BITMIME","DSN","SMTPUTF8","CHUNKING"],"extensions_tls":["AUTH PLAIN LOGIN"]},` +
	`"failure":{"step":"auth","code":"","command":"AUTH PLAIN [redacted]","reply":535,"enhanced":"5.7.8","lines":["Authentication failed"],"error":"dial tcp: i/o timeout: connection refused"},` +
	`"observations":[{"code":"","detail":""}],` +
	`{"id":"","status":"done","outcome":"failure","settings":{"host":"smtp.","port":587,"security":"starttls","user":"","mech":"auto","from":"","to":"","helo":""},"started_at":"2026-","duration_ms":,"origin":"",` +
	`"diagnosis":{"code":probe.CodeAuthCredentialsRejected,"severity":"error","title":"","summary":"","remediation":["",""],"links":[{"title":"","url":"https://"}],"provider":""},` +
	`"findings":[{"code":"","severity":"warning","title":"","detail":""}],` +
	`"steps":[{"name":"resolve","status":"ok","started_ms":0,"duration_ms":},{"name":"connect","status":"ok","started_ms":,"duration_ms":},{"name":"greeting","status":"ok","started_ms":,"duration_ms":},{"name":"ehlo","status":"ok","started_ms":,"duration_ms":},{"name":"starttls","status":"ok","started_ms":,"duration_ms":},{"name":"ehlo_tls","status":"ok","started_ms":,"duration_ms":},{"name":"auth","status":"failed","started_ms":,"duration_ms":,"detail":""},{"name":"quit","status":"skipped","started_ms":,"duration_ms":}],` +
	`"transcript":[{"at_ms":0,"dir":"note","text":"resolving "},{"at_ms":,"dir":"note","text":"connecting to "},{"at_ms":,"dir":"server","text":"220  ESMTP "},{"at_ms":,"dir":"client","text":"EHLO "},` +
	`{"at_ms":,"dir":"server","text":"250-PIPELINING"},{"at_ms":,"dir":"server","text":"250-SIZE "},{"at_ms":,"dir":"server","text":"250-8BITMIME"},{"at_ms":,"dir":"server","text":"250-ENHANCEDSTATUSCODES"},{"at_ms":,"dir":"server","text":"250-STARTTLS"},{"at_ms":,"dir":"server","text":"250-CHUNKING"},{"at_ms":,"dir":"server","text":"250-DSN"},{"at_ms":,"dir":"server","text":"250-AUTH PLAIN LOGIN"},{"at_ms":,"dir":"server","text":"250 SMTPUTF8"},` +
	`{"at_ms":,"dir":"client","text":"STARTTLS"},{"at_ms":,"dir":"server","text":"220 2.0.0 Ready to start TLS"},{"at_ms":,"dir":"note","text":"TLS 1.3 established, TLS_AES_128_GCM_SHA256"},` +
	`{"at_ms":,"dir":"client","text":"AUTH PLAIN [redacted]"},{"at_ms":,"dir":"server","text":"235 2.7.0 Authentication successful"},{"at_ms":,"dir":"server","text":"535 5.7.8 Authentication failed"},{"at_ms":,"dir":"client","text":"QUIT"},{"at_ms":,"dir":"server","text":"221 2.0.0 Bye"}],`)
