#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A throwaway PostgreSQL 15 cluster on a loopback port, for tests and run.sh.
#   scripts/pg.sh start DIR PORT   -> initdb if needed, start, create database "hipaa"
#   scripts/pg.sh stop DIR
# PostgreSQL refuses to run as root: the cluster belongs to the "postgres" user that Debian's
# package creates. Listens on 127.0.0.1 only; the socket lives inside DIR. Authentication
# (pg_hba.conf, rewritten at every start): the superuser "postgres" is trusted on loopback and on the
# socket (fixtures, migrations, scripts/db-login.sh); every other role needs its scram-sha-256
# password, so the handlers' logins (scripts/db-login.sh) connect with their password files.
# HIPAA_PG_FSYNC=off (scripts/test.sh) starts it without fsync and full-page writes: a third less time
# for the database-heavy tests; a killed server still loses nothing the tests can see (only an
# operating-system crash would). Benchmarks and scripts/run.sh keep the defaults.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?cluster folder}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
start)
  port=${3:?port}
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir" && chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
  fi
  hba="$dir/data/pg_hba.conf"
  want=$(printf '%s\n' "# written by scripts/pg.sh at every start" \
    "local all postgres trust" "host all postgres 127.0.0.1/32 trust" \
    "local all all scram-sha-256" "host all all 127.0.0.1/32 scram-sha-256")
  if [ "$(cat "$hba")" != "$want" ]; then
    printf '%s\n' "$want" | as_pg tee "$hba" >/dev/null
    as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 && as_pg "$bin/pg_ctl" -D "$dir/data" reload >/dev/null
  fi
  if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    opts="-p $port -k $dir -c listen_addresses=127.0.0.1"
    [ "${HIPAA_PG_FSYNC:-on}" = off ] && opts+=" -c fsync=off -c full_page_writes=off"
    as_pg "$bin/pg_ctl" -D "$dir/data" -o "$opts" -l "$dir/log" -w start >/dev/null
  fi
  psql "host=127.0.0.1 port=$port user=postgres dbname=postgres" -qtAc \
    "select 1 from pg_database where datname='hipaa'" | grep -q 1 ||
    psql "host=127.0.0.1 port=$port user=postgres dbname=postgres" -qc "create database hipaa" >/dev/null
  echo "host=127.0.0.1 port=$port user=postgres dbname=hipaa"
  ;;
stop)
  if [ -f "$dir/data/PG_VERSION" ]; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  fi
  ;;
*) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
