#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs INSIDE a throwaway Debian system booted under systemd (scripts/package-check.sh starts it and
# feeds this script to bash there). Does what an operator does with the package and checks each
# step: install, Janus still starts with no janus-hipaa config, keys as systemd credentials, configs
# from the installed samples, the database with the installed scripts, Janus' own janus.service with
# the package's drop-in, all four modules initialized, the sandbox in force, reinstall keeps the
# admin's files, remove and purge.
#   bash installed-check.sh    (the package at /root/janus-hipaa.deb)
set -uo pipefail
deb=/root/janus-hipaa.deb
creds=/run/credentials/janus.service
failures=0
ok() { echo "ok: $* [${SECONDS}s]"; }
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() {  # check "what" command...
  local what=$1; shift
  if "$@" >/tmp/check.out 2>&1; then ok "$what"; else bad "$what"; sed 's/^/    /' /tmp/check.out | tail -20; fi
}
die() { echo "FAIL: $*"; journalctl -u janus --no-pager -n 40 2>/dev/null | sed 's/^/    /'; exit 1; }
mode() { stat -c %a "$1"; }

# Janus' log of its current run (the unit's invocation), and its Admin API.
janus_log() { journalctl --no-pager -o cat _SYSTEMD_INVOCATION_ID="$(systemctl show -p InvocationID --value janus)"; }
admin() { curl -sf --max-time 5 -d "$1" http://127.0.0.1:7088/admin; }
wait_janus() {  # the HTTP API answers; with an argument, the Admin API too
  for _ in $(seq 1 100); do
    systemctl is-failed -q janus && return 1
    if curl -sf --max-time 2 http://127.0.0.1:8088/janus/info >/dev/null; then
      [ -z "${1:-}" ] || admin '{"janus":"info","transaction":"w","admin_secret":"'"$secret"'"}' >/dev/null && return 0
    fi
    sleep 0.2
  done
  return 1
}

# --- install ------------------------------------------------------------------------------------
# This throwaway system needs no man-db index: its dpkg trigger would take most of each install.
rm -f /var/lib/man-db/auto-update
dpkg -i "$deb" >/tmp/dpkg.out 2>&1 || { cat /tmp/dpkg.out; die "dpkg -i"; }
ok "dpkg -i"
# Where Debian's Janus keeps its modules: /usr/lib/<multiarch>/janus.
multiarch=$(ls -d /usr/lib/*/janus/plugins | head -1 | cut -d/ -f4)
for f in /usr/lib/$multiarch/janus/plugins/libjanus_hipaa_room.so /usr/lib/$multiarch/janus/plugins/libjanus_hipaa_recorder.so \
  /usr/lib/$multiarch/janus/events/libjanus_hipaa_audit.so /usr/lib/$multiarch/janus/events/libjanus_hipaa_fhir.so \
  /usr/lib/$multiarch/janus-hipaa/libhipaa_common.so.0 /usr/lib/systemd/system/janus.service.d/janus-hipaa.conf \
  /usr/share/janus-hipaa/sql/001_foundation.sql /usr/share/doc/janus-hipaa/copyright /usr/share/man/man1/audit-verify.1.gz; do
  [ -e "$f" ] || bad "installed: $f missing"
done
conffiles=$(dpkg-query -W -f='${Conffiles}\n' janus-hipaa | awk 'NF { print $1 }' | sort | tr '\n' ' ')
[ "$conffiles" = "/etc/janus/janus.eventhandler.hipaa.audit.jcfg.sample /etc/janus/janus.eventhandler.hipaa.audit.policy.jcfg.sample /etc/janus/janus.eventhandler.hipaa.fhir.jcfg.sample /etc/janus/janus.jcfg.fragment /etc/janus/janus.plugin.hipaa.recorder.jcfg.sample /etc/janus/janus.plugin.hipaa.room.jcfg.sample " ] &&
  ok "conffiles: the six samples" || bad "conffiles: $conffiles"
for d in /var/lib/janus-hipaa /var/lib/janus-hipaa/recordings /var/lib/janus-hipaa/exports /var/lib/janus-hipaa/audit; do
  [ "$(mode $d)" = 700 ] || bad "postinst: $d mode $(mode $d 2>&1), want 700"
done
systemctl show -p DropInPaths --value janus | grep -q janus-hipaa.conf && ok "systemd reads the drop-in (postinst daemon-reload)" ||
  bad "janus.service has no janus-hipaa.conf drop-in: $(systemctl show -p DropInPaths --value janus)"
# The tools start (their libraries resolve through RPATH) and answer with their usage.
audit-verify >/tmp/av.out 2>&1; rc=$?
[ $rc = 2 ] && grep -q "^usage: audit-verify" /tmp/av.out && ok "audit-verify runs" || bad "audit-verify: exit $rc: $(head -2 /tmp/av.out)"
hipaa-recorder-tool >/tmp/rt.out 2>&1; rc=$?
[ $rc = 2 ] && grep -q "^usage: hipaa-recorder-tool" /tmp/rt.out && ok "hipaa-recorder-tool runs" || bad "hipaa-recorder-tool: exit $rc: $(head -2 /tmp/rt.out)"

# --- Janus with the modules installed but not configured yet: it still starts --------------------
secret=janusoverlord  # Debian's default, replaced below
systemctl restart janus
wait_janus && ok "Janus starts with the modules installed and no janus-hipaa config" || die "Janus did not start before configuration"

# --- keys as credentials, configs from the samples -----------------------------------------------
install -d -m 700 /etc/credstore /etc/janus/hipaa
(
  umask 077
  cd /etc/credstore || exit 1
  for k in pseudonym.key dob.key audit-spool.key audit-signing.key fhir-outbox.key recorder-signing.key; do
    openssl rand -hex 32 >"hipaa-$k"
  done
  openssl rand -hex 24 >hipaa-fhir-token
  echo "1 kek $(openssl rand -hex 32)" >hipaa-recorder-keyring
  # A join token issuer's public key (not secret: it stays in /etc/janus/hipaa).
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null | openssl pkey -pubout >/etc/janus/hipaa/issuer.pub.pem
)
secret=$(openssl rand -hex 16)
sed -i -e "s|^\tadmin_secret = .*|\tadmin_secret = \"$secret\"|" -e 's|^\t#broadcast = true|\tbroadcast = true|' /etc/janus/janus.jcfg
sed -i -e 's|admin_http = false|admin_http = true|' -e 's|#admin_ip = "192.168.0.1"|admin_ip = "127.0.0.1"|' /etc/janus/janus.transport.http.jcfg
for f in janus.plugin.hipaa.room janus.plugin.hipaa.recorder janus.eventhandler.hipaa.audit janus.eventhandler.hipaa.fhir \
  janus.eventhandler.hipaa.audit.policy; do
  sed -e "s|/etc/janus/hipaa/|$creds/hipaa-|g" -e "s|dev-es256=$creds/hipaa-dev-es256.pub.pem|issuer=/etc/janus/hipaa/issuer.pub.pem|" \
    "/etc/janus/$f.jcfg.sample" >"/etc/janus/$f.jcfg"
done

# --- the database, with the installed scripts (Debian's own cluster of this system) --------------
cluster=$(pg_lsclusters -h 2>/dev/null | head -1)
if [ -z "$cluster" ]; then
  pg_createcluster --start 15 main >/dev/null 2>&1 || die "pg_createcluster"
  cluster=$(pg_lsclusters -h | head -1)
fi
read -r pg_ver pg_name pg_port _ <<<"$cluster"
pg_ctlcluster "$pg_ver" "$pg_name" start 2>/dev/null || true
pg_isready -q -t 20 -h 127.0.0.1 -p "$pg_port" || die "PostgreSQL $pg_ver/$pg_name did not start"
# The admin's own superuser role (peer authentication on the socket), as on a real database host.
runuser -u postgres -- psql -qXp "$pg_port" -c "create role root superuser login" 2>/dev/null || true
runuser -u postgres -- psql -qXp "$pg_port" -c "create database hipaa" 2>/dev/null || true
super="port=$pg_port dbname=hipaa"
check "janus-hipaa-migrate" janus-hipaa-migrate "$super"
check "janus-hipaa-db-login (audit)" janus-hipaa-db-login "$super" janus_audit_login janus_audit_writer /etc/credstore/hipaa-pg-audit.pgpass
check "janus-hipaa-db-login (fhir)" janus-hipaa-db-login "$super" janus_fhir_login janus_fhir_writer /etc/credstore/hipaa-pg-fhir.pgpass
sed -i "s|^\tconninfo = \"\"|\tconninfo = \"host=127.0.0.1 port=$pg_port dbname=hipaa user=janus_audit_login passfile=$creds/hipaa-pg-audit.pgpass\"|" \
  /etc/janus/janus.eventhandler.hipaa.audit.jcfg
sed -i "s|host=127.0.0.1 port=5432 dbname=hipaa user=janus_fhir_login passfile=[^\"]*|host=127.0.0.1 port=$pg_port dbname=hipaa user=janus_fhir_login passfile=$creds/hipaa-pg-fhir.pgpass|" \
  /etc/janus/janus.eventhandler.hipaa.fhir.jcfg
grep -q "passfile=$creds/hipaa-pg-audit.pgpass" /etc/janus/janus.eventhandler.hipaa.audit.jcfg || bad "audit conninfo not set"

# --- Janus under systemd, every key from $creds ---------------------------------------------------
systemctl restart janus
wait_janus admin || die "Janus did not start with the janus-hipaa configs"
lines=("HIPAA consult room 0.1.0 initialized" "HIPAA encrypted recorder 0.1.0 initialized"
  "HIPAA audit trail 0.1.0 initialized" "HIPAA FHIR export 0.1.0 initialized")
for _ in $(seq 1 50); do  # journald may lag behind Janus by a moment
  log=$(janus_log)
  all=1; for line in "${lines[@]}"; do grep -qF "$line" <<<"$log" || all=""; done
  [ -z "$all" ] || break
  sleep 0.2
done
for line in "${lines[@]}"; do
  grep -qF "$line" <<<"$log" && ok "log: $line" || { bad "log has no \"$line\""; logfail=1; }
done
[ -z "${logfail:-}" ] || grep -iE "hipaa|error|could not" <<<"$log" | sed 's/^/    /' | tail -30
info=$(admin '{"janus":"info","transaction":"i","admin_secret":"'"$secret"'"}')
for p in janus.plugin.hipaa.room janus.plugin.hipaa.recorder; do
  jq -e --arg p "$p" '.plugins[$p]' <<<"$info" >/dev/null && ok "Admin API lists $p" || bad "$p not loaded"
done
handler() { admin '{"janus":"query_eventhandler","transaction":"q","admin_secret":"'"$secret"'","handler":"'"$1"'","request":{"request":"'"$2"'"}}'; }
for h in janus.eventhandler.hipaa.audit janus.eventhandler.hipaa.fhir; do
  r=$(handler "$h" info)
  jq -e '.response.version == "0.1.0"' <<<"$r" >/dev/null && ok "$h running" || bad "$h not running: $r"
done
r=$(admin '{"janus":"message_plugin","transaction":"c","admin_secret":"'"$secret"'","plugin":"janus.plugin.hipaa.room","request":{"request":"create"}}')
jq -e '.response["hipaa.room"] == "success"' <<<"$r" >/dev/null && ok "room create" || bad "room create: $r"
# The installed admin CLI: the secret from a 0600 file, the configs checked offline.
(umask 077; printf '%s\n' "$secret" >/root/admin_secret)
n=$(janus-hipaa rooms --json --secret-file /root/admin_secret | jq '.rooms | length') && [ "${n:-0}" -ge 1 ] &&
  ok "janus-hipaa rooms lists $n room(s)" || bad "janus-hipaa rooms"
janus-hipaa check-config /etc/janus >/dev/null && ok "janus-hipaa check-config /etc/janus" || bad "janus-hipaa check-config: $(janus-hipaa check-config /etc/janus 2>&1 | tail -3)"
# A client session with a stock plugin handle; its events reach the audit trail in PostgreSQL,
# through the password file the handler got as a credential.
sid=$(curl -sf -d '{"janus":"create","transaction":"s"}' http://127.0.0.1:8088/janus | jq -r .data.id)
r=$(curl -sf -d '{"janus":"attach","plugin":"janus.plugin.echotest","transaction":"a"}' "http://127.0.0.1:8088/janus/$sid")
jq -e '.janus == "success"' <<<"$r" >/dev/null && ok "EchoTest handle attached" || bad "attach: $r"
written=0
for _ in $(seq 1 100); do
  s=$(handler janus.eventhandler.hipaa.audit stats)
  written=$(jq -r '.response.written // 0' <<<"$s")
  [ "$(jq -r '.response.db_connected' <<<"$s")" = true ] && [ "$written" -gt 0 ] && break
  sleep 0.2
done
[ "$written" -gt 0 ] && ok "audit trail: $written records written to PostgreSQL" || bad "audit trail wrote nothing: $s"
instance=$(handler janus.eventhandler.hipaa.audit info | jq -r .response.instance_id)
handler janus.eventhandler.hipaa.audit info | jq -r .response.checkpoint_public_key >/root/audit.pub
check "audit-verify on the trail" audit-verify --conninfo "$super" --instance "$instance" --public-key /root/audit.pub

# --- what systemd did --------------------------------------------------------------------------
pid=$(systemctl show -p MainPID --value janus)
[ "$(mode $creds)" = 500 ] && ok "$creds mode 500" || bad "$creds mode $(mode $creds)"
[ "$(stat -c '%a %U' $creds/hipaa-pseudonym.key)" = "400 root" ] && ok "credential files 0400 root" ||
  bad "credential: $(stat -c '%a %U' $creds/hipaa-pseudonym.key)"
[ ! -e $creds/hipaa-fhir-smart.key ] && ok "a credential with no file is skipped" || bad "hipaa-fhir-smart.key appeared"
for d in /var/lib/janus-hipaa/recordings /var/lib/janus-hipaa/exports /var/lib/janus-hipaa/audit; do
  [ "$(mode $d)" = 700 ] || bad "StateDirectory: $d mode $(mode $d)"
done
ls /var/lib/janus-hipaa/audit/*.head >/dev/null 2>&1 && ok "the audit handler wrote its head file in its state folder" ||
  bad "no head file in /var/lib/janus-hipaa/audit"
grep -q "^NoNewPrivs:[[:space:]]*1" /proc/$pid/status && ok "NoNewPrivileges" || bad "NoNewPrivs not set"
grep -q "^Seccomp:[[:space:]]*2" /proc/$pid/status && ok "system call filter" || bad "no seccomp filter"
grep -q "^CapBnd:[[:space:]]*0000000000000400" /proc/$pid/status && ok "capabilities: CAP_NET_BIND_SERVICE only" ||
  bad "capabilities: $(grep CapBnd /proc/$pid/status)"
nsenter -t "$pid" -m touch /usr/lib/janus-hipaa-probe 2>/dev/null && bad "Janus can write to /usr" || ok "ProtectSystem=strict: /usr read-only for Janus"
nsenter -t "$pid" -m touch /etc/janus/probe 2>/dev/null && bad "Janus can write to /etc" || ok "ProtectSystem=strict: /etc read-only for Janus"
nsenter -t "$pid" -m cat /etc/credstore/hipaa-pseudonym.key >/dev/null 2>&1 && bad "Janus can read /etc/credstore" || ok "/etc/credstore out of Janus' reach"
# ProtectHome: /root is an empty folder for Janus (it holds the package outside).
[ -z "$(nsenter -t "$pid" -m ls -A /root 2>/dev/null)" ] && ok "ProtectHome: /root empty for Janus" || bad "Janus sees /root's files"

# --- a reinstall (an upgrade) keeps the admin's files --------------------------------------------
echo "# the admin's note" >>/etc/janus/janus.plugin.hipaa.room.jcfg.sample
before=$(md5sum /etc/janus/janus.plugin.hipaa.room.jcfg /etc/janus/janus.plugin.hipaa.room.jcfg.sample)
dpkg -i --force-confold "$deb" >/tmp/dpkg.out 2>&1 || { cat /tmp/dpkg.out; bad "dpkg -i (again)"; }
[ "$(md5sum /etc/janus/janus.plugin.hipaa.room.jcfg /etc/janus/janus.plugin.hipaa.room.jcfg.sample)" = "$before" ] &&
  ok "reinstall keeps the admin's .jcfg and an edited sample" || bad "reinstall changed the admin's files"
systemctl restart janus
wait_janus admin && grep -qF "HIPAA consult room 0.1.0 initialized" <<<"$(janus_log)" && ok "Janus restarts after the reinstall" || bad "Janus after reinstall"

# --- remove, purge --------------------------------------------------------------------------------
dpkg -r janus-hipaa >/tmp/dpkg.out 2>&1 || { cat /tmp/dpkg.out; bad "dpkg -r"; }
[ ! -e /usr/lib/$multiarch/janus/plugins/libjanus_hipaa_room.so ] || bad "dpkg -r left the room module"
systemctl show -p DropInPaths --value janus | grep -q janus-hipaa.conf && bad "systemd still reads the removed drop-in" || ok "drop-in gone (postrm daemon-reload)"
systemctl restart janus
wait_janus && ok "Janus starts after dpkg -r" || bad "Janus after dpkg -r"
dpkg -P janus-hipaa >/tmp/dpkg.out 2>&1 || { cat /tmp/dpkg.out; bad "dpkg -P"; }
[ ! -e /etc/janus/janus.plugin.hipaa.room.jcfg.sample ] && [ -f /etc/janus/janus.plugin.hipaa.room.jcfg ] &&
  ok "purge removes the samples, keeps the admin's .jcfg" || bad "purge: samples or admin's .jcfg wrong"
[ -d /var/lib/janus-hipaa/audit ] && [ ! -e /var/lib/janus-hipaa/exports ] &&
  ok "purge keeps state that has files (audit), removes empty folders" || bad "purge: $(ls -R /var/lib/janus-hipaa 2>&1 | head -5)"

echo "installed-check: $failures failure(s) in $SECONDS s"
[ "$failures" = 0 ]
