package snippet

import (
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// swaks replays the probe's conversation and stops after RCPT TO, as the
// probe does, so no message is sent. The password reaches swaks through its
// SWAKS_OPT_ environment options, never the command line (where ps and the
// shell history would show it), and --auth-hide-password keeps it out of
// the transcript swaks prints.
func swaks(in Input) string {
	var t text
	t.line("# EHLO, %sAUTH, MAIL FROM, RCPT TO, QUIT: the conversation smtpdoctor had.", securityWords(in.Security, "TLS from the first byte, ", "STARTTLS, EHLO again, ", ""))
	if in.OAuth() {
		t.line("# swaks has no XOAUTH2 or OAUTHBEARER: this replays everything but the login.")
		t.line("# curl below does OAuth.")
	}
	prefix := ""
	if in.Auth() && !in.OAuth() {
		prefix = "SWAKS_OPT_auth_password=\"$" + PasswordEnv + "\" "
	}
	args := []string{"--server " + shQuote(in.Host), "--port " + port(in.Port)}
	switch in.Security {
	case probe.SecurityTLS:
		args = append(args, "--tls-on-connect")
	case probe.SecurityStartTLS:
		args = append(args, "--tls")
	}
	if in.Security != probe.SecurityNone {
		tv := "--tls-verify"
		if in.CAFile != "" {
			tv += " --tls-ca-path " + shQuote(in.CAFile)
		}
		args = append(args, tv)
	}
	if in.Auth() && !in.OAuth() {
		a := "--auth"
		if m := in.mechUpper(); m != "" {
			a += " " + m
		}
		args = append(args, a+" --auth-user "+shQuote(in.User)+" --auth-hide-password")
	}
	args = append(args, "--from "+shQuote(in.sender())+" --to "+shQuote(in.recipient()), "--quit-after RCPT")
	t.line("%sswaks %s", prefix, strings.Join(args, " \\\n  "))
	return t.String()
}

// opensslClient replays the conversation through openssl s_client, which
// does the TLS (and the STARTTLS exchange) and verifies the certificate;
// the script speaks the SMTP itself, one command at a time, waiting for
// each reply as a client must (AUTH may not be pipelined, RFC 4954 §4). The
// AUTH response (PLAIN: RFC 4616; XOAUTH2; OAUTHBEARER: RFC 7628) is made
// with the shell's built-in printf, so the secret is never an argument,
// and it is shown redacted.
func opensslClient(in Input) string {
	var t text
	if in.Security == probe.SecurityNone {
		t.line("# This server was used without TLS, and openssl s_client only speaks TLS.")
		t.line("# The same conversation in plaintext: swaks above, or type it into nc:")
		t.line("nc %s %d", shQuote(in.Host), in.Port)
		return t.String()
	}
	t.line("#!/usr/bin/env bash")
	t.line("# %s, then EHLO, AUTH, MAIL FROM, RCPT TO, QUIT, each answered before the next.",
		securityWords(in.Security, "TLS from the first byte", "STARTTLS", ""))
	t.line("# C: lines are what is sent (the login redacted), S: lines what the server answered.")
	args := []string{"-quiet", "-connect " + shQuote(in.Host+":"+port(in.Port))}
	if in.Security == probe.SecurityStartTLS {
		args = append(args, "-starttls smtp")
	}
	if in.hostIsIP() {
		args = append(args, "-verify_ip "+shQuote(in.Host))
	} else {
		args = append(args, "-servername "+shQuote(in.Host), "-verify_hostname "+shQuote(in.Host))
	}
	args = append(args, "-verify_return_error")
	if in.CAFile != "" {
		args = append(args, "-CAfile "+shQuote(in.CAFile))
	}
	t.line("coproc SMTP { openssl s_client %s 2>&1; }", strings.Join(args, " "))
	t.b.WriteString(opensslHelpers)
	if in.Security == probe.SecurityTLS {
		t.line("reply; ok # the greeting")
	} else {
		t.line("# s_client has read the greeting, said EHLO and STARTTLS; show what it printed.")
		t.line("settle")
	}
	t.line(`send "EHLO $(hostname -f 2>/dev/null || hostname)"; reply; ok`)
	if in.Auth() {
		mech := in.mechUpper()
		switch mech {
		case "XOAUTH2":
			t.line(`auth=$(printf 'user=%%s\001auth=Bearer %%s\001\001' %s "$%s" | base64 -w0)`, shQuote(in.User), TokenEnv)
		case "OAUTHBEARER":
			t.line(`auth=$(printf 'n,a=%%s,\001auth=Bearer %%s\001\001' %s "$%s" | base64 -w0)`, shQuote(in.User), TokenEnv)
		default:
			mech = "PLAIN"
			t.line(`auth=$(printf '\0%%s\0%%s' %s "$%s" | base64 -w0)`, shQuote(in.User), PasswordEnv)
		}
		t.line(`send "AUTH %s $auth" "AUTH %s [redacted]"; reply`, mech, mech)
		if in.OAuth() {
			t.line("# A 334 here is the server's error (RFC 7628 §3.2.3): answer it with an empty line.")
			t.line(`if [ "$code" = 334 ]; then send ""; reply; fi`)
		}
		t.line(`[ "$code" = 235 ] || { send QUIT; exit 1; }`)
	}
	t.line("send %s; reply; ok", shQuote("MAIL FROM:<"+in.sender()+">"))
	t.line("send %s; reply; ok", shQuote("RCPT TO:<"+in.recipient()+">"))
	t.line("send QUIT; reply")
	return t.String()
}

// opensslHelpers are the script's send and reply: reply reads one reply,
// every line of it (RFC 5321 §4.2.1), and leaves its code in $code.
const opensslHelpers = `send() { printf '%s\r\n' "$1" >&"${SMTP[1]}"; echo "C: ${2:-$1}"; }
reply() {
  code=000
  while IFS= read -r -t 30 line <&"${SMTP[0]}"; do
    line=${line%$'\r'}
    echo "S: $line"
    case $line in [2345][0-9][0-9] | [2345][0-9][0-9]" "*) code=${line:0:3}; return ;; esac
  done
  echo "no reply"; exit 1
}
ok() { case $code in 2* | 3*) ;; *) send QUIT; exit 1 ;; esac; }
settle() { while IFS= read -r -t 2 line <&"${SMTP[0]}"; do echo "   ${line%$'\r'}"; done; }

`

// curl sends a short test message the way the probe connected; curl has no
// way to stop after RCPT TO. The credentials go in through a config file
// read from a pipe (-K), so they are never an argument, and -v is left out
// because it would print the AUTH exchange.
func curl(in Input) string {
	var t text
	scheme := "smtp"
	if in.Security == probe.SecurityTLS {
		scheme = "smtps" // TLS from the first byte
	}
	t.line("# curl sends a short test message (it cannot stop after RCPT TO as smtpdoctor does).")
	args := []string{"curl --silent --show-error", "--url " + shQuote(scheme+"://"+in.Host+":"+port(in.Port))}
	if in.Security == probe.SecurityStartTLS {
		args = append(args, "--ssl-reqd") // STARTTLS or fail
	}
	if in.CAFile != "" && in.Security != probe.SecurityNone {
		args = append(args, "--cacert "+shQuote(in.CAFile))
	}
	if in.Auth() {
		// curl's config file reads backslash escapes inside quotes, so
		// the secret's backslashes and quotes are escaped on the way in.
		t.line(`secret=${%s//\\/\\\\}; secret=${secret//\"/\\\"}`, in.secretEnv())
		user := curlConfigQuote(in.User)
		if in.OAuth() {
			args = append(args, `-K <(printf 'user = "%s"\noauth2-bearer = "%s"\n' `+shQuote(user)+` "$secret")`)
		} else {
			args = append(args, `-K <(printf 'user = "%s:%s"\n' `+shQuote(user)+` "$secret")`)
		}
		if m := in.mechUpper(); m != "" {
			args = append(args, "--login-options "+shQuote("AUTH="+m))
		}
	}
	args = append(args, "--mail-from "+shQuote(in.sender()), "--mail-rcpt "+shQuote(in.recipient()), "--upload-file - <<'EOF'")
	t.line("%s", strings.Join(args, " \\\n  "))
	t.line("From: %s", in.sender())
	t.line("To: %s", in.recipient())
	t.line("Subject: %s", testSubject)
	t.line("")
	t.line("%s", testBody)
	t.line("EOF")
	return t.String()
}

// curlConfigQuote escapes a value for a double-quoted string in a curl
// config file.
func curlConfigQuote(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}
