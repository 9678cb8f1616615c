#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# scripts/cluster.sh 2: two Janus instances come up with distinct ids and ports, each one's room
# answers `info` on its Admin API and its audit and FHIR handlers run under the instance id the script
# printed (the room's too, where its answer names one), then SIGINT stops everything: no Janus,
# PostgreSQL or FHIR test server of it remains.
set -uo pipefail
root=${1:?source dir}; build=${2:?build dir}
state=$(mktemp -d /tmp/hipaa-cluster-XXXXXX); chmod 755 "$state"
fail() { echo "FAIL: $*"; tail -30 "$state/out" 2>/dev/null; exit 1; }
# Two consecutive free ports (the script gives instance i BASE + i - 1).
pair() {
  local p
  for _ in $(seq 1 50); do
    p=$(free)
    (exec 3<>"/dev/tcp/127.0.0.1/$((p + 1))") 2>/dev/null || { echo "$p"; return; }
  done
  echo "no two free ports" >&2; exit 1
}
free() { bash "$root/scripts/free-port.sh"; }
HIPAA_HTTP_PORT=$(pair); HIPAA_ADMIN_PORT=$(pair); HIPAA_PG_PORT=$(free); HIPAA_FHIR_PORT=$(free); HIPAA_RTP_PORT=$(free)
export HIPAA_STATE_DIR=$state HIPAA_HTTP_PORT HIPAA_ADMIN_PORT HIPAA_PG_PORT HIPAA_FHIR_PORT HIPAA_RTP_PORT
leftovers() { pgrep -af -- "$state" | grep -v -e pgrep -e cluster_sh_check; }
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -INT -- -"$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- -"$pid" 2>/dev/null
  fi
  bash "$root/scripts/fhir-server.sh" stop "$state/fhir" >/dev/null 2>&1
  bash "$root/scripts/pg.sh" stop "$state/pg" >/dev/null 2>&1
  pkill -KILL -f -- "$state/janus-" 2>/dev/null
  rm -rf "$state"
}
trap cleanup EXIT

start=$(date +%s%N)
: > "$state/out"
# SIGINT goes to the script alone (a terminal's Ctrl-C reaches the whole group, which would stop Janus,
# PostgreSQL and the FHIR server by itself and hide a script that forgets one). A background job of a
# script starts with SIGINT ignored: perl gives it back its default before running cluster.sh.
# shellcheck disable=SC2016  # perl's $SIG, not the shell's
setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die' bash "$root/scripts/cluster.sh" 2 "$build" > "$state/out" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  grep -q "Ctrl-C stops" "$state/out" && break
  kill -0 "$pid" 2>/dev/null || fail "cluster.sh exited"
  sleep 0.2
done
grep -q "Ctrl-C stops" "$state/out" || fail "cluster.sh did not come up"
echo "cluster.sh 2 up in $((($(date +%s%N) - start) / 1000000)) ms"

# The instance lines: id, Janus API URL, Admin API URL, log file.
mapfile -t lines < <(grep -E '^  [A-Za-z0-9.-]+ +http://127\.0\.0\.1:[0-9]+/janus +http://127\.0\.0\.1:[0-9]+/admin +/' "$state/out")
[ ${#lines[@]} -eq 2 ] || fail "expected two instance lines, got ${#lines[@]}"
read -r id1 api1 adm1 log1 <<<"${lines[0]}"
read -r id2 api2 adm2 log2 <<<"${lines[1]}"
[ "$id1" != "$id2" ] || fail "one instance id twice: $id1"
if [ "$api1" = "$api2" ] || [ "$adm1" = "$adm2" ]; then fail "shared ports: $api1 $api2 $adm1 $adm2"; fi
[ -s "$log1" ] || fail "$log1 not written"
[ -s "$log2" ] || fail "$log2 not written"

admin() {  # admin URL SECRET_FILE REQUEST(jq): the secret from its file, on curl's standard input
  jq -n --rawfile s "$2" "$3 + {transaction: \"x\", admin_secret: (\$s | rtrimstr(\"\n\"))}" |
    curl -sf --data-binary @- "$1"
}
for n in 1 2; do
  id=id$n; adm=adm$n; id=${!id}; adm=${!adm}
  secret="$state/$id/admin_secret"
  [ -f "$secret" ] || fail "no admin secret for $id"
  r=$(admin "$adm" "$secret" '{janus: "message_plugin", plugin: "janus.plugin.hipaa.room", request: {request: "info"}}')
  jq -e '.response["hipaa.room"] == "success"' <<<"$r" >/dev/null || fail "$id: room info: $r"
  # Where the room's answer names instances (its cluster settings), this one is among them.
  named=$(jq -r '[.. | objects | .instance_id? // empty] | unique | join(" ")' <<<"$r")
  [ -z "$named" ] || [[ " $named " == *" $id "* ]] || fail "$id: the room names only '$named'"
  echo "$id: room info answers (instance named in it: ${named:-none})"
  r=$(admin "$adm" "$secret" '{janus: "query_eventhandler", handler: "janus.eventhandler.hipaa.audit", request: {request: "info"}}')
  jq -e --arg id "$id" '.response.instance_id == $id' <<<"$r" >/dev/null || fail "$id: audit handler: $r"
  # Every instance trusts this one's checkpoint key: verify from any instance checks every chain.
  key=$(jq -r '.response.checkpoint_public_key' <<<"$r")
  grep -qx "$id $key" "$state/audit-trusted-keys" || fail "$id: checkpoint key $key not in audit-trusted-keys"
  grep -q "^[[:space:]]*trusted_keys_file = \"$state/audit-trusted-keys\"" "$state/$id/janus.eventhandler.hipaa.audit.jcfg" ||
    fail "$id: its audit handler does not read audit-trusted-keys"
  r=$(admin "$adm" "$secret" '{janus: "query_eventhandler", handler: "janus.eventhandler.hipaa.fhir", request: {request: "info"}}')
  jq -e --arg id "$id" '.response.instance == $id' <<<"$r" >/dev/null || fail "$id: FHIR handler: $r"
done
leftovers | grep -q "janus -F $state/$id1" || fail "no Janus process found under $state (check broken)"

kill -INT "$pid"
sleep 0.2
# A second signal must not cut the cleanup short (timeout(1) sends SIGTERM to the script and then to
# its process group; bash itself waits out a SIGINT that only it got while a command runs).
kill -TERM "$pid" 2>/dev/null
wait "$pid"
grep -q "cluster: stopped" "$state/out" || fail "no clean stop"
left=$(leftovers) && fail "left running: $left"
for p in "${adm1##*:}" "${adm2##*:}" "$HIPAA_PG_PORT" "$HIPAA_FHIR_PORT"; do
  p=${p%%/*}
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && fail "port $p still listening"
done
echo "cluster.sh ok: up and stopped in $((($(date +%s%N) - start) / 1000000)) ms"
