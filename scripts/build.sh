#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Configures and builds into BUILD_DIR (default: build). Extra arguments go to cmake, e.g.
#   scripts/build.sh build-asan -DHIPAA_SANITIZE=ON
# HIPAA_UNIT_TESTS=ON|OFF sets whether the unit tests are built (kept in the build folder's cache).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build}; shift || true
case "$dir" in /*) ;; *) dir="$root/$dir" ;; esac
cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} -DHIPAA_WERROR=${HIPAA_WERROR:-ON} \
  ${HIPAA_UNIT_TESTS:+-DHIPAA_UNIT_TESTS=$HIPAA_UNIT_TESTS} "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
