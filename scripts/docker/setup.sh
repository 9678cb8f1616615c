#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Creates the deployment folder that docker-compose.yml reads (docs/deployment.md), as root:
#   scripts/docker/setup.sh [DEPLOY_DIR]          (default: ./deploy next to docker-compose.yml)
# DEPLOY_DIR/janus/   0755 root, mounted read-only at /etc/janus: the HTTP transport and the four
#                     plugin configs, rendered from conf/*.sample for the container's paths, and the
#                     audit policy. No secret in them: edit them freely.
# DEPLOY_DIR/secrets/ 0700 root: every key and password, each a compose secret (/run/secrets/NAME).
#                     What Janus reads is owned by JANUS_UID (10088, the image's janus user), 0600:
#                     janus.jcfg (holds the admin secret), the plugins' keys, the handlers' libpq
#                     password files, the FHIR bearer token, the join-token verification key.
#                     Root only: admin_secret (the same secret, for tools on the host) and
#                     pg-superuser-password (the postgres and db-init services).
# DEPLOY_DIR/issuer/  0700 root: the private half of the join-token key made here for a first test
#                     (scripts/mint-token --key); a clinic's token issuer keeps its own key instead.
# Existing files are kept (keys are never replaced); delete one to have it made again. Ports and
# paths match docker-compose.yml: PostgreSQL 127.0.0.1:25432, the FHIR proxy 127.0.0.1:9443.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/deploy}
uid=${JANUS_UID:-10088}
pg_port=25432
fhir_url=https://127.0.0.1:9443/fhir
[ "$(id -u)" -eq 0 ] || { echo "setup: run as root (key files are owned by uid $uid)" >&2; exit 1; }
umask 077
install -d -m 0755 -o root -g root "$out" "$out/janus"
install -d -m 0700 -o root -g root "$out/secrets" "$out/issuer"
sec=$out/secrets

# new NAME OWNER COMMAND...: writes the command's output to secrets/NAME (0600 OWNER) unless it exists.
new() {
  local name=$1 owner=$2; shift 2
  [ -s "$sec/$name" ] && return 0
  "$@" > "$sec/$name.tmp"
  chown "$owner:$owner" "$sec/$name.tmp"; chmod 600 "$sec/$name.tmp"
  mv "$sec/$name.tmp" "$sec/$name"
}
hex() { openssl rand -hex "$1"; }
pgpass() { printf '*:*:*:%s:%s\n' "$1" "$(openssl rand -hex 32)"; }

new admin_secret 0 hex 32
new pg-superuser-password 0 hex 32
for k in pseudonym.key dob.key audit-spool.key audit-signing.key fhir-outbox.key recorder-signing.key; do
  new "$k" "$uid" hex 32
done
new fhir-token "$uid" hex 24
new recorder-keyring "$uid" bash -c 'echo "1 kek $(openssl rand -hex 32)"'
new pg-audit.pgpass "$uid" pgpass janus_audit_login
new pg-fhir.pgpass "$uid" pgpass janus_fhir_login
if [ ! -s "$out/issuer/issuer-es256.pem" ]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/issuer/issuer-es256.pem" 2>/dev/null
  rm -f "$sec/issuer-es256.pub.pem"
fi
new issuer-es256.pub.pem "$uid" openssl pkey -in "$out/issuer/issuer-es256.pem" -pubout

# janus.jcfg: Debian's module folders, only our plugins and the HTTP transport, events on.
secret=$(cat "$sec/admin_secret")
stock=/usr/lib/x86_64-linux-gnu/janus
disable_plugins=$(printf 'libjanus_%s.so,' audiobridge duktape echotest lua nosip recordplay sip streaming textroom \
  videocall videoroom voicemail)
