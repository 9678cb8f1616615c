#!/usr/bin/env bash
# docker-compose.yml stays valid (checked without a Docker engine) and pins every image version.
set -euo pipefail
f=${1:?docker-compose.yml}
docker-compose -f "$f" config -q
if grep -E '^\s*image:' "$f" | grep -vE ':[0-9A-Za-z._-]*[0-9][0-9A-Za-z._-]*\s*$'; then
  echo "unpinned image above"; exit 1
fi
grep -E '^\s*image:' "$f" | grep -q ':latest' && { echo "latest is not a pin"; exit 1; }
echo "compose ok"
