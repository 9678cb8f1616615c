#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the tests' node packages, each folder pinned by its package-lock.json, into its
# node_modules (gitignored): tests/e2e (playwright-core, the browser tests) and tests/api (ajv and
# ajv-formats, the API schema check). Idempotent: a folder is skipped while its lock file is unchanged.
# playwright-core downloads no browser: the tests drive Debian's /usr/bin/chromium.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "e2e-deps: playwright-core 1.65 needs node >= 20 (have $(node --version))" >&2; exit 1; }

install() {  # install FOLDER PACKAGE: npm ci in FOLDER unless node_modules matches its lock file
  local dir=$root/$1 pkg=$2
  local stamp=$dir/node_modules/.hipaa-lock.sha256 want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$dir/node_modules/$pkg" ]; then
    echo "e2e-deps: $1/node_modules up to date"; return
  fi
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
  echo "e2e-deps: $1: installed $pkg $(cd "$dir" && node -p "require('$pkg/package.json').version")"
}

install tests/e2e playwright-core
install tests/api ajv
