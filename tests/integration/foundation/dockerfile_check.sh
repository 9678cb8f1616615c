#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The rules of scripts/docker/Dockerfile that matter here, checked without a Docker engine (hadolint
# is not packaged for Debian 12 and not on npm; docs/deployment.md, "What was checked here"):
#   - every base image pinned to a version (no bare name, no :latest);
#   - apt-get: -y and --no-install-recommends, update and rm -rf /var/lib/apt/lists/* in the same RUN;
#   - no ADD (no remote URLs, no unpacking); no COPY of secret-looking paths; COPY of the whole
#     context only with a .dockerignore beside it; no secret-looking ENV/ARG;
#   - the final stage runs as a named non-root USER with a fixed uid (key files and volumes are
#     owned by that uid);
#   - the build stage installs the -dev package of every library CMake looks for outside tests/;
#   - with BUILD_DIR: every shared library our modules need is in the runtime stage's packages or
#     their dependencies (Debian's apt-cache, so the package lists must be there).
#   dockerfile_check.sh SOURCE_DIR [BUILD_DIR]
set -euo pipefail
src=${1:?source dir}; build=${2:-}
python3 - "$src" "$build" <<'PY'
import glob, os, re, subprocess, sys

src, build = sys.argv[1], sys.argv[2]
path = os.path.join(src, "scripts/docker/Dockerfile")
text = open(path).read()
fails = []
fail = fails.append

# Instructions with continuation lines joined, comments dropped.
lines, cur = [], ""
for raw in text.splitlines():
    if not cur and raw.lstrip().startswith("#"):
        continue
    if raw.rstrip().endswith("\\"):
        cur += raw.rstrip()[:-1] + " "
        continue
    cur += raw
    if cur.strip():
        lines.append(cur.strip())
    cur = ""
stages, aliases = [], set()
for ins in lines:
    op, _, arg = ins.partition(" ")
    op = op.upper()
    if op == "FROM":
        w = arg.split()
        image = w[0]
        if len(w) >= 3 and w[1].upper() == "AS":
            aliases.add(w[2])
        if image not in aliases:
            name, _, tag = image.partition("@")[0].rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
            if "@sha256:" not in image and (not tag or tag == "latest" or not re.search(r"\d", tag)):
                fail("FROM %s: base image not pinned to a version" % image)
        stages.append({"from": image, "ins": []})
    elif stages:
        stages[-1]["ins"].append((op, arg))
    elif op != "ARG":
        fail("%s before the first FROM" % op)

secretish = re.compile(r"(\.state|deploy|secret|passw|\.pgpass|\.key\b|\.pem\b|token|keyring)", re.I)
for st in stages:
    for op, arg in st["ins"]:
        if op == "ADD":
            fail("ADD %s: use COPY (ADD fetches URLs and unpacks archives)" % arg)
        if op == "COPY":
            srcs = [w for w in arg.split() if not w.startswith("--")][:-1]
            for s in srcs:
                if secretish.search(s):
                    fail("COPY %s: a secret-looking path goes into the image" % s)
                if s in (".", "./") and not os.path.isfile(os.path.join(src, ".dockerignore")):
                    fail("COPY . without a .dockerignore: keys and databases of the work tree go into the image")
        if op in ("ENV", "ARG") and re.search(r"(PASSWORD|SECRET|TOKEN|_KEY)\b", arg, re.I):
            fail("%s %s: secrets never in the image's environment or build arguments" % (op, arg))
        if op == "RUN":
            for cmd in re.split(r"&&|;|\|\|", arg):
                w = cmd.split()
                if w[:2] == ["apt-get", "install"] or w[:1] == ["apt-get"] and "install" in w:
                    if "--no-install-recommends" not in w:
                        fail("RUN apt-get install without --no-install-recommends: %s" % cmd.strip()[:80])
                    if not ({"-y", "-yq", "-qy", "--yes", "--assume-yes"} & set(w)):
                        fail("RUN apt-get install without -y: %s" % cmd.strip()[:80])
            if "apt-get update" in arg and "rm -rf /var/lib/apt/lists/*" not in arg:
                fail("RUN with apt-get update leaves /var/lib/apt/lists in the layer")
            if "apt-get install" in arg and "apt-get update" not in arg:
                fail("RUN apt-get install without apt-get update in the same RUN (stale cached lists)")
if not stages:
    fail("no FROM")
final = stages[-1]["ins"] if stages else []
users = [a.split()[0] for op, a in final if op == "USER"]
if not users or users[-1].split(":")[0] in ("root", "0"):
    fail("final stage: no USER, Janus would run as root")
