#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# docker-compose.yml, checked without a Docker engine: valid, every image pinned, and none of the
# deployment defects it once had (each check names the defect it guards against):
#   - a build context without .dockerignore (development keys, admin secret, database, build folders,
#     node_modules and test artifacts were sent to the image build);
#   - state that lives only in the container (the audit spool, recordings, exports);
#   - named volumes whose folder the image does not create 0700 for the Janus user (a new volume is
#     0755 root, which the recorder and the audit spool refuse or cannot write);
#   - the FHIR stand-in over plain HTTP (the FHIR handler speaks verified HTTPS only);
#   - migrations needing psql on the host; Janus given the database superuser's password;
#   - key files bind-mounted instead of passed as compose secrets;
#   - host ports that clash with Debian's PostgreSQL (5432) or scripts/run.sh (8090 demo page,
#     15432, 18443);
#   - operator examples in README.md and docs/ that put the admin secret on a command line.
# Seconds: docker-compose's parser and a few file reads; no image is pulled or built.
set -euo pipefail
f=${1:?docker-compose.yml}
f=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
root=$(dirname "$f")
rendered=$(mktemp); trap 'rm -f "$rendered"' EXIT
docker-compose -f "$f" config > "$rendered"
if grep -E '^\s*image:' "$f" | grep -vE ':[0-9A-Za-z._-]*[0-9][0-9A-Za-z._-]*\s*$'; then
  echo "unpinned image above"; exit 1
fi
grep -E '^\s*image:' "$f" | grep -q ':latest' && { echo "latest is not a pin"; exit 1; }

python3 - "$root" "$rendered" <<'PY'
import os, re, sys, yaml

root = sys.argv[1]
cfg = yaml.safe_load(open(sys.argv[2]))
svcs = cfg.get("services", {})
named = set((cfg.get("volumes") or {}).keys())
fails = []


def fail(msg):
    fails.append(msg)


def mounts(svc):
    """(source, target, read_only, kind) of a service's volumes, kind 'volume' or 'bind'."""
    out = []
    for v in svcs[svc].get("volumes", []) or []:
        if isinstance(v, dict):
            src, dst, ro = v.get("source", ""), v["target"], bool(v.get("read_only"))
        else:
            parts = v.split(":")
            src, dst = parts[0], parts[1]
            ro = len(parts) > 2 and "ro" in parts[2].split(",")
        out.append((src, dst, ro, "volume" if src in named else "bind"))
    return out


def secrets(svc):
    """target path -> secret name."""
    out = {}
    for s in svcs[svc].get("secrets", []) or []:
        name = s if isinstance(s, str) else s["source"]
        target = name if isinstance(s, str) else (s.get("target") or name)
        if not target.startswith("/"):
            target = "/run/secrets/" + target
        out[target] = name
    return out


def ports(svc):
    out = []
    for p in svcs[svc].get("ports", []) or []:
        if isinstance(p, dict):
            out.append((p.get("host_ip", ""), str(p.get("published", "")), str(p.get("target"))))
            continue
        p = str(p).split("/")[0]
        parts = p.split(":")
        if len(parts) == 3:
            out.append((parts[0], parts[1], parts[2]))
        elif len(parts) == 2:
            out.append(("", parts[0], parts[1]))
        else:
            out.append(("", "", parts[0]))
    return out


def sample_value(name, key):
    """Value of `key = "..."` in conf/<name>.sample (first uncommented line)."""
    for line in open(os.path.join(root, "conf", name)):
        m = re.match(r'\s*%s\s*=\s*"([^"]*)"' % re.escape(key), line)
        if m:
            return m.group(1)
    raise SystemExit("compose_check: %s has no %s" % (name, key))


def by_image(prefix):
    return [s for s, d in svcs.items() if str(d.get("image", "")).startswith(prefix)]


# Janus: the service built from this repository that runs the image's own command.
janus = [s for s, d in svcs.items() if "build" in d and not d.get("entrypoint")]
if len(janus) != 1:
    raise SystemExit("compose_check: expected one service running Janus from this repository's image, found %s" % janus)
janus = janus[0]
jd = svcs[janus]

# --- .dockerignore: what must never reach the image build (Docker sends the whole context).
ctx = jd["build"]["context"] if isinstance(jd["build"], dict) else jd["build"]
ignore = os.path.join(ctx, ".dockerignore")
must_skip = [".state/janus/admin_secret", ".state/janus/keys/pseudonym.key", ".state/pg/data/PG_VERSION",
             "deploy/secrets/pseudonym.key", "deploy/postgres/superuser-password", "build/CMakeCache.txt",
             "build-asan/CMakeCache.txt", "build-fuzz/corpus/x", "tests/e2e/node_modules/playwright-core/index.js",
             "tests/fhir-server/node_modules/@medplum/core/package.json", "tests/artifacts/shot.png", ".git/HEAD"]
if not os.path.isfile(ignore):
    fail(".dockerignore missing in the build context %s: keys, secrets, databases, build folders and "
         "node_modules go into every image build" % ctx)
