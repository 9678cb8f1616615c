#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer targets with clang (ASan+UBSan) and runs each for a bounded time.
#   scripts/fuzz.sh [SECONDS_PER_TARGET=20] [--update-corpus]
#   scripts/fuzz.sh --build-only      builds the targets, runs none (scripts/test.sh, beside the tests)
# CI (scripts/test.sh) runs 10 s per target; a long run by hand: scripts/fuzz.sh 600. Each target
# starts from its seeds in tests/fuzz/corpus/<target>/ plus what earlier runs found (build-fuzz/corpus/).
# --update-corpus: afterwards, merge (-merge=1: only inputs that add coverage) what was found into
# tests/fuzz/corpus/<target>/, to commit; keep that folder small (the whole corpus under ~1 MB).
# A crash leaves its input in build-fuzz/crashes/ and fails the run. Targets run nproc at a time
# (each still gets its SECONDS of wall time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
update=${2:-}
build_only=""; [ "$secs" = "--build-only" ] && build_only=1
dir="$root/build-fuzz"
CC=clang CXX=clang++ cmake -S "$root" -B "$dir" -DHIPAA_FUZZ=ON -DHIPAA_WERROR=OFF -DHIPAA_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="-O1 -g1" -DCMAKE_CXX_FLAGS="-O1 -g1" -DCMAKE_UNITY_BUILD=ON >/dev/null  # -O1: libFuzzer's usual level
targets=$(find "$root/tests/fuzz" -maxdepth 1 \( -name '*Fuzz.cpp' \) | wc -l)
cmake --build "$dir" -j "$(nproc)" --target $(cd "$dir" && cmake --build . --target help | sed -nE 's/^\.\.\. ([a-z0-9_]+_fuzz)$/\1/p' | tr '\n' ' ') >/dev/null
[ -n "$build_only" ] && exit 0
mkdir -p "$dir/crashes"
# fuzz_one BIN: one target for $secs s (wall time: libFuzzer's -max_total_time); its report goes to
# $dir/NAME.report, its exit status to $dir/NAME.status. nproc targets run at a time.
fuzz_one() {
  local bin=$1 name corpus seeds rc=0
  name=$(basename "$bin" _fuzz)
  corpus="$dir/corpus/$name"; mkdir -p "$corpus"
  seeds="$root/tests/fuzz/corpus/$name"
  {
    echo "fuzz: $name for ${secs}s"
    if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$dir/crashes/$name-" \
         "$corpus" $( [ -d "$seeds" ] && echo "$seeds" ) > "$dir/$name.log" 2>&1; then
      echo "fuzz: $name FAILED"; tail -40 "$dir/$name.log"; rc=1
    else
      grep -E '^Done|#[0-9]+.*DONE' "$dir/$name.log" | tail -1
      if [ "$update" = "--update-corpus" ]; then
        mkdir -p "$seeds"
        "$bin" -merge=1 -timeout=10 -rss_limit_mb=2048 "$seeds" "$corpus" > "$dir/$name.merge.log" 2>&1
        echo "fuzz: $name corpus: $(ls "$seeds" | wc -l) files, $(cat "$seeds"/* | wc -c) bytes"
      fi
    fi
  } > "$dir/$name.report" 2>&1
  echo "$rc" > "$dir/$name.status"
}
bins=$(find "$dir/tests/fuzz" -maxdepth 1 -type f -name '*_fuzz' -perm -u+x | sort)
rm -f "$dir"/*.status
for bin in $bins; do
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
  fuzz_one "$bin" &
done
wait
status=0; ran=0
for bin in $bins; do
  name=$(basename "$bin" _fuzz)
  cat "$dir/$name.report"
  [ "$(cat "$dir/$name.status" 2>/dev/null)" = 0 ] || status=1
  ran=$((ran + 1))
done
echo "fuzz: $ran targets (sources: $targets)"
[ "$ran" -gt 0 ] || { echo "fuzz: no targets built"; exit 1; }
exit $status
