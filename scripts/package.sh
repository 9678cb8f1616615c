#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the Debian package janus-hipaa_<version>-1_<arch>.deb (CPack's DEB generator over the
# project's install() rules) and prints its path.
#   scripts/package.sh [BUILD_DIR] [OUT_DIR]     defaults: build-deb, BUILD_DIR/deb
# A BUILD_DIR that is not configured yet gets a release build: Debian's hardening flags
# (dpkg-buildflags, hardening=+all), no tests, no benchmarks. An existing BUILD_DIR is packaged as
# it is configured (the CI test packages its test build, `build`, in seconds).
# HIPAA_DEB_MAINTAINER="Name <address>" sets the Maintainer field (default: a placeholder).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build-deb}
case "$dir" in /*) ;; *) dir="$root/$dir" ;; esac
out=${2:-$dir/deb}
for tool in cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { echo "package: $tool missing (scripts/deps.sh installs it)" >&2; exit 1; }
done

extra=()
[ -z "${HIPAA_DEB_MAINTAINER:-}" ] || extra+=("-DHIPAA_DEB_MAINTAINER=$HIPAA_DEB_MAINTAINER")
if [ ! -f "$dir/CMakeCache.txt" ]; then
  export DEB_BUILD_MAINT_OPTIONS=hardening=+all
  flags() { dpkg-buildflags --get "$1" | sed "s|-ffile-prefix-map=[^ ]*|-ffile-prefix-map=$root=.|"; }
  cppflags=$(flags CPPFLAGS)
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHIPAA_BUILD_TESTS=OFF -DHIPAA_BUILD_BENCH=OFF \
    -DCMAKE_C_FLAGS="$(flags CFLAGS) $cppflags" -DCMAKE_CXX_FLAGS="$(flags CXXFLAGS) $cppflags" \
    -DCMAKE_EXE_LINKER_FLAGS="$(flags LDFLAGS)" -DCMAKE_SHARED_LINKER_FLAGS="$(flags LDFLAGS)" \
    -DCMAKE_MODULE_LINKER_FLAGS="$(flags LDFLAGS)" "${extra[@]}" >/dev/null
elif [ ${#extra[@]} -gt 0 ]; then
  cmake "$dir" "${extra[@]}" >/dev/null
fi
# Brings the configuration (CPackConfig.cmake) and the build up to date before cpack reads them.
cmake --build "$dir" -j "$(nproc)" >/dev/null
mkdir -p "$out"
out=$(cd "$out" && pwd)
# cpack writes the archive itself: every file belongs to root:root whoever builds it.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! cpack --config "$dir/CPackConfig.cmake" -B "$out" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
rm -rf "$out/_CPack_Packages"
deb=$(sed -nE 's/^CPack: - package: (.*\.deb) generated\.$/\1/p' "$log" | tail -1)
[ -f "$deb" ] || { cat "$log" >&2; echo "package: cpack named no .deb" >&2; exit 1; }
echo "$deb"
