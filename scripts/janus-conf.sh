#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Generates a Janus config folder that loads our four plugins from BUILD_DIR (or an install) next to
# the stock VideoRoom, AudioBridge, TextRoom and EchoTest, with the HTTP API and the Admin API on
# 127.0.0.1 only and event handlers on.
#   scripts/janus-conf.sh OUT_DIR BUILD_DIR HTTP_PORT ADMIN_PORT
# Writes OUT_DIR/admin_secret (0600) and OUT_DIR/keys/ (development keys, 0600).
# One instance of several (scripts/cluster.sh, docs/deployment.md), by environment variables; each
# one unset leaves the generated files exactly as without it:
#   HIPAA_INSTANCE_ID            this instance's name (1-64 of [A-Za-z0-9.-]): the audit and FHIR
#                                handlers' general.instance_id, and cluster.instance_id below
#   HIPAA_ROOM_CLUSTER_CONNINFO  the room config gets a `cluster` category: this conninfo, the
#                                instance id and HIPAA_PUBLIC_URL (this instance's Janus API URL)
#   HIPAA_RECORDER_CLUSTER_CONNINFO  the recorder config gets one: this conninfo and the instance id
#   HIPAA_RECORDINGS_DIR         the recorder's recordings_dir (one folder all instances share)
#   HIPAA_RECORDER_RTP_PORTS     MIN-MAX: the recorder's SRTP ingest ports (disjoint per instance on one host)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?out dir}; build=${2:?build dir}; http_port=${3:?http port}; admin_port=${4:?admin port}
stock=/usr/lib/x86_64-linux-gnu/janus
# The values go into quoted jcfg strings and sed replacements: refuse what would break out of them.
for v in HIPAA_INSTANCE_ID HIPAA_PUBLIC_URL HIPAA_ROOM_CLUSTER_CONNINFO HIPAA_RECORDER_CLUSTER_CONNINFO HIPAA_RECORDINGS_DIR; do
  case "${!v:-}" in *[\"\\\|\&]* | *$'\n'*) echo "janus-conf.sh: $v must not contain \" \\ | & or a newline" >&2; exit 2 ;; esac
done
instance=${HIPAA_INSTANCE_ID:-}
# The FHIR handler's rule (an id in Provenance): the narrowest of the four plugins'.
if [ -n "$instance" ] && ! [[ "$instance" =~ ^[A-Za-z0-9.-]{1,64}$ ]]; then
  echo "janus-conf.sh: HIPAA_INSTANCE_ID must be 1-64 of A-Z a-z 0-9 . -" >&2; exit 2
fi
rtp_ports=${HIPAA_RECORDER_RTP_PORTS:-}
if [ -n "$rtp_ports" ] && ! [[ "$rtp_ports" =~ ^[0-9]{1,5}-[0-9]{1,5}$ ]]; then
  echo "janus-conf.sh: HIPAA_RECORDER_RTP_PORTS must be MIN-MAX" >&2; exit 2
fi
mkdir -p "$out/plugins" "$out/events" "$out/keys" "$out/recordings" "$out/exports"
chmod 700 "$out/keys" "$out/recordings" "$out/exports"
out=$(cd "$out" && pwd); build=$(cd "$build" && pwd)

plugins_folder="$out/plugins"; events_folder="$out/events"
installed=$(ls -d "$build"/lib/janus/plugins "$build"/lib/*/janus/plugins 2>/dev/null | head -1 || true)
if [ -n "$installed" ]; then
  # BUILD_DIR is an install prefix (cmake --install): load our plugins from there, where their
  # RPATH ($ORIGIN/../../janus-hipaa) finds libhipaa_common.so.
  plugins_folder="$installed"; events_folder="$(dirname "$installed")/events"
else
  for p in videoroom audiobridge textroom echotest; do ln -sf "$stock/plugins/libjanus_$p.so" "$out/plugins/"; done
  ln -sf "$build/plugins/room/libjanus_hipaa_room.so" "$build/plugins/recorder/libjanus_hipaa_recorder.so" "$out/plugins/"
  ln -sf "$build/plugins/audit/libjanus_hipaa_audit.so" "$build/plugins/fhir/libjanus_hipaa_fhir.so" "$out/events/"
fi

[ -f "$out/admin_secret" ] || { (umask 077; openssl rand -hex 16 > "$out/admin_secret"); }
secret=$(cat "$out/admin_secret")
# Development keys: a pseudonym key and a FHIR bearer token. Never use these for real visits.
[ -f "$out/keys/pseudonym.key" ] || (umask 077; openssl rand -hex 32 > "$out/keys/pseudonym.key")
[ -f "$out/keys/fhir-token" ] || (umask 077; openssl rand -hex 24 > "$out/keys/fhir-token")
# The development ES256 key pair for join tokens (scripts/mint-token signs with dev-es256.pem). The
# public half carries a marker line: the room plugin refuses it unless general.development = true.
if [ ! -f "$out/keys/dev-es256.pem" ]; then
  (umask 077
   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/keys/dev-es256.pem" 2>/dev/null
   { echo "JANUS-HIPAA DEVELOPMENT KEY: never use for real visits"
     openssl pkey -in "$out/keys/dev-es256.pem" -pubout; } > "$out/keys/dev-es256.pub.pem")
fi
# The development ES256 key pair of actor tokens (scripts/mint-token --actor), marked the same way.
if [ ! -f "$out/keys/dev-actor-es256.pem" ]; then
  (umask 077
   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/keys/dev-actor-es256.pem" 2>/dev/null
   { echo "JANUS-HIPAA DEVELOPMENT KEY: never use for real access"
     openssl pkey -in "$out/keys/dev-actor-es256.pem" -pubout; } > "$out/keys/dev-actor-es256.pub.pem")
fi
# The date-of-birth key the issuer (scripts/mint-token --dob) and the room share for dob_hmac.
[ -f "$out/keys/dob.key" ] || (umask 077; openssl rand -hex 32 > "$out/keys/dob.key")
# Audit trail: spool encryption key and checkpoint signing key (Ed25519 seed).
[ -f "$out/keys/audit-spool.key" ] || (umask 077; openssl rand -hex 32 > "$out/keys/audit-spool.key")
[ -f "$out/keys/audit-signing.key" ] || (umask 077; openssl rand -hex 32 > "$out/keys/audit-signing.key")
[ -f "$out/keys/fhir-outbox.key" ] || (umask 077; openssl rand -hex 32 > "$out/keys/fhir-outbox.key")
[ -f "$out/keys/recorder-keyring" ] || (umask 077; echo "1 kek $(openssl rand -hex 32)" > "$out/keys/recorder-keyring")
[ -f "$out/keys/recorder-signing.key" ] || (umask 077; openssl rand -hex 32 > "$out/keys/recorder-signing.key")

cat > "$out/janus.jcfg" <<JCFG
general: {
	configs_folder = "$out"
	plugins_folder = "$plugins_folder"
	transports_folder = "$stock/transports"
	events_folder = "$events_folder"
	loggers_folder = "$stock/loggers"
	debug_level = ${JANUS_DEBUG_LEVEL:-4}
	admin_secret = "$secret"
	server_name = "janus-hipaa-test"
	session_timeout = 60
}
certificates: {
}
media: {
}
nat: {
	ice_ignore_list = "vmnet"
}
plugins: {
}
transports: {
	disable = "libjanus_websockets.so,libjanus_pfunix.so,libjanus_mqtt.so,libjanus_rabbitmq.so,libjanus_nanomsg.so"
}
loggers: {
	disable = "libjanus_jsonlog.so"
}
events: {
	broadcast = true
	stats_period = 5
}
JCFG

cat > "$out/janus.transport.http.jcfg" <<JCFG
general: {
	json = "indented"
	base_path = "/janus"
	http = true
	port = $http_port
	ip = "127.0.0.1"
	https = false
}
admin: {
	admin_base_path = "/admin"
	admin_http = true
	admin_port = $admin_port
	admin_ip = "127.0.0.1"
	admin_https = false
}
cors: {
}
JCFG

for p in videoroom audiobridge textroom echotest; do
  [ -f "$out/janus.plugin.$p.jcfg" ] || cp "/etc/janus/janus.plugin.$p.jcfg" "$out/"
done

# set_category FILE CATEGORY 'KEY = VALUE'...: these lines (values as written) in FILE's CATEGORY, in
# place of uncommented ones the sample has there; the category is appended when the sample has none.
set_category() {
  local file=$1 category=$2; shift 2
  printf '%s\n' "$@" | awk -v file="$file" -v category="$category" '
    { k = $0; sub(/[ \t]*=.*/, "", k); keys[k] = 1; lines = lines "\t" $0 "\n" }
    END {
      while ((getline line < file) > 0) {
        if (line ~ ("^" category ": \\{")) { print line; printf "%s", lines; inside = 1; done = 1; continue }
        if (inside && line ~ /^}/) inside = 0
        if (inside) { key = line; sub(/^[ \t]+/, "", key); sub(/[ \t=].*/, "", key); if (key in keys) continue }
        print line
      }
      if (!done) printf "\n%s: {\n%s}\n", category, lines
    }' > "$file.tmp"
  mv "$file.tmp" "$file"
}
# cluster_category FILE KEY=VALUE...: these keys (quoted strings) in FILE's `cluster` category.
cluster_category() {
  local file=$1 kv line lines=(); shift
  for kv in "$@"; do lines+=("${kv%%=*} = \"${kv#*=}\""); done
  set_category "$file" cluster "${lines[@]}"
}
# The recorder's and the handlers' actor tokens: the development issuer (scripts/mint-token --actor).
actors_category() {
  set_category "$1" actors 'issuers = ["janus-hipaa-dev"]' 'audience = "janus-hipaa-admin"' \
    "pem_files = [\"dev-actor=$out/keys/dev-actor-es256.pub.pem\"]"
}
# instance_settings NAME FILE: what the HIPAA_* variables above ask of the generated config NAME.
instance_settings() {
  local name=$1 file=$2 kv=()
  [ -n "$instance" ] && kv+=("instance_id=$instance")
  case "$name" in
  janus.eventhandler.hipaa.audit | janus.eventhandler.hipaa.fhir)
    actors_category "$file"
    [ -z "$instance" ] || sed -i "/^general: {/,/^}/s|^\t#\?instance_id = .*|\tinstance_id = \"$instance\"|" "$file" ;;
  janus.plugin.hipaa.room)
    if [ -n "${HIPAA_ROOM_CLUSTER_CONNINFO:-}" ]; then
      kv+=("conninfo=$HIPAA_ROOM_CLUSTER_CONNINFO")
      [ -z "${HIPAA_PUBLIC_URL:-}" ] || kv+=("public_url=$HIPAA_PUBLIC_URL")
      cluster_category "$file" "${kv[@]}"
    fi ;;
  janus.plugin.hipaa.recorder)
    actors_category "$file"
    [ -z "$rtp_ports" ] ||
      sed -i -e "s|^\trtp_port_min = .*|\trtp_port_min = ${rtp_ports%-*}|" -e "s|^\trtp_port_max = .*|\trtp_port_max = ${rtp_ports#*-}|" "$file"
    [ -z "${HIPAA_RECORDER_CLUSTER_CONNINFO:-}" ] ||
      cluster_category "$file" "${kv[@]}" "conninfo=$HIPAA_RECORDER_CLUSTER_CONNINFO" ;;
  esac
}
# Our plugins: the sample configs from conf/ with this folder's paths in place of the defaults.
for f in janus.plugin.hipaa.room janus.plugin.hipaa.recorder janus.eventhandler.hipaa.audit janus.eventhandler.hipaa.fhir; do
  if [ -f "$out/$f.jcfg" ] && [ -z "${JANUS_CONF_FORCE:-}" ]; then
    # A room config from before dates of birth were checked with dob_hmac would refuse to start; a
    # recorder's or a handler's config from before actor tokens would refuse every gated request.
    stale=
    case "$f" in
    janus.plugin.hipaa.room) grep -q 'dob_key_file' "$out/$f.jcfg" || stale=keys.dob_key_file ;;
    *) grep -q '^actors: {' "$out/$f.jcfg" || stale="actor tokens" ;;
    esac
    [ -n "$stale" ] || continue
    echo "janus-conf.sh: $out/$f.jcfg predates $stale: regenerated" >&2
  fi
  sed -e "s|/etc/janus/hipaa|$out/keys|g" -e "s|/var/lib/janus-hipaa/recordings|${HIPAA_RECORDINGS_DIR:-$out/recordings}|g" \
      -e "s|/var/lib/janus-hipaa/audit|$out/audit|g" \
      -e "s|/var/lib/janus-hipaa/room|$out/room|g" -e "s|/var/lib/janus-hipaa/fhir|$out/fhir|g" \
      -e "s|/etc/janus/janus.eventhandler.hipaa.audit.policy.jcfg|$root/conf/janus.eventhandler.hipaa.audit.policy.jcfg|g" \
      -e "s|/var/lib/janus-hipaa/exports|$out/exports|g" \
      -e "s|https://ehr.example.org/fhir/R4|${FHIR_URL:-https://127.0.0.1:18443/fhir/R4}|g" \
      -e "/^general: {/,/^}/s|^\tdevelopment = false|\tdevelopment = true|" \
      -e "s|host=127.0.0.1 port=5432 dbname=hipaa user=janus_fhir_login passfile=$out/keys/pg-fhir.pgpass|${HIPAA_PG_CONNINFO:-&}|g" \
      "$root/conf/$f.jcfg.sample" > "$out/$f.jcfg"
  instance_settings "$f" "$out/$f.jcfg"
done
echo "$out"
