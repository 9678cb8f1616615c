#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# scripts/run.sh (the README's main job): Janus answers on loopback with the four plugins listed by
# the Admin API, the audit and FHIR handlers logged in to PostgreSQL as their own password logins, a
# second run reuses the state, and Ctrl-C stops Janus and PostgreSQL.
set -uo pipefail
root=${1:?source dir}
state=$(mktemp -d /tmp/hipaa-run-XXXXXX); chmod 755 "$state"
free() { bash "$root/scripts/free-port.sh"; }
export HIPAA_STATE_DIR=$state HIPAA_HTTP_PORT=$(free) HIPAA_ADMIN_PORT=$(free) HIPAA_PG_PORT=$(free) HIPAA_FHIR_PORT=$(free) HIPAA_DEMO_PORT=$(free)
fail() { echo "FAIL: $*"; cat "$state/out" 2>/dev/null | tail -30; exit 1; }
runpid=""
# Whatever happens, leave no Janus, PostgreSQL or FHIR server behind (a failed check used to).
cleanup() {
  if [ -n "$runpid" ] && kill -0 "$runpid" 2>/dev/null; then
    kill -INT -- -"$runpid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$runpid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- -"$runpid" 2>/dev/null
  fi
  bash "$root/scripts/fhir-server.sh" stop "$state/fhir" >/dev/null 2>&1
  bash "$root/scripts/pg.sh" stop "$state/pg" >/dev/null 2>&1
  rm -rf "$state"
}
trap cleanup EXIT

one_run() {
  # Empty the log before starting: the redirection below truncates it in the child, possibly after
  # the first poll, which would then see the previous run's "Ctrl-C stops".
  : > "$state/out"
  setsid bash "$root/scripts/run.sh" > "$state/out" 2>&1 &
  local pid=$!
  runpid=$pid
  for _ in $(seq 1 600); do grep -q "Ctrl-C stops" "$state/out" && break; kill -0 $pid 2>/dev/null || fail "run.sh exited"; sleep 0.5; done
  grep -q "Ctrl-C stops" "$state/out" || fail "run.sh did not come up"
  local secret info
  secret=$(cat "$state/janus/admin_secret")
  info=$(curl -sf -X POST -d "{\"janus\":\"info\",\"transaction\":\"x\",\"admin_secret\":\"$secret\"}" "http://127.0.0.1:$HIPAA_ADMIN_PORT/admin") || fail "admin API"
  for p in janus.plugin.hipaa.room janus.plugin.hipaa.recorder; do
    jq -e --arg p "$p" '.plugins[$p]' <<<"$info" >/dev/null || fail "$p not loaded"
  done
  for h in janus.eventhandler.hipaa.audit janus.eventhandler.hipaa.fhir; do
    jq -e --arg h "$h" '.events[$h]' <<<"$info" >/dev/null || fail "$h not loaded"
    r=$(curl -sf -X POST -d "{\"janus\":\"query_eventhandler\",\"transaction\":\"y\",\"admin_secret\":\"$secret\",\"handler\":\"$h\",\"request\":{\"request\":\"info\"}}" "http://127.0.0.1:$HIPAA_ADMIN_PORT/admin")
    jq -e '.response.version == "0.1.0"' <<<"$r" >/dev/null || fail "$h is not running: $r"
  done
  # The handlers log in as their own logins with passwords, never as the superuser; those logins get
  # nothing without their password (no trust authentication for them).
  local users=""
  for _ in $(seq 1 100); do
    users=$(psql "host=127.0.0.1 port=$HIPAA_PG_PORT user=postgres dbname=hipaa" -qtAX -c "select string_agg(distinct usename, ' ' order by usename)
      from pg_stat_activity where datname = 'hipaa' and backend_type = 'client backend' and pid <> pg_backend_pid()")
    [ "$users" = "janus_audit_login janus_fhir_login" ] && break; sleep 0.1
  done
  [ "$users" = "janus_audit_login janus_fhir_login" ] || fail "handlers connected as: $users"
  PGPASSFILE=/dev/null psql -w "host=127.0.0.1 port=$HIPAA_PG_PORT user=janus_audit_login dbname=hipaa" -qtAc "select 1" >/dev/null 2>&1 \
    && fail "janus_audit_login connected without its password"
  grep -q "127.0.0.1:$HIPAA_HTTP_PORT/janus" "$state/out" || fail "address not printed"
  # The admin CLI lines it prints work as printed: all four plugins running (exit 0), configs valid.
  grep -q "JANUS_HIPAA_SECRET_FILE=$state/janus/admin_secret" "$state/out" || fail "CLI usage not printed"
  JANUS_HIPAA_SECRET_FILE="$state/janus/admin_secret" JANUS_HIPAA_ADMIN_URL="http://127.0.0.1:$HIPAA_ADMIN_PORT/admin" \
    "$root/build/plugins/cli/janus-hipaa" status >"$state/cli" 2>&1 || fail "janus-hipaa status: $(cat "$state/cli")"
  "$root/build/plugins/cli/janus-hipaa" check-config "$state/janus" >"$state/cli" 2>&1 \
    || fail "janus-hipaa check-config: $(cat "$state/cli")"
  curl -sf --cacert "$state/fhir/ca.pem" -H "Authorization: Bearer $(cat "$state/fhir/bearer-token")" \
    "https://127.0.0.1:$HIPAA_FHIR_PORT/fhir/R4/metadata" >/dev/null \
    || fail "FHIR test server not answering over verified HTTPS"
  kill -INT -- -$pid
  wait $pid
  grep -q "run: stopped" "$state/out" || fail "no clean stop"
  (exec 3<>"/dev/tcp/127.0.0.1/$HIPAA_ADMIN_PORT") 2>/dev/null && fail "Janus still listening"
  (exec 3<>"/dev/tcp/127.0.0.1/$HIPAA_PG_PORT") 2>/dev/null && fail "PostgreSQL still listening"
  (exec 3<>"/dev/tcp/127.0.0.1/$HIPAA_FHIR_PORT") 2>/dev/null && fail "FHIR test server still listening"
}
one_run
first_secret=$(cat "$state/janus/admin_secret")
one_run   # a second run reuses what exists
[ "$(cat "$state/janus/admin_secret")" = "$first_secret" ] || fail "state not reused"
echo "run.sh ok"
