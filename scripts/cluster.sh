#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Several Janus instances of one clinic on this machine (docs/deployment.md, "Several instances"):
# one PostgreSQL (migrated), the FHIR test server, and N Janus with all four plugins, each with its
# own config folder, instance id, ports and audit signing key, loopback only. They share what the
# instances of a clinic share: the database (the handlers' and the shared-state logins), the
# recordings folder, and the keys: join-token public key, date-of-birth key, pseudonym key, recorder
# keyring and signing key, FHIR outbox key (the first instance's keys, copied to the others as to
# other machines). Prints each instance's addresses; Ctrl-C (or SIGTERM) stops them all.
#   scripts/cluster.sh N [BUILD_DIR]     N = 1..8, BUILD_DIR (default build) built already
#   HIPAA_HTTP_PORT (8188)  HIPAA_ADMIN_PORT (7188): instance i gets PORT + i - 1
#   HIPAA_RTP_PORT (21000): instance i's recorder ingest ports PORT + 100 (i - 1) .. + 99
#   HIPAA_PG_PORT (15532)  HIPAA_FHIR_PORT (18543)  HIPAA_STATE_DIR (.state/cluster)
# State (database, keys, admin secrets) is reused; the instances' plugin configs are regenerated.
# The room's and the recorder's state is shared (`cluster` categories) when the migrations created
# their roles (janus_room_state, janus_recorder_state); without them each instance keeps its own.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n=${1:-}; build=${2:-build}
[[ "$n" =~ ^[1-8]$ ]] || { echo "usage: scripts/cluster.sh N [BUILD_DIR]   (N = 1..8 Janus instances)" >&2; exit 2; }
for so in room/libjanus_hipaa_room.so recorder/libjanus_hipaa_recorder.so audit/libjanus_hipaa_audit.so fhir/libjanus_hipaa_fhir.so; do
  [ -f "$build/plugins/$so" ] || { echo "cluster: $build/plugins/$so missing: bash scripts/build.sh $build" >&2; exit 2; }
done
build=$(cd "$build" && pwd)
http_base=${HIPAA_HTTP_PORT:-8188}; admin_base=${HIPAA_ADMIN_PORT:-7188}; rtp_base=${HIPAA_RTP_PORT:-21000}
pg_port=${HIPAA_PG_PORT:-15532}; fhir_port=${HIPAA_FHIR_PORT:-18543}
state=${HIPAA_STATE_DIR:-"$root/.state/cluster"}
mkdir -p "$state"; chmod 755 "$state"; state=$(cd "$state" && pwd)
# shellcheck source=scripts/stack-lib.sh
. scripts/stack-lib.sh
ids=(); http=(); admin=(); conf=(); pids=()
for i in $(seq 1 "$n"); do
  ids+=("janus-$i"); http+=($((http_base + i - 1))); admin+=($((admin_base + i - 1))); conf+=("$state/janus-$i")
done
stack_ports_free cluster "${http[@]}" "${admin[@]}" "$pg_port" "$fhir_port"

