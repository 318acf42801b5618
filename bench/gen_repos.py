#!/usr/bin/env python3
"""Generate a fleet of small bare git repositories for bench/sweep.sh.

Usage:
    gen_repos.py --out DIR --feeds DIR [-n 1000] [--commits 20] [--seed 1]
                 [--patterns FILE]

Python 3 standard library and `git fast-import`.  Each repository is a
bare repository DIR/rNNNNN.git whose main branch has COMMITS commits, each
changing package-lock.json (v3, two-space indented as npm writes it, about
40 packages with made-up names resolved from https://registry.npm.test/).
One repository in ten locks a compromised version taken from the feeds in
DIR for a few commits in the middle of its history and then drops it, as
an incident leaves a fleet.  Dates are fixed (after the feeds' publish date
minus 30 days), so runs are repeatable.

--patterns FILE writes the fixed strings the shell-loop baseline greps for:
one "NAME/-/BASE-VERSION.tgz" tarball path per exact version in the feeds.
"""

import argparse
import glob
import json
import os
import random
import subprocess
import sys

T0 = 1785000000  # 2026-07-25T17:20:00Z


def tarball(name, version):
    return "%s/-/%s-%s.tgz" % (name, name.split("/")[-1], version)


def lockfile(pkgs):
    packages = {"": {"name": "app", "version": "1.0.0",
                     "dependencies": {n: "^" + v for n, v in pkgs}}}
    for n, v in pkgs:
        packages["node_modules/" + n] = {
            "version": v,
            "resolved": "https://registry.npm.test/" + tarball(n, v),
            "integrity": "sha512-" + ("%064x" % (hash((n, v)) & (2**256 - 1)))[:86] + "==",
        }
    return json.dumps({"name": "app", "version": "1.0.0", "lockfileVersion": 3,
                       "requires": True, "packages": packages}, indent=2) + "\n"


def blob(text):
    data = text.encode()
    return b"data %d\n" % len(data) + data + b"\n"


def stream(rng, commits, bad):
    pool = ["lib-%03d" % i for i in range(300)]
    names = sorted(rng.sample(pool, 40))
    vers = {n: [1, rng.randrange(10), rng.randrange(10)] for n in names}
    out = []
    lo = hi = -1
    if bad:
        lo = rng.randrange(2, commits // 2)
        hi = lo + rng.randrange(1, commits // 2)
    for c in range(commits):
        n = rng.choice(names)
        vers[n][2] += 1
        pkgs = [(x, "%d.%d.%d" % tuple(vers[x])) for x in names]
        if bad and lo <= c < hi:
            pkgs.append(bad)
            pkgs.sort()
        t = T0 + c * 3600
        msg = b"bump %s" % n.encode()
        out.append(b"commit refs/heads/main\nmark :%d\n" % (c + 1))
        out.append(b"author Bench <bench@example.test> %d +0000\n" % t)
        out.append(b"committer Bench <bench@example.test> %d +0000\n" % t)
        out.append(b"data %d\n%s\n" % (len(msg), msg))
        if c:
            out.append(b"from :%d\n" % c)
        out.append(b"M 100644 inline package-lock.json\n")
        out.append(blob(lockfile(pkgs)))
    return b"".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--feeds", required=True)
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--commits", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--patterns")
    a = ap.parse_args()
    bad = []
    for f in sorted(glob.glob(os.path.join(a.feeds, "*.json"))):
        for p in json.load(open(f)).get("packages", []):
            for v in p.get("versions", []):
                bad.append((p["name"], v))
    if a.patterns:
        with open(a.patterns, "w") as f:
            for n, v in bad:
                f.write(tarball(n, v) + "\n")
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
    for i in range(a.n):
        path = os.path.join(a.out, "r%05d.git" % i)
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", path],
                       check=True, env=env)
        data = stream(rng, a.commits, rng.choice(bad) if i % 10 == 3 else None)
        subprocess.run(["git", "-C", path, "fast-import", "--quiet"], input=data,
                       check=True, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
