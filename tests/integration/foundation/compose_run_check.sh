#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# docker-compose.yml's services started without Docker, as close to the containers as one host gets:
# scripts/docker/setup.sh makes the deployment folder, and every service runs in its own mount
# namespace that carries its volumes, secrets (/run/secrets on a fresh tmpfs), bind mounts and
# image folders at the paths the compose file and the Dockerfile give them, all in one private
# network namespace (its loopback is "the host's network": the compose file's host ports). Janus is
# Debian's, with our modules installed from BUILD_DIR into the image's folders (overlays), run with
# the Dockerfile's CMD as its USER's uid. Stand-ins for what has no Debian binary here: PostgreSQL is
# scripts/pg.sh with the postgres image's superuser made from its secret; HAPI FHIR is a static
# responder on its port; nginx is Debian's nginx with the compose file's config.
# Checks: the one-shots (fhir-tls, db-init) succeed; Janus loads the four plugins with the rendered
# configs and secrets; the handlers run, log in as their own logins; the volume folders keep 0700
# for the Janus user and the audit spool is written; the FHIR base URL answers through the TLS proxy
# with the CA that Janus' ca_file names.
#   compose_run_check.sh SOURCE_DIR BUILD_DIR          (root: namespaces, overlays, uids)
set -euo pipefail
src=$(cd "${1:?source dir}" && pwd); build=$(cd "${2:?build dir}" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "compose_run_check: needs root (mount and network namespaces)"; exit 1; }
if [ -z "${HIPAA_COMPOSE_NS:-}" ]; then
  exec env HIPAA_COMPOSE_NS=1 unshare --net --mount --propagation private -- bash "$0" "$src" "$build"
