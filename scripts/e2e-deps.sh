#!/usr/bin/env bash
# Installs the browser tests' node packages (tests/e2e: playwright-core, pinned by package-lock.json)
# into tests/e2e/node_modules (gitignored). Idempotent: skipped while the lock file is unchanged.
# playwright-core downloads no browser: the tests drive Debian's /usr/bin/chromium.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/tests/e2e"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "e2e-deps: playwright-core 1.65 needs node >= 20 (have $(node --version))" >&2; exit 1; }
stamp=node_modules/.hipaa-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d node_modules/playwright-core ]; then
  echo "e2e-deps: node_modules up to date"; exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
echo "e2e-deps: installed $(node -p 'require("playwright-core/package.json").version' 2>/dev/null | sed 's/^/playwright-core /')"