else:
    u = users[-1].split(":")[0]
    adds = [a for op, a in final if op == "RUN" and re.search(r"\buseradd\b.*\b%s\b" % re.escape(u), a)]
    if not adds or not re.search(r"--uid\s+\S+", adds[0]):
        fail("final stage: USER %s is not created with a fixed --uid (key files and volumes are owned by it)" % u)


def stage_packages(st):
    pk = []
    for op, a in st["ins"]:
        if op == "RUN":
            for cmd in re.split(r"&&|;", a):
                w = cmd.split()
                if "apt-get" in w and "install" in w:
                    pk += [x for x in w[w.index("install") + 1:] if not x.startswith("-")]
    return pk


def owners(files):
    """path -> set of Debian packages that ship it (one dpkg -S for all)."""
    out = {f: set() for f in files}
    if not files:
        return out
    res = subprocess.run(["dpkg", "-S"] + sorted(files), capture_output=True, text=True).stdout
    for l in res.splitlines():
        pk, _, path = l.partition(": ")
        if path in out:
            out[path] |= {x.strip().split(":")[0] for x in pk.split(",")}
    return out


# Build stage: every pkg-config module and package CMake asks for outside tests/.
builds = [s for s in stages if any(op == "RUN" and "cmake" in a for op, a in s["ins"])]
if builds:
    have = set(stage_packages(builds[0]))
    mods = set()
    for cm in glob.glob(os.path.join(src, "**/CMakeLists.txt"), recursive=True):
        rel = os.path.relpath(cm, src)
        if rel.startswith(("tests/", "build")):
            continue
        for m in re.finditer(r"pkg_check_modules\(\s*\w+\s+(?:REQUIRED\s+)?(?:IMPORTED_TARGET\s+)?([\w.+-]+)", open(cm).read()):
            mods.add(m.group(1))
    pcs = {}
    for m in sorted(mods):
        pc = subprocess.run(["pkg-config", "--variable=pcfiledir", m], capture_output=True, text=True).stdout.strip()
        pcs[m] = os.path.join(pc, m + ".pc") if pc else ""
    found = owners([p for p in pcs.values() if p])
    for m in sorted(mods):
        pkgs = found.get(pcs[m], set())
        if not pkgs:
            fail("pkg-config module %s: no Debian package found for it here" % m)
        elif not pkgs & have:
            fail("build stage: CMake needs %s (Debian %s), not installed there" % (m, " or ".join(sorted(pkgs))))
    for need, why in (("libssl-dev", "find_package(OpenSSL)"), ("janus-dev", "Janus' plugin headers"), ("cmake", "cmake")):
        if need not in have:
            fail("build stage: %s missing (%s)" % (need, why))

# Runtime stage: the libraries the built modules link against come with its packages.
mods = glob.glob(os.path.join(build, "plugins/*/libjanus_hipaa_*.so")) if build else []
if build and not mods:
    fail("%s has no built modules to check" % build)
if mods and stages:
    runtime = stage_packages(stages[-1])
    dep = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
                          "--no-breaks", "--no-replaces", "--no-enhances"] + runtime, capture_output=True, text=True).stdout
    closure = {l.strip().split(":")[0] for l in dep.splitlines() if l and not l.startswith(" ")}
    closure |= set(runtime)
    libs = set()
    for m in mods + glob.glob(os.path.join(build, "common/libhipaa_common.so*")):
        out = subprocess.run(["ldd", m], capture_output=True, text=True).stdout
        for l in out.splitlines():
            mm = re.match(r"\s*(\S+) => (/\S+)", l)
            if mm and "hipaa" not in mm.group(1):
                libs.add(os.path.realpath(mm.group(2)))
    # Debian 12 merged /lib into /usr/lib; dpkg knows some files by their /lib path.
    found = owners(libs | {l.replace("/usr/lib/", "/lib/", 1) for l in libs})
    for lib in sorted(libs):
        pk = found[lib] or found[lib.replace("/usr/lib/", "/lib/", 1)]
        if not pk:
            fail("runtime: %s belongs to no Debian package here" % lib)
        elif not pk & closure:
            fail("runtime stage: %s (Debian %s) is not installed with %s" % (lib, " or ".join(sorted(pk)), " ".join(runtime)))

for m in fails:
    print("FAIL:", m)
if fails:
    sys.exit(1)
print("dockerfile ok (%d stages, %d libraries checked)" % (len(stages), len(libs) if mods else 0))
PY
