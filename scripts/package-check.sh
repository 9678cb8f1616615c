#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian package into a throwaway Debian 12 booted with systemd as PID 1
# (systemd-nspawn, own network namespace) and checks it as an operator uses it
# (scripts/debian/installed-check.sh: install, keys as credentials, configs from the samples, the
# database through the installed scripts, Janus' own janus.service with the drop-in, all four
# modules initialized, the sandbox in force, reinstall, remove, purge).
#   scripts/package-check.sh [--fresh] [DEB]
# The system: by default this host's own tree seen through an overlay (the host read-only below,
# every change in memory, gone afterwards): seconds; it has janus, PostgreSQL, curl, jq, openssl
# (scripts/deps.sh). --fresh: a minimal Debian 12 from the mirror (debootstrap, cached in
# $HIPAA_PKG_ROOT, default /var/cache/janus-hipaa/bookworm), where apt-get installs the package and
# fetches janus and every Depends itself: minutes the first time.
# Without DEB: builds it (scripts/package.sh: build-deb/, release flags) and runs lintian on it.
# Needs root: mount namespace, overlayfs, systemd-nspawn.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fresh=""
[ "${1:-}" = --fresh ] && { fresh=1; shift; }
deb=${1:-}
[ "$(id -u)" -eq 0 ] || { echo "package-check: run as root (mount namespace, overlayfs, systemd-nspawn)" >&2; exit 1; }
for t in systemd-nspawn unshare nsenter; do
  command -v "$t" >/dev/null || { echo "package-check: $t missing (scripts/deps.sh installs it)" >&2; exit 1; }
done
if [ -z "$deb" ]; then
  deb=$(bash "$root/scripts/package.sh")
  echo "package: $deb ($(stat -c %s "$deb") bytes)"
  lintian --fail-on error,warning "$deb" || { echo "package-check: lintian found errors or warnings" >&2; exit 1; }
  echo "lintian: no errors, no warnings"
fi
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")

lower=/
if [ -n "$fresh" ]; then
  lower=${HIPAA_PKG_ROOT:-/var/cache/janus-hipaa/bookworm}
  if [ ! -x "$lower/usr/bin/systemctl" ] || [ ! -x "$lower/usr/bin/jq" ]; then
    command -v debootstrap >/dev/null || { echo "package-check: debootstrap missing (scripts/deps.sh)" >&2; exit 1; }
    echo "package-check: debootstrap bookworm into $lower (minutes, once)"
    rm -rf "$lower"; mkdir -p "$lower"
    debootstrap --variant=minbase --include=systemd,dbus,curl,jq,openssl,ca-certificates,postgresql \
      bookworm "$lower" "${HIPAA_DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$lower.log" 2>&1 ||
      { tail -20 "$lower.log"; exit 1; }
  fi
fi

boot_start=$SECONDS
work=$(mktemp -d /tmp/hipaa-pkgcheck-XXXXXX)
machine=hipaa-pkgcheck-$$
mkdir "$work/lower" "$work/t" "$work/root"
leader=""
cleanup() {
  if [ -n "$leader" ] && kill -0 "$leader" 2>/dev/null; then
    nsenter -t "$leader" -a systemctl poweroff >/dev/null 2>&1 || true
    for _ in $(seq 1 100); do kill -0 "$leader" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$leader" 2>/dev/null || true  # ends the container's whole PID namespace
  fi
  [ -z "${boot_pid:-}" ] || wait "$boot_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The mounts live in a mount namespace of their own: nothing of them is seen outside, and they go
# when the container stops. The package goes in as /root/janus-hipaa.deb.
unshare -m --propagation private bash -c '
  set -e
  work=$1 lower=$2 deb=$3 machine=$4 fresh=$5
  mount --bind "$lower" "$work/lower"
  mount -t tmpfs -o mode=755 tmpfs "$work/t"
  mkdir "$work/t/up" "$work/t/work"
  mount -t overlay overlay -o "lowerdir=$work/lower,upperdir=$work/t/up,workdir=$work/t/work" "$work/root"
  cp "$deb" "$work/root/root/janus-hipaa.deb"
  # systemd-nspawn keeps locks under /run/systemd/nspawn: in memory too.
  mkdir -p /run/systemd/nspawn && mount -t tmpfs tmpfs /run/systemd/nspawn
  if [ -n "$fresh" ]; then
    # apt resolves Depends from the mirror (janus and its libraries), before the boot cuts the network.
    cp /etc/resolv.conf "$work/root/etc/resolv.conf"
    chroot "$work/root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /root/janus-hipaa.deb" \
      >"$work/root/root/apt.log" 2>&1 || { tail -20 "$work/root/root/apt.log"; exit 1; }
    echo "apt-get install: janus-hipaa and $(chroot "$work/root" dpkg-query -W | wc -l) packages in all"
  fi
  exec systemd-nspawn -q -D "$work/root" --private-network --register=no --keep-unit -M "$machine" \
    --console=passive -b -- systemd.unit=basic.target
' boot "$work" "$lower" "$deb" "$machine" "$fresh" >"$work/nspawn.log" 2>&1 &
boot_pid=$!

# The container's PID 1: the child of systemd-nspawn.
for _ in $(seq 1 600); do
  kill -0 "$boot_pid" 2>/dev/null || { cat "$work/nspawn.log"; echo "package-check: the container did not start" >&2; exit 1; }
  nspawn=$(pgrep -d, -f "^systemd-nspawn -q -D $work/root " || true)
  [ -z "$nspawn" ] || leader=$(pgrep -x -P "$nspawn" systemd || true)
  [ -z "$leader" ] || break
  sleep 0.1
done
[ -n "$leader" ] || { echo "package-check: no container after 60 s" >&2; exit 1; }
grep -v "^Host and machine ids are equal" "$work/nspawn.log" || true
for _ in $(seq 1 300); do  # until systemd answers on its socket, then until the boot is done
  state=$(nsenter -t "$leader" -a systemctl is-system-running --wait 2>/dev/null) && break
  case "$state" in running | degraded) break ;; esac
  sleep 0.1
done
echo "container: systemd $state, $((SECONDS - boot_start)) s${fresh:+ (with apt-get)}"
# A file, not bash's standard input: dpkg or psql inside must not read the rest of the script.
nsenter -t "$leader" -a sh -c 'cat >/root/installed-check.sh' <"$root/scripts/debian/installed-check.sh"
nsenter -t "$leader" -a bash /root/installed-check.sh </dev/null