stop_all() {
  echo; echo "cluster: stopping"
  [ ${#pids[@]} -eq 0 ] || stack_stop_pids "${pids[@]}"
  bash scripts/fhir-server.sh stop "$state/fhir"
  bash scripts/pg.sh stop "$state/pg"
  echo "cluster: stopped (state kept in $state)"
}
stack_on_stop stop_all

conninfo=$(bash scripts/pg.sh start "$state/pg" "$pg_port")
bash scripts/migrate.sh "$conninfo"
fhir_url=$(bash scripts/fhir-server.sh start "$state/fhir" "$fhir_port")
role_exists() { [ "$(psql "$conninfo" -qtAX -c "select 1 from pg_roles where rolname = '$1'")" = 1 ]; }
shared_room=""; shared_recorder=""
role_exists janus_room_state && shared_room=1
role_exists janus_recorder_state && shared_recorder=1
# One recordings folder for all: any instance lists, verifies and exports any recording.
mkdir -p "$state/recordings"; chmod 700 "$state/recordings"

# The first instance's keys are the clinic's (janus-conf.sh makes them); the others get copies of
# the shared ones (janus-conf.sh keeps existing keys and makes the rest: their own audit keys).
shared_keys="pseudonym.key dob.key dev-es256.pem dev-es256.pub.pem fhir-outbox.key fhir-token recorder-keyring
  recorder-signing.key pg-audit.pgpass pg-fhir.pgpass pg-room.pgpass pg-recorder.pgpass"
db="host=127.0.0.1 port=$pg_port dbname=hipaa"
for i in $(seq 0 $((n - 1))); do
  c=${conf[$i]}
  if [ "$i" -gt 0 ]; then
    mkdir -p "$c/keys"; chmod 700 "$c/keys"
    for k in $shared_keys; do [ ! -f "${conf[0]}/keys/$k" ] || cp -p "${conf[0]}/keys/$k" "$c/keys/$k"; done
  fi
  HIPAA_INSTANCE_ID=${ids[$i]} HIPAA_PUBLIC_URL="http://127.0.0.1:${http[$i]}/janus" \
    HIPAA_ROOM_CLUSTER_CONNINFO=${shared_room:+"$db user=janus_room_login passfile=$c/keys/pg-room.pgpass"} \
    HIPAA_RECORDER_CLUSTER_CONNINFO=${shared_recorder:+"$db user=janus_recorder_login passfile=$c/keys/pg-recorder.pgpass"} \
    HIPAA_RECORDINGS_DIR="$state/recordings" HIPAA_RECORDER_RTP_PORTS="$((rtp_base + 100 * i))-$((rtp_base + 100 * i + 99))" \
    JANUS_CONF_FORCE=1 bash scripts/janus-conf.sh "$c" "$build" "${http[$i]}" "${admin[$i]}" >/dev/null
  if [ "$i" -eq 0 ]; then
    stack_handler_logins "$conninfo" "$c/keys"
    [ -z "$shared_room" ] || bash scripts/db-login.sh "$conninfo" janus_room_login janus_room_state "$c/keys/pg-room.pgpass"
    [ -z "$shared_recorder" ] || bash scripts/db-login.sh "$conninfo" janus_recorder_login janus_recorder_state "$c/keys/pg-recorder.pgpass"
  fi
  stack_handler_conf "$c" "$pg_port" "$fhir_url" "$state/fhir"
done

# Each instance signs its audit checkpoints with its own key; every instance trusts all of them
# (chain.trusted_keys_file), so `verify` from any instance checks every chain. The public half of an
# Ed25519 seed: the seed wrapped as PKCS#8, its SubjectPublicKeyInfo's last 32 bytes.
trusted="$state/audit-trusted-keys"
(umask 077; : > "$trusted")
for i in $(seq 0 $((n - 1))); do
  seed=$(tr -d ' \n' < "${conf[$i]}/keys/audit-signing.key")
  pub=$(printf '%b' "$(sed 's/../\\x&/g' <<<"302e020100300506032b657004220420$seed")" |
    openssl pkey -inform DER -pubout -outform DER | tail -c 32 | od -An -tx1 | tr -d ' \n')
  [ ${#pub} -eq 64 ] || { echo "cluster: ${ids[$i]}: cannot read its audit signing key" >&2; exit 1; }
  echo "${ids[$i]} $pub" >> "$trusted"
  sed -i "s|^\t#trusted_keys_file = .*|\ttrusted_keys_file = \"$trusted\"|" \
    "${conf[$i]}/janus.eventhandler.hipaa.audit.jcfg"
done

for i in $(seq 0 $((n - 1))); do
  janus -F "${conf[$i]}" -o > "$state/${ids[$i]}.log" 2>&1 &
  pids+=($!)
done
for i in $(seq 0 $((n - 1))); do
  log="$state/${ids[$i]}.log"
  info=$(stack_wait_janus cluster "${pids[$i]}" "${admin[$i]}" "${conf[$i]}" "$log")
  # Janus runs on without a plugin whose init failed (a key, a config value): say so, and why.
  for m in plugins.janus.plugin.hipaa.room plugins.janus.plugin.hipaa.recorder events.janus.eventhandler.hipaa.audit \
    events.janus.eventhandler.hipaa.fhir; do
    jq -e --arg k "${m%%.*}" --arg m "${m#*.}" '.[$k][$m]' <<<"$info" >/dev/null && continue
    echo "cluster: ${ids[$i]}: ${m#*.} did not start:" >&2; grep -F "[${m#*.}]" "$log" | tail -5 >&2; exit 1
  done
done

echo
echo "janus-hipaa cluster: $n instance(s), loopback only"
printf '  %-9s %-36s %-36s %s\n' instance "Janus API" "Admin API (admin_secret in its folder)" log
for i in $(seq 0 $((n - 1))); do
  printf '  %-9s %-36s %-36s %s\n' "${ids[$i]}" "http://127.0.0.1:${http[$i]}/janus" "http://127.0.0.1:${admin[$i]}/admin" "$state/${ids[$i]}.log"
done
room_state="off (no role janus_room_state: each instance keeps its own rooms and tokens)"
[ -z "$shared_room" ] || room_state="on (login janus_room_login)"
recorder_state="off (no role janus_recorder_state: each instance keeps its own leases)"
[ -z "$shared_recorder" ] || recorder_state="on (login janus_recorder_login)"
cat <<TXT
  PostgreSQL   $conninfo   (superuser: migrations and inspection)
  FHIR server  $fhir_url   (test server; CA in $state/fhir/ca.pem)
  Configs      $state/janus-N   Recordings (shared)  $state/recordings
  Shared state room: $room_state
               recorder: $recorder_state
Loaded on each:
TXT
stack_loaded "$info"
cat <<TXT

A join token (development key, valid on every instance):
  scripts/mint-token --key ${conf[0]}/keys/dev-es256.pem --room ROOM --role provider --sub dr-1 --name "Dr. Who" --ttl 600
Admin CLI (docs/cli.md), here for ${ids[0]} (the others: their folder and Admin API port):
  export JANUS_HIPAA_SECRET_FILE=${conf[0]}/admin_secret JANUS_HIPAA_ADMIN_URL=http://127.0.0.1:${admin[0]}/admin
  $build/plugins/cli/janus-hipaa status

Ctrl-C stops the Janus instances, the FHIR test server and PostgreSQL.
TXT
# An instance stopped or crashed by hand (to try a restart) leaves the others running.
for i in $(seq 0 $((n - 1))); do
  status=0; wait "${pids[$i]}" || status=$?
  echo "cluster: ${ids[$i]} exited ($status)"
done