fi
ip link set lo up
work=$(mktemp -d /tmp/hipaa-compose-XXXXXX); chmod 755 "$work"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  bash "$src/scripts/pg.sh" stop "$work/pg" >/dev/null 2>&1 || true
  [ -n "${HIPAA_KEEP_TEST_DIRS:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
docker-compose -f "$src/docker-compose.yml" config > "$work/compose.yml"
DESTDIR="$work/img" cmake --install "$build" >/dev/null
uid=$(sed -nE 's/^ARG JANUS_UID=([0-9]+)$/\1/p' "$src/scripts/docker/Dockerfile")
JANUS_UID=$uid bash "$src/scripts/docker/setup.sh" "$work/deploy" > "$work/setup.log" 2>&1 ||
  { cat "$work/setup.log"; echo "FAIL: setup.sh"; exit 1; }

# The plan: one shell script per service (mounts, then exec), written by the part that reads the
# compose file and the Dockerfile.
python3 - "$src" "$work" <<'PY'
import json, os, re, shlex, stat, sys, yaml

src, work = sys.argv[1], sys.argv[2]
cfg = yaml.safe_load(open(os.path.join(work, "compose.yml")))
svcs, named = cfg["services"], set((cfg.get("volumes") or {}).keys())
deploy_src, deploy = os.path.join(src, "deploy"), os.path.join(work, "deploy")
img = os.path.join(work, "img")

# The Dockerfile's final stage: its folders (install -d), USER (uid from useradd/ARG) and CMD.
text = open(os.path.join(src, "scripts/docker/Dockerfile")).read().replace("\\\n", " ")
final = re.split(r"(?m)^FROM\s", text)[-1]
args = dict(re.findall(r"(?m)^ARG\s+(\w+)=(\S+)", final))
expand = lambda s: re.sub(r'"?\$\{?(\w+)\}?"?', lambda m: args.get(m.group(1), m.group(0)), s)
user = re.findall(r"(?m)^USER\s+(\S+)", final)[-1]
uid = int(expand(re.search(r"useradd\b[^&]*--uid\s+(\S+)[^&]*\b%s\b" % user, final).group(1)))
cmd = json.loads(re.search(r"(?m)^CMD\s+(\[.*\])", final).group(1))
for run in re.findall(r"(?m)^RUN\s+(.*)$", final):
    for c in re.split(r"&&|;", run):
        w = c.split()
        if w[:1] != ["install"] or "-d" not in w:
            continue
        mode = w[w.index("-m") + 1]
        owner = uid if w[w.index("-o") + 1] == user else 0
        for p in [x for x in w if x.startswith("/")]:
            os.makedirs(img + p, exist_ok=True)
            os.chmod(img + p, int(mode, 8)); os.chown(img + p, owner, owner)
open(os.path.join(work, "janus-uid"), "w").write(str(uid))


def host_src(s):
    return deploy + s[len(deploy_src):] if s == deploy_src or s.startswith(deploy_src + "/") else s


def plan(name, command, run_as="0:0"):
    d = svcs[name]
    built = "build" in d
    layer = os.path.join(work, "skel", name)
    sh = ["set -e", "mount -t tmpfs -o mode=755 tmpfs /run", "mkdir -p /run/secrets",
          "mount --bind %s /etc/hosts" % shlex.quote(os.path.join(work, "hosts"))]
    binds = []
    for v in d.get("volumes", []) or []:
        p = v.split(":")
        s, t, ro = p[0], p[1], len(p) > 2 and "ro" in p[2].split(",")
        if s in named:
            vol = os.path.join(work, "vol", s)
            if not os.path.isdir(vol):   # a new volume copies the image folder's mode and owner
                os.makedirs(vol)
                ref = img + t if built and os.path.isdir(img + t) else None
                st = os.stat(ref) if ref else None
                os.chmod(vol, stat.S_IMODE(st.st_mode) if st else 0o755)
                os.chown(vol, st.st_uid if st else 0, st.st_gid if st else 0)
            s = vol
        binds.append((host_src(s), t, ro))
    for sec in d.get("secrets", []) or []:
        n = sec if isinstance(sec, str) else sec["source"]
        t = (None if isinstance(sec, str) else sec.get("target")) or n
        t = t if t.startswith("/") else "/run/secrets/" + t
        binds.append((host_src(cfg["secrets"][n]["file"]), t, True))
    # Mount points and image files missing on this host come from overlays of their nearest
    # existing folder (lower layers: the mount points, the image's files, the host's folder).
    lowers = [img] if built else []
    for s, t, _ in binds:
        if t.startswith("/run/"):
            sh.append(("mkdir -p %s" if os.path.isdir(s) else "touch %s") % shlex.quote(t))
            continue
        if os.path.exists(t) or (built and os.path.exists(img + t)):
            continue
        if os.path.isdir(s):
            os.makedirs(layer + t, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(layer + t), exist_ok=True); open(layer + t, "w").close()
    if os.path.isdir(layer):
        lowers.append(layer)
    anchors = set()
    for low in lowers:
        for dirpath, dirs, files in os.walk(low):
            for e in dirs + files:
                p = os.path.join(dirpath, e)[len(low):]
                if not os.path.lexists(p) and not p.startswith("/run/"):
                    anchors.add(os.path.dirname(p))
            dirs[:] = [x for x in dirs if os.path.lexists(os.path.join(dirpath, x)[len(low):])]
    for a in sorted(x for x in anchors if not any(x.startswith(y.rstrip("/") + "/") for y in anchors if y != x)):
        ls = ":".join(l + a for l in lowers if os.path.isdir(l + a)) + ":" + a
        sh.append("mount -t overlay overlay -o %s %s" % (shlex.quote("lowerdir=" + ls), shlex.quote(a)))
    for s, t, ro in binds:
        sh.append("mount --bind %s %s" % (shlex.quote(s), shlex.quote(t)))
        if ro:
            sh.append("mount -o remount,bind,ro %s" % shlex.quote(t))
    env = d.get("environment") or {}
    exports = " ".join("%s=%s" % (k, shlex.quote(str(v))) for k, v in env.items())
    u, g = run_as.split(":")
    sh.append("exec env %s setpriv --reuid=%s --regid=%s --clear-groups -- %s" % (
        exports, u, g, " ".join(shlex.quote(c) for c in command)))
    open(os.path.join(work, "svc-" + name + ".sh"), "w").write("\n".join(sh) + "\n")


open(os.path.join(work, "hosts"), "w").write("127.0.0.1 localhost %s\n" % " ".join(svcs))
for n, d in svcs.items():
    if "build" in d and not d.get("entrypoint"):
        plan(n, cmd, "%d:%d" % (uid, uid))
        open(os.path.join(work, "janus-service"), "w").write(n)
    elif d.get("entrypoint"):
        plan(n, d["entrypoint"] + (d.get("command") or []), d.get("user", "0:0"))
    elif str(d.get("image", "")).startswith("nginx:"):
        plan(n, ["nginx", "-g", "daemon off;"])
# What the stand-ins need to know.
pg = [n for n, d in svcs.items() if "POSTGRES_USER" in (d.get("environment") or {})][0]
e = svcs[pg]["environment"]
pwfile = host_src(cfg["secrets"][os.path.basename(e["POSTGRES_PASSWORD_FILE"])]["file"])
open(os.path.join(work, "pg.env"), "w").write("pg_port=%s\npg_user=%s\npg_db=%s\npg_pwfile=%s\n" % (
    e.get("PGPORT", "5432"), e["POSTGRES_USER"], e["POSTGRES_DB"], shlex.quote(pwfile)))
PY

fail() {
  echo "FAIL: $*"
  for l in "$work"/*.log; do [ -f "$l" ] && { echo "--- $(basename "$l")"; tail -25 "$l"; }; done
  exit 1
}
svc() {  # svc NAME [bg]: runs the service's plan; bg leaves it running
  if [ "${2:-}" = bg ]; then
    unshare --mount --propagation private -- bash "$work/svc-$1.sh" > "$work/$1.log" 2>&1 &
    pids+=($!)
  else
    unshare --mount --propagation private -- bash "$work/svc-$1.sh" > "$work/$1.log" 2>&1 || fail "$1 exited with $?"
  fi
}
[ "$(cat "$work/janus-uid")" = "$uid" ] || fail "the Dockerfile's USER is not uid $uid"
janus=$(cat "$work/janus-service")

# setup.sh made it: every compose secret exists, 0600, owned by the Janus uid when Janus reads it.
python3 - "$src" "$work" "$janus" "$uid" <<'PY' || fail "deployment folder"
import os, sys, yaml
src, work, janus, uid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
cfg = yaml.safe_load(open(os.path.join(work, "compose.yml")))
mine = {s if isinstance(s, str) else s["source"] for s in cfg["services"][janus].get("secrets", [])}
bad = []
for n, d in cfg["secrets"].items():
    p = os.path.join(work, "deploy", os.path.relpath(d["file"], os.path.join(src, "deploy")))
    if not os.path.isfile(p) or os.path.getsize(p) == 0:
        bad.append("%s: missing or empty" % n); continue
    st = os.stat(p)
    if st.st_mode & 0o077:
        bad.append("%s: mode %o" % (n, st.st_mode & 0o777))
    if n in mine and st.st_uid != uid:
        bad.append("%s: owned by %d, Janus runs as %d" % (n, st.st_uid, uid))
for m in bad:
    print(m)
sys.exit(1 if bad else 0)
PY

# PostgreSQL as the postgres image makes it: POSTGRES_USER a superuser with the secret's password,
# POSTGRES_DB owned by it, every TCP login by scram password (scripts/pg.sh's pg_hba).
. "$work/pg.env"
super=$(bash "$src/scripts/pg.sh" start "$work/pg" "$pg_port") || fail "PostgreSQL"
psql "$super" -qX -v ON_ERROR_STOP=1 -v u="$pg_user" -v db="$pg_db" -v pwfile="$pg_pwfile" >/dev/null <<'SQL' || fail "superuser"
SET log_statement = 'none';
\set pw `cat :'pwfile'`
SELECT format('CREATE ROLE %I SUPERUSER LOGIN PASSWORD %L', :'u', :'pw') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'u') \gexec
SQL

# The HAPI stand-in: its port inside the compose network (nginx proxies to it), a fixed answer.
mkdir -p "$work/hapi/fhir"
echo '{"resourceType":"CapabilityStatement","status":"active","fhirVersion":"4.0.1"}' > "$work/hapi/fhir/metadata"
python3 -m http.server 8080 --bind 127.0.0.1 --directory "$work/hapi" > "$work/hapi.log" 2>&1 &
pids+=($!)

svc fhir-tls
svc db-init
grep -q "db-init: schema migrated" "$work/db-init.log" || fail "db-init did not finish"
svc fhir-proxy bg
svc "$janus" bg

secret_file="$work/deploy/secrets/admin_secret"
admin() {  # the admin secret from its file, the request on stdin: never on a command line
  jq -n --rawfile s "$secret_file" "$1 + {transaction: \"t\", admin_secret: (\$s | rtrimstr(\"\n\"))}" |
    curl -sf --max-time 5 --data-binary @- http://127.0.0.1:7088/admin
}
info=""
for _ in $(seq 1 100); do
  info=$(admin '{janus: "info"}' 2>/dev/null) && break
  grep -q "Exiting\|Bye" "$work/$janus.log" 2>/dev/null && fail "Janus exited"
  sleep 0.1
done
[ -n "$info" ] || fail "Janus' Admin API did not answer on 127.0.0.1:7088"
for p in janus.plugin.hipaa.room janus.plugin.hipaa.recorder; do
  jq -e --arg p "$p" '.plugins[$p]' <<<"$info" >/dev/null || fail "$p not loaded"
  r=$(admin "{janus: \"message_plugin\", plugin: \"$p\", request: {request: \"info\"}}")
  jq -e '.response.version == "0.1.0"' <<<"$r" >/dev/null || fail "$p info: $r"
done
for h in janus.eventhandler.hipaa.audit janus.eventhandler.hipaa.fhir; do
  jq -e --arg h "$h" '.events[$h]' <<<"$info" >/dev/null || fail "$h not loaded"
  r=$(admin "{janus: \"query_eventhandler\", handler: \"$h\", request: {request: \"info\"}}")
  jq -e '.response.version == "0.1.0"' <<<"$r" >/dev/null || fail "$h is not running: $r"
done
[ "$(jq -r '.plugins | keys | map(select(test("hipaa") | not)) | length' <<<"$info")" = 0 ] ||
  fail "stock plugins loaded: $(jq -c '.plugins | keys' <<<"$info")"
jpid=$(pgrep -x -u "$uid" janus) || fail "no janus process of uid $uid"
# The handlers log in as their own logins, never as the superuser.
users=""
for _ in $(seq 1 50); do
  users=$(psql "$super" -qtAX -c "select string_agg(distinct usename, ' ' order by usename) from pg_stat_activity
    where datname = 'hipaa' and backend_type = 'client backend' and pid <> pg_backend_pid()")
  [ "$users" = "janus_audit_login janus_fhir_login" ] && break; sleep 0.1
done
[ "$users" = "janus_audit_login janus_fhir_login" ] || fail "handlers connected as: $users"
# Named volumes: 0700 for the Janus uid, and the audit handler wrote its head file into its spool.
for v in recordings exports audit-spool; do
  [ "$(stat -c '%a %u' "$work/vol/$v")" = "700 $uid" ] || fail "volume $v is $(stat -c '%a %u' "$work/vol/$v")"
done
ls "$work/vol/audit-spool/"*.head >/dev/null 2>&1 || fail "no head file in the audit spool volume"
# The FHIR handler's base URL through the TLS proxy, verified with the CA in its ca_file's volume.
base=$(sed -n 's/^\tbase_url = "\(.*\)"/\1/p' "$work/deploy/janus/janus.eventhandler.hipaa.fhir.jcfg")
ca=$(sed -n 's/^\tca_file = "\(.*\)"/\1/p' "$work/deploy/janus/janus.eventhandler.hipaa.fhir.jcfg")
[ "${ca#/var/lib/janus-hipaa/fhir-ca/}" != "$ca" ] || fail "ca_file $ca is not in the fhir-ca volume"
body=$(curl -sf --max-time 5 --cacert "$work/vol/fhir-ca/${ca#/var/lib/janus-hipaa/fhir-ca/}" "$base/metadata") ||
  fail "$base/metadata not reachable over verified HTTPS"
jq -e '.resourceType == "CapabilityStatement"' <<<"$body" >/dev/null || fail "proxy answered: $body"
[ "$(stat -c '%a %u' "$work/vol/fhir-tls/server.key")" = "600 0" ] || fail "server.key not 0600 root"
tr '\0' ' ' < "/proc/$jpid/cmdline" | grep -qF -- "$(cat "$secret_file")" && fail "admin secret in Janus' argv"
echo "compose run ok: $(jq -r '[.plugins, .events] | map(keys[]) | map(select(test("hipaa"))) | join(" ")' <<<"$info")"
