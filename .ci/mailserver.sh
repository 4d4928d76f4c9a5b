#!/usr/bin/env bash
# .ci/mailserver.sh — a real Postfix + Dovecot on loopback for probe/postfix_test.go.
#
# Run as root on a Debian machine (CI runs it from scratch; running it again
# is harmless: it installs what is missing, rewrites its own configuration and
# reloads the daemons). Everything listens on 127.0.0.1 only:
#
#   10025  smtpd: STARTTLS offered, AUTH only after TLS (smtpd_tls_auth_only),
#          unauthenticated relaying refused ("Relay access denied").
#   10587  submission: STARTTLS required (smtpd_tls_security_level=encrypt),
#          so any command but EHLO/STARTTLS/QUIT gets
#          "530 5.7.0 Must issue a STARTTLS command first".
#   10465  smtps: implicit TLS (smtpd_tls_wrappermode=yes), AUTH offered.
#
# SASL is Dovecot's auth service behind Postfix (smtpd_sasl_type = dovecot),
# with a passwd-file holding one test user. The certificate is self-signed for
# mail.smtpdoctor.test and 127.0.0.1, so it is its own CA.
#
# The script writes /tmp/smtpdoctor-mailserver.env with `export` lines; source
# it, or let the Go test read it when the variables are absent:
#
#   SMTPDOCTOR_POSTFIX_HOST         127.0.0.1
#   SMTPDOCTOR_POSTFIX_SERVERNAME   mail.smtpdoctor.test (the certificate's name)
#   SMTPDOCTOR_POSTFIX_SMTP_PORT    10025
#   SMTPDOCTOR_POSTFIX_SUBMISSION_PORT 10587
#   SMTPDOCTOR_POSTFIX_SMTPS_PORT   10465
#   SMTPDOCTOR_POSTFIX_CA           PEM file to trust (the self-signed certificate)
#   SMTPDOCTOR_POSTFIX_USER         alice@smtpdoctor.test
#   SMTPDOCTOR_POSTFIX_PASSWORD     correct horse battery staple
#
# The test account is throwaway and loopback-only; its password is public.
set -euo pipefail

HOST=127.0.0.1
SERVERNAME=mail.smtpdoctor.test
SMTP_PORT=10025
SUBMISSION_PORT=10587
SMTPS_PORT=10465
TEST_USER=alice@smtpdoctor.test
TEST_PASSWORD='correct horse battery staple'
CONF_DIR=/etc/smtpdoctor-mail
CERT="$CONF_DIR/cert.pem"
KEY="$CONF_DIR/key.pem"
USERS="$CONF_DIR/users"
DOVECOT_CONF="$CONF_DIR/dovecot.conf"
ENV_FILE=/tmp/smtpdoctor-mailserver.env

log() { printf 'mailserver: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	log "must run as root"
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

install_packages() {
	# libnet-ssleay-perl gives swaks its TLS, to compare transcripts by hand.
	local missing=()
	for p in postfix dovecot-core dovecot-submissiond swaks libnet-ssleay-perl openssl; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ "${#missing[@]}" -eq 0 ] && return 0
	log "installing ${missing[*]}"
	# Postfix asks questions at install time; answer them first.
	echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
	echo "postfix postfix/mailname string $SERVERNAME" | debconf-set-selections
	if ! apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; then
		apt-get update >/dev/null
		apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
	fi
}

make_certificate() {
	mkdir -p "$CONF_DIR"
	chmod 755 "$CONF_DIR"
	if [ -s "$CERT" ] && [ -s "$KEY" ] &&
		openssl x509 -in "$CERT" -noout -checkend 86400 >/dev/null 2>&1; then
		return 0
	fi
	log "making a self-signed certificate for $SERVERNAME"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$KEY" -out "$CERT" -days 3650 \
		-subj "/CN=$SERVERNAME" \
		-addext "subjectAltName=DNS:$SERVERNAME,IP:$HOST" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,digitalSignature,keyCertSign" \
		-addext "extendedKeyUsage=serverAuth" 2>/dev/null
	chmod 644 "$CERT"
	chmod 600 "$KEY"
}

configure_dovecot() {
	# Dovecot serves only authentication here: no IMAP/POP3 listeners,
	# one unix socket in Postfix's queue directory.
	printf '%s:{PLAIN}%s\n' "$TEST_USER" "$TEST_PASSWORD" >"$USERS"
	chown root:dovecot "$USERS"
	chmod 640 "$USERS"
	cat >"$DOVECOT_CONF" <<EOF
# Written by .ci/mailserver.sh; authentication only, for Postfix SASL.
protocols = none
listen = $HOST
log_path = /var/log/dovecot-smtpdoctor.log
ssl = no
# Postfix decides when AUTH is allowed (smtpd_tls_auth_only); Dovecot must
# not refuse plaintext mechanisms on the socket on its own.
disable_plaintext_auth = no
auth_mechanisms = plain login
# The default 2 s delay after a failed login only slows the tests down.
auth_failure_delay = 0
auth_verbose = yes
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $USERS
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
# Dovecot's auth penalty delays every AUTH from an address that failed
# recently (2 s, doubling up to 15 s), success and failure alike; the tests
# fail on purpose, so switch the penalty off by hiding anvil's socket.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  unix_listener /var/spool/postfix/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
}

