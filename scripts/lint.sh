#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Source checks: the license header (SPDX-License-Identifier in the first lines of every source, build
# file, script and SQL migration in git), clang-format (every C/C++ file in git: the sources, tests, benchmarks, fuzz targets)
# and clang-tidy (the sources under plugins/ and common/, checks in .clang-tidy, every finding an error).
#   scripts/lint.sh [BUILD_DIR] [--deep]
# BUILD_DIR (default build) must be configured: clang-tidy reads its compile_commands.json.
# --deep adds the clang static analyzer (clang-analyzer-*, about four times the time; not run by CI).
# scripts/test.sh runs it (without --deep) at low priority next to the tests.
set -uo pipefail
cd "$(dirname "$0")/.."
build=build deep=""
for a in "$@"; do
  case $a in
    --deep) deep=1 ;;
    *) build=$a ;;
  esac
done
for tool in clang-format clang-tidy; do
  command -v "$tool" >/dev/null || { echo "lint: $tool is not installed (scripts/deps.sh installs it)"; exit 1; }
done
[ -f "$build/compile_commands.json" ] || { echo "lint: $build/compile_commands.json missing (configure $build first)"; exit 1; }
# A unity build's compile commands name its batch files: clang-tidy needs each source's own command,
# from a configured (not built) sibling folder.
# (A -D on the command line without a type is cached as UNINITIALIZED.)
if grep -qE '^CMAKE_UNITY_BUILD:[A-Z]+=(ON|1|TRUE|YES)$' "$build/CMakeCache.txt" 2>/dev/null; then
  cmake -S . -B "$build-lint" -DCMAKE_UNITY_BUILD=OFF -DHIPAA_UNIT_TESTS=ON >/dev/null || { echo "lint: cannot configure $build-lint"; exit 1; }
  build="$build-lint"
fi

status=0
# GPL-3.0-or-later, as LICENSE says, named in every file a reader may copy on its own.
spdx="SPDX-License-Identifier: GPL-3.0-or-later"
mapfile -t licensed < <(git ls-files '*.cpp' '*.hpp' '*.c' '*.h' '*.js' '*.mjs' '*.cjs' '*.sh' '*.sql' '*.cmake' \
  '*.yml' '*CMakeLists.txt' '*Dockerfile' 'scripts/audit-verify' 'scripts/mint-token' | grep -v '/node_modules/')
unlicensed=0
for f in "${licensed[@]}"; do
  [ -f "$f" ] || continue
  head -n 3 "$f" | grep -qF "$spdx" || { echo "lint: no '$spdx' in the first 3 lines: $f"; unlicensed=1; }
done
if [ "$unlicensed" = 1 ]; then status=1; else echo "lint: license header: ${#licensed[@]} files"; fi

mapfile -t all < <(git ls-files '*.cpp' '*.hpp' '*.c' '*.h' | grep -v '/node_modules/')
if ! clang-format --dry-run -Werror "${all[@]}" 2>"$build/clang-format.log"; then
  grep 'error:' "$build/clang-format.log" | cut -d: -f1 | sort -u | sed 's/^/lint: not clang-formatted: /'
  echo "lint: fix with: clang-format -i \$(git ls-files '*.cpp' '*.hpp' '*.c' '*.h')"
  status=1
else
  echo "lint: clang-format: ${#all[@]} files formatted"
fi

mapfile -t sources < <(git ls-files 'plugins/*.cpp' 'common/*.cpp')
# Janus' refcount macros print a janus_refcount* with %p, which clang's -Wformat-pedantic reports.
checks=(--extra-arg=-Wno-format-pedantic)
[ -n "$deep" ] && checks+=(--checks='clang-analyzer-*')
# One clang-tidy per file, nproc at a time; --warnings-as-errors makes every finding fail the run.
out="$build/clang-tidy.log"
printf '%s\n' "${sources[@]}" |
  xargs -P "$(nproc)" -I{} sh -c 'clang-tidy -p "$0" --quiet --warnings-as-errors="*" "$@" {} 2>/dev/null || echo "lint: clang-tidy failed on {}"' \
    "$build" "${checks[@]}" >"$out"
if grep -qE 'warning:|error:|^lint: clang-tidy failed' "$out"; then
  grep -E 'warning:|error:|^lint:' "$out"
  status=1
else
  echo "lint: clang-tidy: ${#sources[@]} sources clean"
fi
exit $status
