#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# scripts/netns-run.sh gives an isolated namespace: only 127.0.0.1 and 10.99.0.1, no route off the
# veth subnet, none of the host's interfaces; nothing of it is left behind afterwards.
set -uo pipefail
netns=${1:?path to scripts/netns-run.sh}
fail=0
inside=$("$netns" bash -c 'echo "env=$HIPAA_NETNS"; ip -4 -o addr show | awk "{print \"addr=\" \$4}"; ip -4 route show | sed "s/^/route=/"; ip -o link show | awk -F": " "{print \"link=\" \$2}"')
echo "$inside"
addrs=$(grep '^addr=' <<<"$inside" | sort | tr '\n' ' ')
[ "$addrs" = "addr=10.99.0.1/24 addr=127.0.0.1/8 " ] || { echo "FAIL: addresses: $addrs"; fail=1; }
grep -q '^env=10.99.0.1$' <<<"$inside" || { echo "FAIL: HIPAA_NETNS not set"; fail=1; }
grep '^route=' <<<"$inside" | grep -qv '10.99.0.0/24' && { echo "FAIL: a route off the veth subnet"; fail=1; }
links=$(grep '^link=' <<<"$inside" | sed 's/@.*//' | sort | tr '\n' ' ')
[ "$links" = "link=lo link=veth0 link=veth1 " ] || { echo "FAIL: links: $links"; fail=1; }
# The host sees no veth left over from the namespace.
ip -o link show | grep -q 'veth0@veth1\|veth1@veth0' && { echo "FAIL: veth pair visible on the host"; fail=1; }
# The exit status of the command comes through.
"$netns" bash -c 'exit 7'; [ $? -eq 7 ] || { echo "FAIL: exit status not propagated"; fail=1; }
[ $fail -eq 0 ] && echo "netns ok"
exit $fail
