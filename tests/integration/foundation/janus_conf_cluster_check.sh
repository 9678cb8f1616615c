#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# scripts/janus-conf.sh's settings for one instance of several (the HIPAA_* variables scripts/cluster.sh
# sets): each lands where its plugin reads it, values that would break out of a jcfg string are
# refused, and without the variables the configs are what they were (no `cluster` category).
set -uo pipefail
root=${1:?source dir}
dir=$(mktemp -d /tmp/hipaa-conf-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
conf() { bash "$root/scripts/janus-conf.sh" "$dir/c" "$dir" 1 2 >/dev/null; }
room=$dir/c/janus.plugin.hipaa.room.jcfg rec=$dir/c/janus.plugin.hipaa.recorder.jcfg
audit=$dir/c/janus.eventhandler.hipaa.audit.jcfg fhir=$dir/c/janus.eventhandler.hipaa.fhir.jcfg
# category FILE NAME: that category's lines
category() { sed -n "/^$2: {/,/^}/p" "$1"; }

conf || fail "janus-conf.sh without the variables"
mkdir "$dir/before"; cp "$dir"/c/*.jcfg "$dir/before/"
grep -q '^cluster:' "$room" "$rec" && fail "a cluster category without HIPAA_*_CLUSTER_CONNINFO"

export JANUS_CONF_FORCE=1 HIPAA_INSTANCE_ID=janus-2 HIPAA_PUBLIC_URL=http://127.0.0.1:8189/janus
export HIPAA_ROOM_CLUSTER_CONNINFO="host=127.0.0.1 port=1 dbname=hipaa user=janus_room_login passfile=/k/pg-room.pgpass"
export HIPAA_RECORDER_CLUSTER_CONNINFO="host=127.0.0.1 port=1 dbname=hipaa user=janus_recorder_login passfile=/k/pg-recorder.pgpass"
export HIPAA_RECORDINGS_DIR=$dir/shared HIPAA_RECORDER_RTP_PORTS=21100-21199
conf || fail "janus-conf.sh with the variables"
c=$(category "$room" cluster)
[ "$(grep -c '^cluster: {' "$room")" = 1 ] || fail "room: not one cluster category"
grep -qxF "	conninfo = \"$HIPAA_ROOM_CLUSTER_CONNINFO\"" <<<"$c" || fail "room: conninfo: $c"
grep -qxF '	instance_id = "janus-2"' <<<"$c" || fail "room: instance_id: $c"
grep -qxF '	public_url = "http://127.0.0.1:8189/janus"' <<<"$c" || fail "room: public_url: $c"
c=$(category "$rec" cluster)
grep -qxF "	conninfo = \"$HIPAA_RECORDER_CLUSTER_CONNINFO\"" <<<"$c" || fail "recorder: conninfo: $c"
grep -qxF '	instance_id = "janus-2"' <<<"$c" || fail "recorder: instance_id: $c"
grep -q public_url <<<"$c" && fail "recorder: public_url is the room's only: $c"
c=$(category "$rec" general)
grep -qxF "	recordings_dir = \"$dir/shared\"" <<<"$c" || fail "recorder: recordings_dir: $c"
grep -qxF '	rtp_port_min = 21100' <<<"$c" || fail "recorder: rtp_port_min: $c"
grep -qxF '	rtp_port_max = 21199' <<<"$c" || fail "recorder: rtp_port_max: $c"
for f in "$audit" "$fhir"; do
  [ "$(category "$f" general | grep -c '^	instance_id = "janus-2"$')" = 1 ] || fail "$(basename "$f"): instance_id"
done

# Refused: a value that would end the jcfg string, and an id the FHIR handler would refuse at start.
HIPAA_ROOM_CLUSTER_CONNINFO='host=x" evil = "1' conf 2>/dev/null && fail "a quote in a conninfo accepted"
HIPAA_INSTANCE_ID=janus_2 conf 2>/dev/null && fail "an underscore in the instance id accepted"
HIPAA_RECORDER_RTP_PORTS=21100 conf 2>/dev/null && fail "rtp ports without a range accepted"

unset HIPAA_INSTANCE_ID HIPAA_PUBLIC_URL HIPAA_ROOM_CLUSTER_CONNINFO HIPAA_RECORDER_CLUSTER_CONNINFO HIPAA_RECORDINGS_DIR HIPAA_RECORDER_RTP_PORTS
conf || fail "janus-conf.sh again without the variables"
for f in "$dir"/before/*.jcfg; do cmp -s "$f" "$dir/c/$(basename "$f")" || fail "$(basename "$f") differs without the variables"; done
echo "janus-conf.sh cluster settings ok"