else:
    pats = []
    for line in open(ignore):
        line = line.strip()
        if line and not line.startswith("#"):
            if line.startswith("!"):
                fail(".dockerignore: exceptions (%s) are not allowed here" % line)
            pats.append(line.strip("/"))

    def to_re(p):
        out, i = "", 0
        while i < len(p):
            if p.startswith("**", i):
                out += ".*"; i += 2
                if p.startswith("/", i):
                    out += "/?"; i += 1
            elif p[i] == "*":
                out += "[^/]*"; i += 1
            elif p[i] == "?":
                out += "[^/]"; i += 1
            else:
                out += re.escape(p[i]); i += 1
        return re.compile(out + "$")

    res = [to_re(p) for p in pats]
    for path in must_skip:
        parts = path.split("/")
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        if not any(r.match(x) for r in res for x in prefixes):
            fail(".dockerignore lets %s into the build context" % path)

# --- state that must outlive the container: named volumes at the sample configs' folders.
state_dirs = {
    "audit spool (spool.dir)": sample_value("janus.eventhandler.hipaa.audit.jcfg.sample", "dir"),
    "recordings (recordings_dir)": sample_value("janus.plugin.hipaa.recorder.jcfg.sample", "recordings_dir"),
    "exports (export_dir)": sample_value("janus.plugin.hipaa.recorder.jcfg.sample", "export_dir"),
}
jm = mounts(janus)
for what, d in state_dirs.items():
    if not any(t == d and k == "volume" and not ro for _, t, ro, k in jm):
        fail("%s: %s is not a named volume of %s (lost with the container)" % (what, d, janus))

# --- those folders exist in the image, 0700, owned by the user Janus runs as (a new named volume
# copies the image folder's mode and owner; otherwise it is 0755 root).
dockerfile = os.path.join(ctx, jd["build"].get("dockerfile", "Dockerfile") if isinstance(jd["build"], dict) else "Dockerfile")
text = open(dockerfile).read().replace("\\\n", " ")
final = re.split(r"(?m)^FROM\s", text)[-1]
users = re.findall(r"(?m)^USER\s+(\S+)", final)
user = users[-1].split(":")[0] if users else "root"
if user in ("root", "0"):
    fail("%s: the final stage runs Janus as root (no USER)" % os.path.relpath(dockerfile, root))
runs = re.findall(r"(?m)^RUN\s+(.*)$", final)
for _, t, ro, k in jm:
    if k != "volume" or ro:
        continue
    ok = False
    for r in runs:
        for cmd in re.split(r"&&|;", r):
            w = cmd.split()
            if w[:1] == ["install"] and "-d" in w and t in w:
                mode = w[w.index("-m") + 1] if "-m" in w else ""
                owner = w[w.index("-o") + 1] if "-o" in w else ""
                ok = ok or (mode.lstrip("0") == "700" and owner == user)
    if not ok:
        fail("named volume at %s: the image does not create it 0700 owned by %s (install -d -m 0700 -o %s ...); "
             "a new volume would be 0755 root" % (t, user, user))

# --- the FHIR stand-in behind a TLS-terminating proxy whose CA Janus trusts.
hapi = by_image("hapiproject/hapi:")
proxies = by_image("nginx:")
for h in hapi:
    if ports(h):
        fail("%s (plain HTTP) is published on the host; only the TLS proxy may reach it" % h)
if hapi and not proxies:
    fail("no TLS-terminating proxy (nginx) in front of %s: the FHIR handler accepts only HTTPS" % hapi[0])
for p in proxies:
    pm = mounts(p)
    conf = [s for s, t, _, k in pm if k == "bind" and t.endswith(".conf")]
    body = open(conf[0]).read() if conf and os.path.isfile(conf[0]) else ""
    listen = re.findall(r"(?m)^\s*listen\s+(?:[\d.]+:)?(\d+)\s+ssl", body)
    if not listen:
        fail("%s: no nginx config mounted with a `listen PORT ssl`" % p)
    for h in hapi:
        if not re.search(r"proxy_pass\s+http://%s:8080" % re.escape(h), body):
            fail("%s: its config does not proxy_pass to http://%s:8080" % (p, h))
        if h not in (svcs[p].get("depends_on") or {}):
            fail("%s does not depend on %s" % (p, h))
    pub = [(ip, hp) for ip, hp, tp in ports(p) if tp in listen]
    if not pub:
        fail("%s: its TLS port is not published for Janus (host network)" % p)
    for ip, hp in pub:
        if ip != "127.0.0.1":
            fail("%s: TLS port published on %s, not 127.0.0.1" % (p, ip or "every address"))
    tls_vols = {s for s, _, _, k in pm if k == "volume"}
    makers = [s for s in svcs if s != p and any(k == "volume" and not ro and src in tls_vols for src, _, ro, k in mounts(s))]
    if not tls_vols or not makers:
        fail("%s: its certificate does not come from a named volume that a one-shot service fills" % p)
    for m in makers:
        if svcs[m].get("restart", "no") not in ("no", None):
            fail("%s makes the certificate: a one-shot (restart: \"no\")" % m)
        for s in (p, janus):
            cond = ((svcs[s].get("depends_on") or {}).get(m) or {}).get("condition")
            if cond != "service_completed_successfully":
                fail("%s does not wait for %s to complete" % (s, m))
        ca_vols = {src for src, _, ro, k in mounts(m) if k == "volume" and not ro} - tls_vols
        if not any(k == "volume" and ro and src in ca_vols for src, _, ro, k in jm):
            fail("%s does not mount (read-only) the CA volume that %s writes, for the FHIR handler's ca_file" % (janus, m))

