#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Generates a Janus config folder that loads our four plugins from BUILD_DIR (or an install) next to
# the stock VideoRoom, AudioBridge, TextRoom and EchoTest, with the HTTP API and the Admin API on
# 127.0.0.1 only and event handlers on.
#   scripts/janus-conf.sh OUT_DIR BUILD_DIR HTTP_PORT ADMIN_PORT
# Writes OUT_DIR/admin_secret (0600) and OUT_DIR/keys/ (development keys, 0600).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?out dir}; build=${2:?build dir}; http_port=${3:?http port}; admin_port=${4:?admin port}
stock=/usr/lib/x86_64-linux-gnu/janus
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

# Our plugins: the sample configs from conf/ with this folder's paths in place of the defaults.
for f in janus.plugin.hipaa.room janus.plugin.hipaa.recorder janus.eventhandler.hipaa.audit janus.eventhandler.hipaa.fhir; do
  if [ -f "$out/$f.jcfg" ] && [ -z "${JANUS_CONF_FORCE:-}" ]; then
    # A room config from before dates of birth were checked with dob_hmac would refuse to start.
    [ "$f" = janus.plugin.hipaa.room ] && ! grep -q 'dob_key_file' "$out/$f.jcfg" || continue
    echo "janus-conf.sh: $out/$f.jcfg predates keys.dob_key_file: regenerated" >&2
  fi
  sed -e "s|/etc/janus/hipaa|$out/keys|g" -e "s|/var/lib/janus-hipaa/recordings|$out/recordings|g" \
      -e "s|/var/lib/janus-hipaa/audit|$out/audit|g" \
      -e "s|/etc/janus/janus.eventhandler.hipaa.audit.policy.jcfg|$root/conf/janus.eventhandler.hipaa.audit.policy.jcfg|g" \
      -e "s|/var/lib/janus-hipaa/exports|$out/exports|g" \
      -e "s|https://ehr.example.org/fhir/R4|${FHIR_URL:-https://127.0.0.1:18443/fhir/R4}|g" \
      -e "/^general: {/,/^}/s|^\tdevelopment = false|\tdevelopment = true|" \
      -e "s|host=127.0.0.1 port=5432 dbname=hipaa user=janus_fhir_login passfile=$out/keys/pg-fhir.pgpass|${HIPAA_PG_CONNINFO:-&}|g" \
      "$root/conf/$f.jcfg.sample" > "$out/$f.jcfg"
done
echo "$out"