disable_events=$(printf 'libjanus_%s.so,' gelfevh mqttevh nanomsgevh rabbitmqevh sampleevh wsevh)
new janus.jcfg "$uid" cat <<JCFG
# Janus of docker-compose.yml (scripts/docker/setup.sh). A compose secret: it holds the admin secret.
general: {
	configs_folder = "/etc/janus"
	plugins_folder = "$stock/plugins"
	transports_folder = "$stock/transports"
	events_folder = "$stock/events"
	loggers_folder = "$stock/loggers"
	debug_level = 4
	admin_secret = "$secret"
	server_name = "janus-hipaa"
}
certificates: {
}
media: {
	# WebRTC media; keep it apart from the recorder's rtp_port_min..rtp_port_max (20000-20999).
	rtp_port_range = "40000-49999"
}
nat: {
	# Behind NAT: nat_1_1_mapping = "<public address>", or a STUN/TURN server (Janus' docs).
}
plugins: {
	# Only janus.plugin.hipaa.room and janus.plugin.hipaa.recorder.
	disable = "${disable_plugins%,}"
}
transports: {
	disable = "libjanus_websockets.so,libjanus_pfunix.so,libjanus_mqtt.so,libjanus_rabbitmq.so,libjanus_nanomsg.so"
}
loggers: {
	disable = "libjanus_jsonlog.so"
}
events: {
	# The audit handler receives nothing without broadcast.
	broadcast = true
	disable = "${disable_events%,}"
}
JCFG

# conf() FILE: writes janus/FILE from stdin unless it exists (0644 root).
conf() {
  [ -s "$out/janus/$1" ] && { cat >/dev/null; return 0; }
  cat > "$out/janus/$1.tmp"; chmod 644 "$out/janus/$1.tmp"; mv "$out/janus/$1.tmp" "$out/janus/$1"
}
conf janus.transport.http.jcfg <<'JCFG'
# Janus API and Admin API on loopback only: put the clinic's HTTPS reverse proxy in front of the
# Janus API (browsers need HTTPS); never expose the Admin API beyond the host.
general: {
	json = "indented"
	base_path = "/janus"
	http = true
	port = 8088
	ip = "127.0.0.1"
	https = false
}
admin: {
	admin_base_path = "/admin"
	admin_http = true
	admin_port = 7088
	admin_ip = "127.0.0.1"
	admin_https = false
}
cors: {
}
JCFG
conf janus.eventhandler.hipaa.audit.policy.jcfg < "$root/conf/janus.eventhandler.hipaa.audit.policy.jcfg"

# render NAME 'old|new'...: conf/NAME.jcfg.sample with the key folder at /run/secrets and each
# listed line replaced; fails when a line to replace is not in the sample any more.
render() {
  local name=$1; shift
  local text pair
  text=$(sed 's|/etc/janus/hipaa/|/run/secrets/|g' "$root/conf/$name.jcfg.sample")
  for pair in "$@"; do
    grep -qF -- "${pair%%|*}" <<<"$text" || { echo "setup: conf/$name.jcfg.sample has no line '${pair%%|*}'" >&2; exit 1; }
    text=${text//"${pair%%|*}"/"${pair#*|}"}
  done
  printf '%s\n' "$text" | conf "$name.jcfg"
}
render janus.plugin.hipaa.room \
  'issuers = "janus-hipaa-dev"|issuers = "janus-hipaa-compose"' \
  'pem_files = "dev-es256=/run/secrets/dev-es256.pub.pem"|pem_files = "issuer-1=/run/secrets/issuer-es256.pub.pem"'
render janus.plugin.hipaa.recorder
render janus.eventhandler.hipaa.audit \
  "conninfo = \"\"|conninfo = \"host=127.0.0.1 port=$pg_port dbname=hipaa user=janus_audit_login passfile=/run/secrets/pg-audit.pgpass\""
render janus.eventhandler.hipaa.fhir \
  "base_url = \"https://ehr.example.org/fhir/R4\"|base_url = \"$fhir_url\"" \
  'ca_file = ""|ca_file = "/var/lib/janus-hipaa/fhir-ca/ca.pem"' \
  "host=127.0.0.1 port=5432 dbname=hipaa|host=127.0.0.1 port=$pg_port dbname=hipaa"
echo "setup: $out ready (Janus' files owned by uid $uid); next: docker compose up --build -d"