# --- migrations inside the compose project (no psql on the host), as the superuser; Janus never
# gets the superuser's password.
pg = [s for s in by_image("postgres:") if "POSTGRES_USER" in (svcs[s].get("environment") or {})]
if len(pg) != 1:
    fail("expected one PostgreSQL server service, found %s" % pg)
else:
    pg = pg[0]
    env = svcs[pg]["environment"]
    if "POSTGRES_PASSWORD" in env or not str(env.get("POSTGRES_PASSWORD_FILE", "")).startswith("/run/secrets/"):
        fail("%s: the superuser password must come from a secret file (POSTGRES_PASSWORD_FILE)" % pg)
    inits = [s for s, d in svcs.items() if s != pg and str(d.get("image", "")).startswith("postgres:")]
    if not inits:
        fail("no db-init service: migrations would need psql on the host")
    for s in inits:
        d = svcs[s]
        if ((d.get("depends_on") or {}).get(pg) or {}).get("condition") != "service_healthy":
            fail("%s does not wait for %s to be healthy" % (s, pg))
        if ((jd.get("depends_on") or {}).get(s) or {}).get("condition") != "service_completed_successfully":
            fail("%s does not wait for %s to complete" % (janus, s))
        entry = (d.get("entrypoint") or []) + (d.get("command") or [])
        for arg in entry:
            if not arg.startswith("/"):
                continue
            host = [os.path.join(src, os.path.relpath(arg, t)) for src, t, _, k in mounts(s)
                    if k == "bind" and arg.startswith(t.rstrip("/") + "/")]
            if not host or not os.path.isfile(host[0]):
                fail("%s runs %s, which no bind mount provides" % (s, arg))
    superuser = [n for n in secrets(pg).values()]
    for n in superuser:
        if n in secrets(janus).values():
            fail("%s gets the database superuser's password (%s)" % (janus, n))
    for src, t, _, k in jm:
        if k == "bind" and superuser and os.path.realpath(os.path.dirname((cfg["secrets"][superuser[0]]["file"]))).startswith(os.path.realpath(src)):
            fail("%s mounts %s, which holds the database superuser's password" % (janus, src))

# --- every key file the sample configs name reaches Janus as a compose secret, never a bind mount
# (janus.jcfg holds the admin secret; the development key is refused outside development).
need = {"janus.jcfg", "pg-audit.pgpass"}
for name in os.listdir(os.path.join(root, "conf")):
    if name.endswith(".sample"):
        for line in open(os.path.join(root, "conf", name)):
            if not line.lstrip().startswith("#"):
                need |= set(re.findall(r"/etc/janus/hipaa/([A-Za-z0-9._-]+)", line))
need.discard("dev-es256.pub.pem")
js = {os.path.basename(t): n for t, n in secrets(janus).items()}
for n in sorted(need):
    if n not in js:
        fail("%s: %s is not a compose secret" % (janus, n))
for src, t, _, k in jm:
    if k == "bind" and (t.startswith("/etc/janus/hipaa") or "keys" in os.path.basename(src.rstrip("/"))):
        fail("%s: key folder %s bind-mounted at %s (use compose secrets)" % (janus, src, t))
for n, d in (cfg.get("secrets") or {}).items():
    if "file" not in d:
        fail("secret %s: not from a file" % n)

# --- host ports: loopback only, none that Debian's PostgreSQL or scripts/run.sh use.
taken = {"5432": "Debian's PostgreSQL", "8090": "scripts/run.sh's demo page", "15432": "scripts/run.sh's PostgreSQL",
         "18443": "scripts/run.sh's FHIR test server"}
for s in svcs:
    for ip, hp, tp in ports(s):
        if hp in taken:
            fail("%s: host port %s clashes with %s" % (s, hp, taken[hp]))
        if ip != "127.0.0.1":
            fail("%s: port %s published on %s, not 127.0.0.1" % (s, hp or tp, ip or "every address"))

# --- operator examples never put the admin secret into a command line (ps shows argv to everyone).
docs = [os.path.join(root, "README.md")] + [os.path.join(root, "docs", n) for n in sorted(os.listdir(os.path.join(root, "docs"))) if n.endswith(".md")]
argv_secret = re.compile(r"""admin_secret\\?"\s*:\s*\\?"'?\$""")
for d in docs:
    for i, line in enumerate(open(d), 1):
        if argv_secret.search(line):
            fail("%s:%d puts the admin secret on a command line" % (os.path.relpath(d, root), i))

for m in fails:
    print("FAIL:", m)
sys.exit(1 if fails else 0)
PY
echo "compose ok"
