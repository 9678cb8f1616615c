#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# scripts/package.sh over this build (no rebuild: the tests' own build, packaged as it is), lintian
# (no error, no warning), then scripts/package-check.sh: the package installed with dpkg into this
# host's Debian seen through an overlay, booted with systemd as PID 1, Janus started by its own
# janus.service with the package's drop-in and the configs made from the installed samples.
set -euo pipefail
src=${1:?source dir}; build=${2:?build dir}
out=$(mktemp -d /tmp/hipaa-pkgtest-XXXXXX)
trap 'rm -rf "$out"' EXIT
start=$SECONDS
deb=$(bash "$src/scripts/package.sh" "$build" "$out")
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes, built in $((SECONDS - start)) s"
start=$SECONDS
lintian --fail-on error,warning "$deb"
echo "lintian: no errors, no warnings ($((SECONDS - start)) s)"
bash "$src/scripts/package-check.sh" "$deb"
