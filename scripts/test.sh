#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The test command (README, CI): installs what is missing, builds, starts a throwaway PostgreSQL,
# runs the integration tests against the real Janus, then the unit tests under ASan+UBSan (with
# HIPAA_SKIP_ASAN: in the plain build, beside the integration tests), and prints one summary line.
# Exits non-zero on any failure.
# libFuzzer targets then run for a bounded time each, and scripts/lint.sh (clang-format, clang-tidy)
# runs at low priority beside the tests (one check each in the summary). The ASan+UBSan build and the
# fuzz targets' build also run at low priority beside the first test run: the integration tests leave
# much of the CPU idle (they wait on Janus, browsers, PostgreSQL), and those builds take it.
#   HIPAA_SKIP_ASAN=1 HIPAA_SKIP_FUZZ=1 HIPAA_SKIP_LINT=1 scripts/test.sh   local iteration only; CI runs everything
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)
stage() { echo "== $1 (at $(( $(date +%s) - start )) s)"; }

bash scripts/deps.sh || exit 1
bash scripts/e2e-deps.sh || exit 1   # node packages: the browser tests (tests/e2e), the API schema check (tests/api)

state=$(mktemp -d /tmp/hipaa-test-XXXXXX)
chmod 755 "$state"   # the postgres user must reach its cluster folder inside
cleanup() {
  [ -n "${lint_pid:-}" ] && { pkill -P "$lint_pid"; kill "$lint_pid"; } 2>/dev/null
  [ -n "${builds_pid:-}" ] && kill -- -"$builds_pid" 2>/dev/null   # its own process group (setsid)
  bash scripts/pg.sh stop "$state/pg" >/dev/null 2>&1
  bash scripts/fhir-server.sh stop "$state/fhir" >/dev/null 2>&1
  [ -n "${HIPAA_KEEP_TEST_DIRS:-}" ] || rm -rf "$state"
  # A developer's next scripts/build.sh builds the unit tests again, file by file (configure only).
  [ -z "${CI:-}" ] && cmake -S "$root" -B "$root/build" -DHIPAA_UNIT_TESTS=ON -DCMAKE_UNITY_BUILD=OFF >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stage "build"
# The unit tests run once, under ASan+UBSan (stage asan-unit): the plain build leaves them out then,
# a fifth of its compile time.
# Every build here is a unity build (CMake batches a target's sources into a few files, so the headers
# are compiled once per batch): about a third of the CPU time; scripts/lint.sh still checks each
# source on its own.
unit_plain=ON
[ -z "${HIPAA_SKIP_ASAN:-}" ] && unit_plain=OFF
HIPAA_UNIT_TESTS=$unit_plain bash scripts/build.sh build -DCMAKE_UNITY_BUILD=ON || exit 1

# The source checks need only the configured build; at nice 19 they take the CPU the tests leave idle.
lint_pid=""
if [ -z "${HIPAA_SKIP_LINT:-}" ]; then
  nice -n 19 bash scripts/lint.sh build >"$state/lint.log" 2>&1 &
  lint_pid=$!
fi

# Only what runs under ASan: the unit tests, the four modules, the Gateway tests' binary, the
# browser tests' binary (the room's media path: SDP, relay, rewriter inside the real Janus) and the
# audit integration binary (the committer's two connections against the real PostgreSQL).
# -Og -g1 (no build type): line tables for ASan's stack traces; g++ compiles UBSan's checks at -O1 in
# twice the time of -Og (20 s against 11 s for a large test file), and this build is on CI's critical path.
build_asan() {
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="-Og -g1" -DCMAKE_CXX_FLAGS="-Og -g1" \
    -DHIPAA_WERROR=ON -DHIPAA_SANITIZE=ON -DHIPAA_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null || return 1
  local targets
  targets=$(cmake --build build-asan --target help |
    sed -nE 's/^\.\.\. (unit_[a-z0-9_]+|janus_hipaa_[a-z]+|integration_foundation|integration_e2e|integration_audit)$/\1/p' | tr '\n' ' ')
  [ -n "$targets" ] && cmake --build build-asan -j "$(nproc)" --target $targets
}
# Both builds at nice 19 and idle I/O priority beside the first test run (in their own process
# group, so an interrupted run stops their compilers too); the ASan stage below waits for the first,
# scripts/fuzz.sh then finds its targets built.
builds_pid=""
if [ -z "${HIPAA_SKIP_ASAN:-}" ] || [ -z "${HIPAA_SKIP_FUZZ:-}" ]; then
  export -f build_asan
  HIPAA_SKIP_ASAN=${HIPAA_SKIP_ASAN:-} HIPAA_SKIP_FUZZ=${HIPAA_SKIP_FUZZ:-} state=$state \
    setsid nice -n 19 ionice -c 3 bash -c '
      if [ -z "$HIPAA_SKIP_ASAN" ]; then build_asan >"$state/build-asan.log" 2>&1; echo $? >"$state/build-asan.status"; fi
      [ -z "$HIPAA_SKIP_FUZZ" ] && bash scripts/fuzz.sh --build-only >"$state/build-fuzz.log" 2>&1
      exit 0' &
  builds_pid=$!
fi

stage "PostgreSQL"
# Throwaway clusters (this one and those the outage tests start) without fsync: see scripts/pg.sh.
export HIPAA_PG_FSYNC=off
pg_port=$(bash scripts/free-port.sh)
HIPAA_TEST_PG=$(bash scripts/pg.sh start "$state/pg" "$pg_port") || { echo "PostgreSQL did not start"; cat "$state/pg/log" 2>/dev/null; exit 1; }
# Its socket folder: how tests inside a network namespace of their own (scripts/netns-run.sh) reach it.
export HIPAA_TEST_PG HIPAA_TEST_PG_SOCKET="$state/pg"
echo "cluster: $HIPAA_TEST_PG"

stage "FHIR test server"
fhir_port=$(bash scripts/free-port.sh)
HIPAA_TEST_FHIR=$(bash scripts/fhir-server.sh start "$state/fhir" "$fhir_port") || { echo "FHIR test server did not start"; exit 1; }
export HIPAA_TEST_FHIR HIPAA_TEST_FHIR_DIR="$state/fhir"
echo "fhir: $HIPAA_TEST_FHIR"

passed=0; failed=0
run_ctest() {  # run_ctest NAME BUILD_DIR ctest-args...
  local name=$1 dir=$2; shift 2
  stage "$name"
  local log="$state/ctest-$name.log"
  ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" "$@" 2>&1 | tee "$log"
  local line p f t
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [ -z "$line" ]; then echo "$name: ctest printed no summary"; failed=$((failed + 1)); return; fi
  f=$(sed -E 's/.*passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  t=$(sed -E 's/.*failed out of ([0-9]+).*/\1/' <<<"$line")
  p=$((t - f)); passed=$((passed + p)); failed=$((failed + f))
}

run_ctest all build
# What is left of the builds is now on the critical path: normal priority again (root only; CI runs
# as root, elsewhere they stay at low priority).
[ -n "$builds_pid" ] && { renice -n 0 -g "$builds_pid"; ionice -c 2 -P "$builds_pid"; } >/dev/null 2>&1
if [ -z "${HIPAA_SKIP_ASAN:-}" ]; then
  stage "build (ASan+UBSan): waiting for the rest of it"
  while [ ! -f "$state/build-asan.status" ] && kill -0 "$builds_pid" 2>/dev/null; do sleep 1; done
  if [ "$(cat "$state/build-asan.status" 2>/dev/null)" = 0 ]; then
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      run_ctest asan-unit build-asan -L unit
    # The ASan-built plugins inside Debian's real janus (runtime preloaded): memory errors and leaks
    # attributed to our code fail the gateway tests.
    # The browser pair: publish/subscribe/relay of our room with VP8 and H.264. Janus core sometimes
    # leaks a page's session at exit (the stock VideoRoom too): only leaks reaching our code fail.
    HIPAA_JANUS_PRELOAD=$(gcc -print-file-name=libasan.so) run_ctest asan-gateway build-asan \
      -R '^(Gateway\.|AuditWriterDb\.|AuditStore\.|VideoRoomBrowser\.(StockVideoRoomClientWorksAgainstHipaaRoom|HipaaRoomRelaysH264)$)' 
  else
    tail -50 "$state/build-asan.log"
    echo "ASan build failed"; failed=$((failed + 1))
  fi
fi

if [ -z "${HIPAA_SKIP_FUZZ:-}" ]; then
  stage "fuzz (libFuzzer, ${HIPAA_FUZZ_SECONDS:-10} s per target)"
  wait "$builds_pid" 2>/dev/null; builds_pid=""   # the targets' build (fuzz.sh builds what is left)
  if bash scripts/fuzz.sh "${HIPAA_FUZZ_SECONDS:-10}"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi

if [ -n "$lint_pid" ]; then
  stage "lint (clang-format, clang-tidy)"
  if wait "$lint_pid"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  cat "$state/lint.log"
  lint_pid=""
fi

echo "== done in $(( $(date +%s) - start )) s"
echo "summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
