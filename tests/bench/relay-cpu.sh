#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark: Janus CPU seconds per relayed RTP packet, stock VideoRoom vs the hipaa room, same load
# (R rooms, each N publishers -> M subscribers, headless Chromium pages, fake camera + microphone, the
# same VideoRoom page code; the hipaa side adds a development token per page) in one run.
#   tests/bench/relay-cpu.sh [BUILD_DIR] [N] [M] [SECONDS] [ROUNDS] [R] [all|others]
#   (root; defaults: build 2 2 15 1 1 all). `others`: subscriber i gets every publisher of its room
#   but publisher i, so `2 2 ... 4 others` is four simultaneous 1:1 consults. Loads (results: docs/benchmarks.md):
#     2 2 15 3            2 publishers x 2 subscribers
#     1 8 15 3            1 publisher -> 8 subscribers
#     2 2 15 3 4 others   4 simultaneous 1:1 consults
# BASELINE_BUILD=DIR adds a third side per round: the hipaa room built in DIR (e.g. the code before a
# change), so before and after are measured in the same run. PERF=1 also samples Janus with perf over
# each window (4999 Hz) and reports the plugin's own share (its modules' samples) per relayed packet: at these
# packet rates the plugin is a small part of Janus' CPU, below the noise of the whole-process figure.
# Each side gets its own Janus in its own network namespace (scripts/netns-run.sh), one after the
# other; with ROUNDS > 1 the sides alternate (stock, room, [baseline,] stock, ...) so that a change in
# the machine's load hits all. Prints one `BENCH` json line per side and round (with the 1-minute load
# average when it started), then the medians and
#   ratio room/stock: R   (target <= 1.0)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}; n=${2:-2}; m=${3:-2}; secs=${4:-15}; rounds=${5:-1}; rooms=${6:-1}; subscribe=${7:-all}
baseline=${BASELINE_BUILD:-}; perf=${PERF:+--perf}
bash "$root/scripts/e2e-deps.sh" >/dev/null
log=$(mktemp /tmp/relay-cpu-XXXXXX.log)
trap 'rm -f "$log"' EXIT
side() {  # side PLUGIN BUILD -> prints the BENCH json (empty if the side failed; its log tail on stderr)
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  JANUS_DEBUG_LEVEL=3 "$root/scripts/netns-run.sh" "$root/tests/e2e/with-janus.sh" "$2" -- bash -c \
    'node "$0/tests/e2e/bench-relay.js" --janus "$JANUS_HTTP" --admin "$JANUS_ADMIN" --admin-secret "$JANUS_ADMIN_SECRET" \
       --janus-pid "$JANUS_PID" --conf "$JANUS_CONF" --rooms "$5" --publishers "$1" --subscribers "$2" --subscribe "$6" \
       --seconds "$3" --plugin "$4" $7' \
    "$root" "$n" "$m" "$secs" "$1" "$rooms" "$subscribe" "$perf" >"$log" 2>&1 || true
  if ! grep -q '^BENCH ' "$log"; then echo "relay-cpu: $1 side failed:" >&2; tail -8 "$log" >&2; return 0; fi
  [ -z "$perf" ] || sed -n '/plugin samples/,/^BENCH /{/^BENCH /!p}' "$log" >&2  # its busiest functions
  sed -n 's/^BENCH //p' "$log" | jq -c --arg load "$load" '. + {loadAverage: ($load | tonumber)}'
}
summary() {  # summary NAME JSON...
  local name=$1; shift
  echo "$name: $(jq -r '"\(.rooms) x (\(.publishers) pub x \(.subscribers) sub, \(.subscribe)), \(.relayedPackets) packets relayed in \(.windowSeconds) s, Janus CPU \(.cpuSeconds) s, \(.cpuUsPerPacket) us/packet" + (if .pluginUsPerPacket then ", plugin \(.pluginSharePercent)% = \(.pluginUsPerPacket) us/packet" else "" end) + ", load \(.loadAverage)"' <<<"$1")"
}
stock_us=(); room_us=(); base_us=(); stock_pl=(); room_pl=(); base_pl=()
plugin_us() { jq -r '.pluginUsPerPacket // empty' <<<"$1"; }
for r in $(seq 1 "$rounds"); do
  s=$(side janus.plugin.videoroom "$build"); echo "stock $s"
  [ -n "$s" ] && { summary "  round $r janus.plugin.videoroom " "$s"; stock_us+=("$(jq -r .cpuUsPerPacket <<<"$s")"); stock_pl+=($(plugin_us "$s")); }
  h=$(side janus.plugin.hipaa.room "$build"); echo "room  $h"
  [ -n "$h" ] && { summary "  round $r janus.plugin.hipaa.room" "$h"; room_us+=("$(jq -r .cpuUsPerPacket <<<"$h")"); room_pl+=($(plugin_us "$h")); }
  if [ -n "$baseline" ]; then
    b=$(side janus.plugin.hipaa.room "$baseline"); echo "base  $b"
    [ -n "$b" ] && { summary "  round $r hipaa.room (baseline)  " "$b"; base_us+=("$(jq -r .cpuUsPerPacket <<<"$b")"); base_pl+=($(plugin_us "$b")); }
  fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR==0) print ""; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ms=$(median "${stock_us[@]}"); mr=$(median "${room_us[@]}")
load="${rooms} room(s) x ${n} pub x ${m} sub (${subscribe}), ${secs} s windows, ${rounds} round(s)"
echo "median us/packet: janus.plugin.videoroom ${ms:-n/a}, janus.plugin.hipaa.room ${mr:-n/a} ($load)"
if [ -n "$perf" ]; then
  echo "median plugin us/packet (perf): janus.plugin.videoroom $(median "${stock_pl[@]}"), janus.plugin.hipaa.room $(median "${room_pl[@]}")$([ -n "$baseline" ] && echo ", baseline build $(median "${base_pl[@]}")")"
fi
if [ -n "$baseline" ]; then
  mb=$(median "${base_us[@]}")
  echo "median us/packet: hipaa.room baseline build ${mb:-n/a}"
  [ -n "$mb" ] && [ -n "$ms" ] && echo "ratio baseline/stock: $(awk -v a="$mb" -v b="$ms" 'BEGIN {printf "%.2f", a / b}')"
fi
if [ -n "$ms" ] && [ -n "$mr" ]; then
  ratio=$(awk -v a="$mr" -v b="$ms" 'BEGIN {printf "%.2f", a / b}')
  echo "ratio room/stock: $ratio   (target <= 1.0)"
else
  echo "ratio room/stock: n/a (a side did not relay; see above)"; exit 1
fi