configure_postfix() {
	postconf -e \
		"myhostname = $SERVERNAME" \
		"mydomain = smtpdoctor.test" \
		'myorigin = $mydomain' \
		'mydestination = $myhostname, $mydomain, localhost' \
		'local_recipient_maps =' \
		'inet_interfaces = loopback-only' \
		'inet_protocols = ipv4' \
		'mynetworks = 127.0.0.0/8' \
		'compatibility_level = 3.6' \
		'maillog_file = /var/log/postfix-smtpdoctor.log' \
		"smtpd_tls_cert_file = $CERT" \
		"smtpd_tls_key_file = $KEY" \
		'smtpd_tls_security_level = may' \
		'smtpd_tls_auth_only = yes' \
		'smtpd_sasl_auth_enable = yes' \
		'smtpd_sasl_type = dovecot' \
		'smtpd_sasl_path = private/auth' \
		'broken_sasl_auth_clients = no' \
		'smtpd_error_sleep_time = 0' \
		'smtpd_helo_required = no' \
		'smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination' \
		'smtpd_recipient_restrictions ='
	# The "Local only" preseed leaves default_transport and relay_transport
	# as "error": nothing can leave this machine, whatever is accepted.
	# mynetworks is deliberately not permitted above: the test client comes
	# from loopback, and the relay test needs to be refused like any stranger.

	# No default port-25 listener: this is a test server on spare ports.
	postconf -MX smtp/inet 2>/dev/null || true
	local common='-o smtpd_sasl_auth_enable=yes -o smtpd_tls_auth_only=yes'
	postconf -M "$HOST:$SMTP_PORT/inet=$HOST:$SMTP_PORT inet n - n - - smtpd -o syslog_name=postfix/smtp10025 $common"
	postconf -M "$HOST:$SUBMISSION_PORT/inet=$HOST:$SUBMISSION_PORT inet n - n - - smtpd -o syslog_name=postfix/submission $common -o smtpd_tls_security_level=encrypt -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
	postconf -M "$HOST:$SMTPS_PORT/inet=$HOST:$SMTPS_PORT inet n - n - - smtpd -o syslog_name=postfix/smtps $common -o smtpd_tls_wrappermode=yes -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
	# postlog writes maillog_file when there is no syslog (containers).
	if ! postconf -M postlog/unix-dgram >/dev/null 2>&1 || [ -z "$(postconf -M postlog/unix-dgram)" ]; then
		postconf -M 'postlog/unix-dgram=postlog unix-dgram n - n - 1 postlogd'
	fi
	[ -f /etc/aliases ] || echo 'postmaster: root' >/etc/aliases
	newaliases
}

start_dovecot() {
	local pidfile=/run/dovecot/master.pid pid=""
	[ -s "$pidfile" ] && pid=$(cat "$pidfile")
	# A pid file can outlive its process (a machine restored from a
	# snapshot); only signal a process that is dovecot.
	if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dovecot ]; then
		log "reloading dovecot"
		kill -HUP "$pid"
	else
		log "starting dovecot"
		dovecot -c "$DOVECOT_CONF"
	fi
}

start_postfix() {
	postfix check
	if postfix status >/dev/null 2>&1; then
		log "reloading postfix"
		postfix reload >/dev/null 2>&1
	else
		log "starting postfix"
		postfix start >/dev/null 2>&1
	fi
}

wait_for() {
	local port=$1 i
	for i in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	log "nothing answers on $HOST:$port"
	return 1
}

wait_for_auth_socket() {
	local i
	for i in $(seq 1 100); do
		[ -S /var/spool/postfix/private/auth ] && return 0
		sleep 0.1
	done
	log "dovecot's auth socket did not appear"
	return 1
}

# self_check logs in once with swaks, so that a broken SASL setup shows up
# here, with Postfix's log, instead of as puzzling test failures.
self_check() {
	if ! swaks --server "$HOST:$SMTPS_PORT" --tls-on-connect --tls-verify --tls-ca-path "$CERT" \
		--tls-sni "$SERVERNAME" --auth PLAIN --auth-user "$TEST_USER" --auth-password "$TEST_PASSWORD" \
		--quit-after AUTH --timeout 20 >/tmp/smtpdoctor-mailserver-check.log 2>&1; then
		log "login check failed; swaks said:"
		cat /tmp/smtpdoctor-mailserver-check.log >&2
		tail -n 20 /var/log/postfix-smtpdoctor.log /var/log/dovecot-smtpdoctor.log >&2 || true
		return 1
	fi
}

install_packages
make_certificate
configure_dovecot
configure_postfix
start_dovecot
wait_for_auth_socket
start_postfix
for port in "$SMTP_PORT" "$SUBMISSION_PORT" "$SMTPS_PORT"; do
	wait_for "$port"
done
self_check

cat >"$ENV_FILE" <<EOF
export SMTPDOCTOR_POSTFIX_HOST=$HOST
export SMTPDOCTOR_POSTFIX_SERVERNAME=$SERVERNAME
export SMTPDOCTOR_POSTFIX_SMTP_PORT=$SMTP_PORT
export SMTPDOCTOR_POSTFIX_SUBMISSION_PORT=$SUBMISSION_PORT
export SMTPDOCTOR_POSTFIX_SMTPS_PORT=$SMTPS_PORT
export SMTPDOCTOR_POSTFIX_CA=$CERT
export SMTPDOCTOR_POSTFIX_USER='$TEST_USER'
export SMTPDOCTOR_POSTFIX_PASSWORD='$TEST_PASSWORD'
EOF
chmod 644 "$ENV_FILE"
log "ready; environment in $ENV_FILE"
cat "$ENV_FILE"
