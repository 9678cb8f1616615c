#!/usr/bin/env bash
# Benchmark (issue 5): Janus CPU seconds per relayed RTP packet, stock VideoRoom vs the hipaa room,
# same load (N publishers -> M subscribers, headless Chromium pages, fake camera + microphone) in one run.
#   tests/bench/relay-cpu.sh [BUILD_DIR] [N] [M] [SECONDS]      (root; defaults: build 2 2 15)
# Each side gets its own Janus in its own network namespace (scripts/netns-run.sh), one after the other.
# Today only the stock VideoRoom side runs: janus.plugin.hipaa.room does not relay media yet.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}; n=${2:-2}; m=${3:-2}; secs=${4:-15}
bash "$root/scripts/e2e-deps.sh" >/dev/null
side() {  # side PLUGIN -> prints the BENCH json
  "$root/scripts/netns-run.sh" "$root/tests/e2e/with-janus.sh" "$build" -- bash -c \
    'node "$0/tests/e2e/bench-relay.js" --janus "$JANUS_HTTP" --admin "$JANUS_ADMIN" --admin-secret "$JANUS_ADMIN_SECRET" \
       --janus-pid "$JANUS_PID" --publishers "$1" --subscribers "$2" --seconds "$3" --plugin "$4"' \
    "$root" "$n" "$m" "$secs" "$1" | sed -n 's/^BENCH //p'
}
stock=$(JANUS_DEBUG_LEVEL=3 side janus.plugin.videoroom)
echo "stock   $stock"
us_stock=$(jq -r .cpuUsPerPacket <<<"$stock")
echo "janus.plugin.videoroom: $(jq -r '"\(.publishers) pub x \(.subscribers) sub, \(.relayedPackets) packets relayed in \(.windowSeconds) s, Janus CPU \(.cpuSeconds) s"' <<<"$stock"), ${us_stock} us/packet"
# TODO(issue 5): room=$(side janus.plugin.hipaa.room) once it relays media (the page needs its token +
# admit step), then print ratio = room.cpuUsPerPacket / stock.cpuUsPerPacket (target <= 1.0).
echo "janus.plugin.hipaa.room: not measured (no media relay yet); ratio: n/a"
