#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Creates (or updates) the PostgreSQL login a handler connects with: a member of the handler's NOLOGIN
# role only (sql/ migrations create janus_audit_writer, janus_fhir_writer and the room's and the
# recorder's shared-state roles janus_room_state and janus_recorder_state), with a scram-sha-256
# password kept in a libpq password file (mode 0600).
#   scripts/db-login.sh SUPERUSER_CONNINFO LOGIN ROLE PASSFILE
# PASSFILE missing or empty: created (0600) with a random password. Present (0600 or 0400, possibly
# read-only): its password (line "*:*:*:LOGIN:PASSWORD", as libpq reads it) is (re)set. The
# handler's conninfo then names the file:
#   "host=... dbname=hipaa user=LOGIN passfile=PASSFILE"
# The password reaches the server on psql's standard input (never a command line), with statement
# logging off for that session.
set -euo pipefail
conn=${1:?superuser conninfo}; login=${2:?login name}; role=${3:?janus_audit_writer, janus_fhir_writer, janus_room_state or janus_recorder_state}
passfile=${4:?password file}
case "$role" in
  janus_audit_writer | janus_fhir_writer | janus_room_state | janus_recorder_state) ;;
  *) echo "db-login: ROLE must be janus_audit_writer, janus_fhir_writer, janus_room_state or janus_recorder_state" >&2; exit 2 ;;
esac
[[ "$login" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || { echo "db-login: LOGIN must match [a-z_][a-z0-9_]*" >&2; exit 2; }
case "$login" in janus_audit_writer | janus_fhir_writer | janus_room_state | janus_recorder_state | janus_hipaa_owner | postgres)
  echo "db-login: $login is not a handler login" >&2; exit 2 ;;
esac
# Never demote a superuser (or the role running this) into a handler login.
if [ "$(psql "$conn" -qtAX -v login="$login" -f <(echo "SELECT rolsuper OR rolname = current_user FROM pg_roles WHERE rolname = :'login'"))" = t ]; then
  echo "db-login: $login is a superuser or the role running this, not a handler login" >&2; exit 2
fi
if [ ! -s "$passfile" ]; then
  (umask 077; printf '*:*:*:%s:%s\n' "$login" "$(openssl rand -hex 32)" > "$passfile")
fi
# libpq ignores a password file that its group or others may read: refuse it here, not at Janus' start.
[ $((8#$(stat -L -c %a "$passfile") & 8#077)) -eq 0 ] || { echo "db-login: $passfile must be mode 0600 or 0400" >&2; exit 2; }
pw=$(awk -F: -v l="$login" '$4 == l { print $5; exit }' "$passfile")
# libpq password files escape ':' and '\'; a password without them needs no quoting anywhere.
[[ "$pw" =~ ^[A-Za-z0-9._~+/=-]{16,}$ ]] ||
  { echo "db-login: $passfile has no password for $login (16+ characters of [A-Za-z0-9._~+/=-])" >&2; exit 2; }
psql "$conn" -qX -v ON_ERROR_STOP=1 -v login="$login" -v role="$role" -f <(
  printf '%s\n' "SET client_min_messages = warning;" "SET log_statement = 'none';" "SET log_min_error_statement = 'panic';" \
    "SET password_encryption = 'scram-sha-256';" \
    "SELECT format('CREATE ROLE %I', :'login') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'login') \\gexec" \
    "SELECT format('ALTER ROLE %I LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L', :'login', '$pw') \\gexec" \
    "SELECT format('GRANT %I TO %I', :'role', :'login') \\gexec"
) >/dev/null
