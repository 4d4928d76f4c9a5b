#!/usr/bin/env bash
# .ci/postgres.sh — a real PostgreSQL on loopback for the store's shared test
# suite and the multi-replica test.
#
# Debian's postgresql package installs the server without starting a
# cluster; this script makes one with initdb (as the postgres user, in
# /tmp/smtpdoctor-pg), starts it on 127.0.0.1:55432 with its socket in the
# same directory, and creates the role and database the tests use. Running it
# again is harmless: a running cluster is left as it is.
#
# It writes /tmp/smtpdoctor-postgres.env with one `export` line:
#
#   SMTPDOCTOR_TEST_POSTGRES  postgres://smtpdoctor:smtpdoctor@127.0.0.1:55432/smtpdoctor
#
# Each test makes a database of its own from that one (the role may create
# databases), so tests neither collide nor need cleaning up after a crash.
# The password is throwaway and loopback-only.
set -euo pipefail

PORT=55432
DIR=/tmp/smtpdoctor-pg
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$BIN" ]; then
  echo "postgres.sh: no /usr/lib/postgresql/*/bin; install the postgresql package" >&2
  exit 1
fi

mkdir -p "$DIR"
chown postgres:postgres "$DIR"
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  su postgres -c "$BIN/initdb -D $DIR/data -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8" >/dev/null
fi
if ! "$BIN/pg_isready" -q -h "$DIR" -p "$PORT" >/dev/null 2>&1; then
  # Not answering. After a machine's processes were killed, postmaster.pid
  # can outlive its server (and its PID can be reused by another process,
  # which makes pg_ctl believe the server still runs): stop whatever is
  # left and remove the stale lock before starting.
  su postgres -c "$BIN/pg_ctl -D $DIR/data stop -m immediate" >/dev/null 2>&1 || true
  rm -f "$DIR/data/postmaster.pid"
  # fsync stays on: the benchmarks measure what a real deployment would see.
  su postgres -c "$BIN/pg_ctl -D $DIR/data -l $DIR/log -w start -o '-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300'" >/dev/null
fi

psql() { su postgres -c "$BIN/psql -h $DIR -p $PORT -U postgres -v ON_ERROR_STOP=1 -qtA $*"; }
if [ "$(psql "-c \"SELECT 1 FROM pg_roles WHERE rolname = 'smtpdoctor'\"")" != 1 ]; then
  psql "-c \"CREATE ROLE smtpdoctor LOGIN CREATEDB PASSWORD 'smtpdoctor'\""
fi
if [ "$(psql "-c \"SELECT 1 FROM pg_database WHERE datname = 'smtpdoctor'\"")" != 1 ]; then
  psql "-c \"CREATE DATABASE smtpdoctor OWNER smtpdoctor\""
fi

echo "export SMTPDOCTOR_TEST_POSTGRES=postgres://smtpdoctor:smtpdoctor@127.0.0.1:$PORT/smtpdoctor" > /tmp/smtpdoctor-postgres.env
