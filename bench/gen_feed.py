#!/usr/bin/env python3
"""Generate a large wormsign-feed/1 feed for bench/scan.sh.

Usage:
    gen_feed.py --lockfile FILE [-n N] [--seed S] [-o FILE]

Python 3 standard library only; the output depends only on the lockfile,
N and the seed, so two runs give the same bytes.  A summary goes to
standard error.

The feed has N package entries (100,000 by default), shaped like a big
merged IOC list run against a big lockfile (gen_lockfile.py's):

  * about half of the entries name a package of the lockfile, the other
    half names it does not have (unscoped and scoped), so that half of the
    lookups hit a name and must then compare versions;
  * versions mostly do not match: an entry lists 1 to 4 exact versions in
    a major the lockfile does not use (900 and up), or prereleases of
    the locked version (which a release does not match);
  * about 10% of the entries carry ranges instead of, or besides, exact
    versions (">=900.1.0 <900.3.0", "^901.2.0", "~902.0.1 || 903.x"),
    none matching;
  * about 1 entry in 2,000 does match: the locked version exactly, or a
    range around it, so the scan reports a few dozen findings and the
    matching path is timed as well.

Every entry has a source, as the format requires.  The feed id is
"bench-generated".
"""

import argparse
import json
import random
import sys

WORDS = ("worm feed bench ioc wave payload hash drop stage relay beacon "
         "loader runner shim patch probe token vault").split()


def lockfile_packages(path):
    """{name: sorted list of locked versions} of a package-lock.json."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    out = {}
    for loc, e in doc.get("packages", {}).items():
        if not loc or not isinstance(e, dict) or e.get("link"):
            continue
        name = e.get("name") or loc.rsplit("node_modules/", 1)[-1]
        version = e.get("version")
        if name and isinstance(version, str):
            out.setdefault(name, set()).add(version)
    return {k: sorted(v) for k, v in out.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lockfile", required=True)
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=20260511)
    ap.add_argument("-o", "--output", default="-")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    locked = lockfile_packages(args.lockfile)
    names = sorted(locked)
    rng.shuffle(names)
    n_known = min(args.n // 2, len(names))

    packages = []
    matching = ranged = 0
    for i in range(args.n):
        if i < n_known:
            name = names[i]
            have = locked[name]
        else:
            base = "%s-%s-%d" % (rng.choice(WORDS), rng.choice(WORDS), i)
            name = ("@wsbench-%d/%s" % (i % 97, base)
                    if rng.random() < 0.15 else "wsbench-" + base)
            have = []
        entry = {"name": name}
        versions = []
        ranges = []
        if have and rng.random() < 0.0005:
            matching += 1
            v = rng.choice(have)
            if rng.random() < 0.5:
                versions.append(v)
            else:
                ranges.append(">=%s <=%s" % (v, v))
        major = 900 + rng.randrange(20)
        for _ in range(rng.randrange(1, 5)):
            versions.append("%d.%d.%d" % (major, rng.randrange(30),
                                          rng.randrange(20)))
        if have and rng.random() < 0.2:
            versions.append(have[0].split("-", 1)[0].split("+", 1)[0] +
                            "-wsbench.%d" % rng.randrange(9))
        if rng.random() < 0.1:
            ranged += 1
            ranges.append(rng.choice((
                ">=%d.1.0 <%d.3.0" % (major, major),
                "^%d.2.0" % (major + 1),
                "~%d.0.1 || %d.x" % (major + 2, major + 3),
            )))
        entry["versions"] = sorted(set(versions))
        if ranges:
            entry["ranges"] = ranges
        entry["source"] = "bench/gen_feed.py"
        if i % 7 == 0:
            entry["advisory"] = "WSBENCH-%06d" % i
        packages.append(entry)
    packages.sort(key=lambda e: e["name"])

    feed = {
        "format": "wormsign-feed/1",
        "id": "bench-generated",
        "title": "generated feed of %d package entries for bench/scan.sh"
                 % args.n,
        "published": "2026-05-12",
        "sources": ["bench/gen_feed.py"],
        "packages": packages,
    }
    text = json.dumps(feed, indent=1, sort_keys=False) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    print("gen_feed: %d entries, %d naming lockfile packages, %d matching, "
          "%d with ranges, %d bytes" % (len(packages), n_known, matching,
                                        ranged, len(text.encode())),
          file=sys.stderr)


if __name__ == "__main__":
    main()
