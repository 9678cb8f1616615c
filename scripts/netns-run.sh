#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command inside a fresh network namespace, so that media tests never send a packet off the
# machine nor to the host's own addresses: `lo` up (HTTP/Admin API, static pages on 127.0.0.1) and a
# veth pair with veth0 = 10.99.0.1/24 for ICE. Janus never offers 127.0.0.1 candidates, so both Janus
# and Chromium gather 10.99.0.1 and ICE pairs it with itself. The namespace, its interfaces and any
# socket in it disappear when the command (and every process it started) exits.
#   scripts/netns-run.sh COMMAND [ARGS...]      (root: unshare -n needs CAP_SYS_ADMIN)
# Also used as the CROSSCOMPILING_EMULATOR of media gtests, so ctest runs the whole test binary
# (its Janus and its Chromium) inside one namespace.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
if [ -n "${HIPAA_NETNS:-}" ]; then exec "$@"; fi   # already inside one: nest nothing
if [ "$(id -u)" -ne 0 ]; then echo "netns-run: needs root (unshare -n)" >&2; exit 1; fi
export HIPAA_NETNS=10.99.0.1
exec unshare --net -- bash -c '
  set -euo pipefail
  ip link set lo up
  ip link add veth0 type veth peer name veth1
  ip addr add 10.99.0.1/24 dev veth0
  ip link set veth1 up
  ip link set veth0 up
  # The address must be usable (DAD done, link up) before Janus or Chromium enumerate interfaces.
  for _ in $(seq 1 50); do
    ip -4 addr show dev veth0 | grep -q "10.99.0.1/24" && ip link show veth0 | grep -q "state UP" && break
    sleep 0.1
  done
  exec "$@"
' netns-run "$@"
