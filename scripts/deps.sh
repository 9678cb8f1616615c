#!/usr/bin/env bash
# Installs every Debian package the build, the tests and run.sh need (idempotent; as root).
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config git curl jq openssl
  janus janus-dev janus-tools
  libglib2.0-dev libjansson-dev libssl-dev libpq-dev libcurl4-openssl-dev libsrtp2-dev
  libgtest-dev libgmock-dev libbenchmark-dev libpcre2-dev
  postgresql postgresql-client
  clang libclang-rt-14-dev clang-format clang-tidy docker-compose
  ffmpeg nodejs
  chromium libjs-janus-gateway libjs-webrtc-adapter iproute2 util-linux
  dpkg-dev file lintian systemd-container debootstrap
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then echo "deps: run as root (or install: ${missing[*]})" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=900 update -qq
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Node for the browser tests (tests/e2e, playwright-core): Debian's nodejs + npm unless a node with
# npm is already there (e.g. NodeSource's nodejs, which bundles npm and conflicts with Debian's npm).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then echo "deps: run as root (or install nodejs and npm)" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=900 update -qq
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
# Debian's postgresql package starts a cluster on 5432 at install; we never use it (tests and run.sh
# start their own clusters on other ports), so leave it as the admin has it.
# The FHIR test server (tests/fhir-server) needs Node >= 20 and npm: NodeSource's nodejs bundles npm,
# Debian's does not (then the separate npm package provides it).
if ! command -v npm >/dev/null; then
  [ "$(id -u)" -eq 0 ] || { echo "deps: npm missing (install npm)" >&2; exit 1; }
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends npm >/dev/null
fi
echo "deps: all packages present"
