#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The main job: installs what is missing, builds, starts a local PostgreSQL and Janus with all four
# janus-hipaa plugins (sample configs, loopback only), prints where to reach them, and stops them all
# on Ctrl-C. The FHIR handler exports to a local FHIR test server (tests/fhir-server, HTTPS with a
# throwaway CA) started here too. State (database, keys, admin secret) lives in .state/ and is reused.
#   HIPAA_HTTP_PORT (8088)  HIPAA_ADMIN_PORT (7088)  HIPAA_PG_PORT (15432)  HIPAA_FHIR_PORT (18443)
#   HIPAA_STATE_DIR (.state)  HIPAA_DEMO_PORT (8090; 0 turns the demo page off)
# DEMO: with general.development = true in the room config (what janus-conf.sh generates) it also
# serves the consult demo page (tests/e2e/demo) with a token endpoint signing with the development key,
# and the reference consult client (clients/web) under /client/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
http_port=${HIPAA_HTTP_PORT:-8088}; admin_port=${HIPAA_ADMIN_PORT:-7088}; pg_port=${HIPAA_PG_PORT:-15432}
fhir_port=${HIPAA_FHIR_PORT:-18443}; demo_port=${HIPAA_DEMO_PORT:-8090}
state=${HIPAA_STATE_DIR:-"$root/.state"}
mkdir -p "$state"; chmod 755 "$state"

bash scripts/deps.sh
bash scripts/build.sh build

# shellcheck source=scripts/stack-lib.sh
. scripts/stack-lib.sh
janus_pid=""; demo_pid=""
stop_all() {
  echo; echo "run: stopping"
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then kill -TERM "$demo_pid"; wait "$demo_pid" 2>/dev/null || true; fi
  [ -z "$janus_pid" ] || stack_stop_pids "$janus_pid"
  bash scripts/fhir-server.sh stop "$state/fhir"
  bash scripts/pg.sh stop "$state/pg"
  echo "run: stopped (state kept in $state)"
}
stack_on_stop stop_all

conninfo=$(bash scripts/pg.sh start "$state/pg" "$pg_port")
bash scripts/migrate.sh "$conninfo"
fhir_url=$(bash scripts/fhir-server.sh start "$state/fhir" "$fhir_port")
bash scripts/janus-conf.sh "$state/janus" build "$http_port" "$admin_port" >/dev/null
stack_handler_logins "$conninfo" "$state/janus/keys"
stack_handler_conf "$state/janus" "$pg_port" "$fhir_url" "$state/fhir"
ports=("$http_port" "$admin_port"); [ "$demo_port" = 0 ] || ports+=("$demo_port")
stack_ports_free run "${ports[@]}"

janus -F "$state/janus" -o > "$state/janus.log" 2>&1 &
janus_pid=$!
info=$(stack_wait_janus run "$janus_pid" "$admin_port" "$state/janus" "$state/janus.log")

# The demo page (development only: serve.js refuses to mint tokens unless general.development = true).
demo_line="  Demo page    off (HIPAA_DEMO_PORT=0)"
if [ "$demo_port" != 0 ]; then
  node tests/e2e/demo/serve.js --janus "http://127.0.0.1:$http_port/janus" --admin "http://127.0.0.1:$admin_port/admin" \
    --conf "$state/janus" --port "$demo_port" > "$state/demo.log" 2>&1 &
  demo_pid=$!
  for _ in $(seq 1 50); do grep -q '^DEMO_URL' "$state/demo.log" && break; sleep 0.1; done
  if grep -q '^DEMO_URL' "$state/demo.log"; then
    demo_line="  Demo page    http://127.0.0.1:$demo_port/   (DEMO: development tokens, synthetic people; docs/demo.md)"
    demo_line+=$'\n'"  Client       http://127.0.0.1:$demo_port/client/   (reference client: open it from the demo page's links; docs/client.md)"
  else
    demo_line="  Demo page    did not start (see $state/demo.log)"
  fi
fi

cat <<TXT

janus-hipaa is running (loopback only):
  Janus API    http://127.0.0.1:$http_port/janus
  Admin API    http://127.0.0.1:$admin_port/admin   (admin_secret in $state/janus/admin_secret)
  PostgreSQL   $conninfo   (superuser, trusted on loopback: migrations and inspection)
               audit handler: janus_audit_login, FHIR handler: janus_fhir_login (passwords: $state/janus/keys/pg-*.pgpass)
  FHIR server  $fhir_url   (test server; CA in $state/fhir/ca.pem)
  Configs      $state/janus   (log: $state/janus.log)
$demo_line
Loaded:
TXT
stack_loaded "$info"
echo
# The admin CLI against this stack: the secret stays in its 0600 file, never on a command line.
cat <<TXT
Admin CLI (docs/cli.md):
  export JANUS_HIPAA_SECRET_FILE=$state/janus/admin_secret JANUS_HIPAA_ADMIN_URL=http://127.0.0.1:$admin_port/admin
  $root/build/plugins/cli/janus-hipaa status        (also: rooms, recordings list, audit verify, fhir status)
  $root/build/plugins/cli/janus-hipaa check-config $state/janus

TXT
echo "Ctrl-C stops Janus, PostgreSQL, the FHIR test server and the demo page."
wait "$janus_pid" || true
