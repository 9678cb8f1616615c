#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts a local PostgreSQL and Janus with all four
# janus-hipaa plugins (sample configs, loopback only), prints where to reach them, and stops them all
# on Ctrl-C. State (database, keys, admin secret) lives in .state/ and is reused by the next run.
#   HIPAA_HTTP_PORT (8088)  HIPAA_ADMIN_PORT (7088)  HIPAA_PG_PORT (15432)  HIPAA_STATE_DIR (.state)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
http_port=${HIPAA_HTTP_PORT:-8088}; admin_port=${HIPAA_ADMIN_PORT:-7088}; pg_port=${HIPAA_PG_PORT:-15432}
state=${HIPAA_STATE_DIR:-"$root/.state"}
mkdir -p "$state"; chmod 755 "$state"

bash scripts/deps.sh
bash scripts/build.sh build

janus_pid=""
stop_all() {
  trap - INT TERM EXIT
  echo; echo "run: stopping"
  if [ -n "$janus_pid" ] && kill -0 "$janus_pid" 2>/dev/null; then
    kill -INT "$janus_pid"; wait "$janus_pid" 2>/dev/null || true
  fi
  bash scripts/pg.sh stop "$state/pg"
  echo "run: stopped (state kept in $state)"
}
trap stop_all INT TERM EXIT

conninfo=$(bash scripts/pg.sh start "$state/pg" "$pg_port")
bash scripts/migrate.sh "$conninfo"
bash scripts/janus-conf.sh "$state/janus" build "$http_port" "$admin_port" >/dev/null

for p in "$http_port" "$admin_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "run: port $p is already in use (another Janus?). Set HIPAA_HTTP_PORT / HIPAA_ADMIN_PORT." >&2; exit 1
  fi
done

janus -F "$state/janus" -o > "$state/janus.log" 2>&1 &
janus_pid=$!
secret=$(cat "$state/janus/admin_secret")
info=""
for _ in $(seq 1 100); do
  kill -0 "$janus_pid" 2>/dev/null || { echo "run: Janus exited:"; tail -30 "$state/janus.log"; exit 1; }
  info=$(curl -sf -X POST -d "{\"janus\":\"info\",\"transaction\":\"run\",\"admin_secret\":\"$secret\"}" \
           "http://127.0.0.1:$admin_port/admin" || true)
  [ -n "$info" ] && break
  sleep 0.2
done
[ -n "$info" ] || { echo "run: Janus did not answer"; tail -30 "$state/janus.log"; exit 1; }

cat <<TXT

janus-hipaa is running (loopback only):
  Janus API    http://127.0.0.1:$http_port/janus
  Admin API    http://127.0.0.1:$admin_port/admin   (admin_secret in $state/janus/admin_secret)
  PostgreSQL   $conninfo
  Configs      $state/janus   (log: $state/janus.log)
Loaded:
TXT
jq -r '(.plugins | keys[] | select(test("hipaa")) | "  plugin         " + .),
       (.events  | keys[] | select(test("hipaa")) | "  event handler  " + .)' <<<"$info"
echo
echo "Ctrl-C stops Janus and PostgreSQL."
wait "$janus_pid" || true
