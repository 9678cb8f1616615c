#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# By hand, slow (about 20 minutes on 2 cores; not in CI): builds scripts/docker/Dockerfile with podman
# where no container registry is reachable, then starts Janus from the built image's own files.
#   scripts/docker/podman-smoke.sh [WORK_DIR]          (root; apt-get installs podman and debootstrap)
# 1. The base image: Debian 12 debootstrapped from Debian's archive (minbase, with the policy-rc.d
#    of Debian's official images), imported as debian:12.8-slim unless that tag exists. Not
#    byte-identical to the official image: same release, newer point release.
# 2. podman build (chroot isolation: this kind of machine cannot run crun's cgroups) -> janus-hipaa:0.1.0.
# 3. The image's root mounted; Janus runs in it (chroot, uid 10088) with scripts/docker/setup.sh's
#    deployment folder at /etc/janus and /run/secrets, the Janus volumes as folders 0700 for 10088,
#    and PostgreSQL (scripts/pg.sh + db-init.sh) on 127.0.0.1:25432, all in a private network
#    namespace. Prints the loaded plugins and the handlers' info.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/janus-hipaa-podman}
[ "$(id -u)" -eq 0 ] || { echo "podman-smoke: run as root" >&2; exit 1; }
command -v podman >/dev/null && command -v debootstrap >/dev/null ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman debootstrap >/dev/null
mkdir -p "$work"; chmod 755 "$work"
if ! podman image exists docker.io/library/debian:12.8-slim; then
  rm -rf "$work/rootfs"
  debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log"
  printf '#!/bin/sh\nexit 101\n' > "$work/rootfs/usr/sbin/policy-rc.d"; chmod 755 "$work/rootfs/usr/sbin/policy-rc.d"
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar -C "$work/rootfs" -c . | podman import - docker.io/library/debian:12.8-slim >/dev/null
  rm -rf "$work/rootfs"
fi
podman build --isolation=chroot --pull=never --network=host -f "$root/scripts/docker/Dockerfile" \
  -t localhost/janus-hipaa:0.1.0 "$root" >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; exit 1; }
echo "podman-smoke: built localhost/janus-hipaa:0.1.0 ($(podman image inspect localhost/janus-hipaa:0.1.0 --format '{{.Size}}') bytes)"
img=$(podman image mount localhost/janus-hipaa:0.1.0)
trap 'podman image unmount localhost/janus-hipaa:0.1.0 >/dev/null' EXIT
uid=$(chroot "$img" id -u janus)

unshare --net --mount --propagation private bash -s "$root" "$work/run" "$img" "$uid" <<'RUN'
set -euo pipefail
root=$1 w=$2 img=$3 uid=$4
rm -rf "$w"; mkdir -p "$w"; chmod 755 "$w"; ip link set lo up
JANUS_UID=$uid bash "$root/scripts/docker/setup.sh" "$w/deploy" >/dev/null
super=$(bash "$root/scripts/pg.sh" start "$w/pg" 25432)
trap 'kill $(jobs -p) 2>/dev/null; wait; bash "$root/scripts/pg.sh" stop "$w/pg"' EXIT
psql "$super" -qX -v pwfile="$w/deploy/secrets/pg-superuser-password" >/dev/null <<'SQL'
\set pw `cat :'pwfile'`
SELECT format('CREATE ROLE hipaa_owner SUPERUSER LOGIN PASSWORD %L', :'pw') \gexec
SQL
unshare --mount --propagation private bash -c '
  set -e; w=$1; root=$2
  mount -t tmpfs tmpfs /run; mkdir /run/secrets
  for f in pg-superuser-password pg-audit.pgpass pg-fhir.pgpass; do
    touch /run/secrets/$f; mount --bind "$w/deploy/secrets/$f" /run/secrets/$f
  done
  PGHOST=127.0.0.1 PGPORT=25432 bash "$root/scripts/docker/db-init.sh"' _ "$w" "$root" >"$w/db-init.log"
mkdir -p "$w"/vol/{recordings,exports,audit}; chown "$uid:$uid" "$w"/vol/*; chmod 700 "$w"/vol/*
bash "$root/scripts/docker/fhir-tls.sh" "$w/vol/fhir-tls" "$w/vol/fhir-ca" >/dev/null
unshare --mount --propagation private bash -c '
  set -e; w=$1; m=$2; uid=$3
  mount --bind "$m" "$m"
  mount --bind "$w/deploy/janus" "$m/etc/janus"; mount -o remount,bind,ro "$m/etc/janus"
  mount -t tmpfs -o mode=755 tmpfs "$m/run"; mkdir "$m/run/secrets"
  for f in $(ls "$w/deploy/secrets"); do touch "$m/run/secrets/$f"; mount --bind "$w/deploy/secrets/$f" "$m/run/secrets/$f"; done
  for v in recordings exports audit fhir-ca; do mount --bind "$w/vol/$v" "$m/var/lib/janus-hipaa/$v"; done
  mount -t proc proc "$m/proc"
  exec chroot --userspec="$uid:$uid" "$m" janus -F /etc/janus -C /run/secrets/janus.jcfg -o' _ "$w" "$img" "$uid" >"$w/janus.log" 2>&1 &
admin() {
  jq -n --rawfile s "$w/deploy/secrets/admin_secret" "$1 + {transaction: \"t\", admin_secret: (\$s | rtrimstr(\"\n\"))}" |
    curl -sf --max-time 5 --data-binary @- http://127.0.0.1:7088/admin
}
for _ in $(seq 1 100); do admin '{janus: "info"}' >/dev/null 2>&1 && break; sleep 0.1; done
admin '{janus: "info"}' | jq -c '{plugins: (.plugins | keys), events: (.events | keys)}'
for h in audit fhir; do
  admin "{janus: \"query_eventhandler\", handler: \"janus.eventhandler.hipaa.$h\", request: {request: \"info\"}}" | jq -c '.response'
done | cut -c1-160
grep -E "initialized|ERR" "$w/janus.log" | head
RUN
