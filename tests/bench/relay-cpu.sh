#!/usr/bin/env bash
# Benchmark (issue 5): Janus CPU seconds per relayed RTP packet, stock VideoRoom vs the hipaa room,
# same load (N publishers -> M subscribers, headless Chromium pages, fake camera + microphone, the same
# VideoRoom page code; the hipaa side adds a development token per page) in one run.
#   tests/bench/relay-cpu.sh [BUILD_DIR] [N] [M] [SECONDS] [ROUNDS]   (root; defaults: build 2 2 15 1)
# Each side gets its own Janus in its own network namespace (scripts/netns-run.sh), one after the
# other; with ROUNDS > 1 the sides alternate (stock, room, stock, room, ...) so that a change in the
# machine's load hits both. Prints one `BENCH` json line per side and round, then the medians and
#   ratio room/stock: R   (target <= 1.0)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}; n=${2:-2}; m=${3:-2}; secs=${4:-15}; rounds=${5:-1}
bash "$root/scripts/e2e-deps.sh" >/dev/null
log=$(mktemp /tmp/relay-cpu-XXXXXX.log)
trap 'rm -f "$log"' EXIT
side() {  # side PLUGIN -> prints the BENCH json (empty if the side failed; its log tail on stderr)
  JANUS_DEBUG_LEVEL=3 "$root/scripts/netns-run.sh" "$root/tests/e2e/with-janus.sh" "$build" -- bash -c \
    'node "$0/tests/e2e/bench-relay.js" --janus "$JANUS_HTTP" --admin "$JANUS_ADMIN" --admin-secret "$JANUS_ADMIN_SECRET" \
       --janus-pid "$JANUS_PID" --conf "$JANUS_CONF" --publishers "$1" --subscribers "$2" --seconds "$3" --plugin "$4"' \
    "$root" "$n" "$m" "$secs" "$1" >"$log" 2>&1 || true
  if ! grep -q '^BENCH ' "$log"; then echo "relay-cpu: $1 side failed:" >&2; tail -8 "$log" >&2; return 0; fi
  sed -n 's/^BENCH //p' "$log"
}
summary() {  # summary NAME JSON...
  local name=$1; shift
  echo "$name: $(jq -r '"\(.publishers) pub x \(.subscribers) sub, \(.relayedPackets) packets relayed in \(.windowSeconds) s, Janus CPU \(.cpuSeconds) s, \(.cpuUsPerPacket) us/packet"' <<<"$1")"
}
stock_us=(); room_us=()
for r in $(seq 1 "$rounds"); do
  s=$(side janus.plugin.videoroom); echo "stock $s"
  [ -n "$s" ] && { summary "  round $r janus.plugin.videoroom " "$s"; stock_us+=("$(jq -r .cpuUsPerPacket <<<"$s")"); }
  h=$(side janus.plugin.hipaa.room); echo "room  $h"
  [ -n "$h" ] && { summary "  round $r janus.plugin.hipaa.room" "$h"; room_us+=("$(jq -r .cpuUsPerPacket <<<"$h")"); }
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR==0) print ""; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ms=$(median "${stock_us[@]}"); mr=$(median "${room_us[@]}")
echo "median us/packet: janus.plugin.videoroom ${ms:-n/a}, janus.plugin.hipaa.room ${mr:-n/a} (${n} pub x ${m} sub, ${secs} s windows, ${rounds} round(s))"
if [ -n "$ms" ] && [ -n "$mr" ]; then
  ratio=$(awk -v a="$mr" -v b="$ms" 'BEGIN {printf "%.2f", a / b}')
  echo "ratio room/stock: $ratio   (target <= 1.0)"
else
  echo "ratio room/stock: n/a (a side did not relay; see above)"; exit 1
fi
