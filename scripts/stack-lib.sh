# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# Pieces of scripts/run.sh (one Janus) and scripts/cluster.sh (several) that start a local stack:
# sourced, not run. Functions only; the caller sets `set -euo pipefail` and cds to the repository.

# stack_set_key FILE KEY VALUE: replaces the value of a top-level-section key in a .jcfg.
stack_set_key() {
  sed -i "s|^\t$2 = .*|\t$2 = \"$3\"|" "$1"
}

# stack_on_stop FUNCTION: FUNCTION runs once when the script ends, on Ctrl-C (exit 130) or on SIGTERM
# (exit 143). Further Ctrl-Cs and SIGTERMs are ignored while it runs: an impatient second Ctrl-C
# must not end the script half-way and leave PostgreSQL or a Janus running.
stack_on_stop() {
  local begin="trap '' INT TERM; trap - EXIT"
  # shellcheck disable=SC2064  # FUNCTION is expanded now, on purpose
  trap "$begin; $1" EXIT
  # shellcheck disable=SC2064
  trap "$begin; $1; exit 130" INT
  # shellcheck disable=SC2064
  trap "$begin; $1; exit 143" TERM
}

# stack_alive PID: the process runs (an exited child that is not yet waited for does not).
stack_alive() {
  local stat
  stat=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $stat != Z* ]]
}

# stack_ports_free NAME PORT...: exits with a message naming the first port something listens on.
stack_ports_free() {
  local name=$1 p; shift
  for p in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$name: port $p is already in use (another Janus?). Set the HIPAA_*_PORT variables." >&2; exit 1
    fi
  done
}

# stack_handler_logins SUPERUSER_CONNINFO KEYS_DIR: the audit and FHIR handlers' own logins (members of
# janus_audit_writer / janus_fhir_writer only, scram-sha-256 passwords in 0600 password files in
# KEYS_DIR), never the superuser that migrated the schema.
stack_handler_logins() {
  bash scripts/db-login.sh "$1" janus_audit_login janus_audit_writer "$2/pg-audit.pgpass"
  bash scripts/db-login.sh "$1" janus_fhir_login janus_fhir_writer "$2/pg-fhir.pgpass"
}

# stack_handler_conf CONF_DIR PG_PORT FHIR_URL FHIR_DIR: the audit trail and the FHIR outbox go to
# this PostgreSQL as those logins (password files in CONF_DIR/keys); FHIR bundles go to the test server.
stack_handler_conf() {
  local conf=$1 db="host=127.0.0.1 port=$2 dbname=hipaa"
  local audit="$conf/janus.eventhandler.hipaa.audit.jcfg" fhir="$conf/janus.eventhandler.hipaa.fhir.jcfg"
  stack_set_key "$audit" conninfo "$db user=janus_audit_login passfile=$conf/keys/pg-audit.pgpass"
  stack_set_key "$fhir" conninfo "$db user=janus_fhir_login passfile=$conf/keys/pg-fhir.pgpass"
  stack_set_key "$fhir" base_url "$3"
  stack_set_key "$fhir" ca_file "$4/ca.pem"
  stack_set_key "$fhir" bearer_token_file "$4/bearer-token"
}

# stack_admin_info ADMIN_PORT CONF_DIR: the Admin API's `info` answer (the secret from CONF_DIR/admin_secret).
# The request goes on curl's standard input: the secret never on a command line.
stack_admin_info() {
  jq -n --rawfile s "$2/admin_secret" '{janus: "info", transaction: "stack", admin_secret: ($s | rtrimstr("\n"))}' |
    curl -sf --data-binary @- "http://127.0.0.1:$1/admin"
}

# stack_wait_janus NAME PID ADMIN_PORT CONF_DIR LOG: waits (20 s at most) until that Janus answers on
# its Admin API and prints the `info` answer; exits with the log's tail when it died or never answered.
stack_wait_janus() {
  local name=$1 pid=$2 info=""
  for _ in $(seq 1 100); do
    stack_alive "$pid" || { echo "$name: Janus exited:" >&2; tail -30 "$5" >&2; exit 1; }
    info=$(stack_admin_info "$3" "$4" || true)
    [ -n "$info" ] && { echo "$info"; return 0; }
    sleep 0.2
  done
  echo "$name: Janus did not answer" >&2; tail -30 "$5" >&2; exit 1
}

# stack_stop_pids PID...: SIGINT to each (Janus exits cleanly on it), then waits for them; what still
# runs after 20 s is killed, so that nothing is left behind.
stack_stop_pids() {
  local p
  for p in "$@"; do kill -INT "$p" 2>/dev/null || true; done
  for _ in $(seq 1 200); do
    local alive=0
    for p in "$@"; do stack_alive "$p" && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in "$@"; do kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
}

# stack_loaded INFO: our plugins and event handlers in an Admin API `info` answer, one per line.
stack_loaded() {
  jq -r '(.plugins | keys[] | select(test("hipaa")) | "  plugin         " + .),
         (.events  | keys[] | select(test("hipaa")) | "  event handler  " + .)' <<<"$1"
}
