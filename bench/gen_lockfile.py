#!/usr/bin/env python3
"""Generate a large, realistic npm package-lock.json (lockfileVersion 3).

Usage:
    gen_lockfile.py [-n N] [--seed S] [--shape real|wide|deep] [-o FILE]

Python 3 standard library only; the output depends only on N, the seed and
the shape, so two runs give the same bytes.  A summary (entries, distinct
packages, nested duplicates, bytes) goes to standard error.

Shapes:

  real (default)  about N entries in "packages" (100,000 by default, about
                  46 MB), shaped like a big real project:
                  * a root with about 50 direct dependencies (40
                    dependencies, 8 devDependencies, 2 optionalDependencies);
                  * a dependency DAG over distinct name@version nodes whose
                    fan-out is heavy-tailed as on the npm registry: most
                    packages have 0 to 5 dependencies, a few have 30 or
                    more; half of the edges point at a small set of popular
                    utility packages; a few edges point back, making cycles
                    (as npm has: a -> b -> a);
                  * about 15% scoped names (@scope/name), and some names
                    installed in two major versions;
                  * npm's placement: each dependency is hoisted to
                    node_modules/<name> when that place is free, and nested
                    under the package that needs it
                    (node_modules/a/node_modules/b) when another version
                    holds the hoisted place, so Node's resolution finds the
                    right one (about 10% of entries end up nested);
                  * every package installed, at a realistic depth
                    (shortest paths of 2 to 14 packages, median 7);
                  * "resolved" on https://registry.npm.test/, sha512
                    "integrity" strings of the right length, "license",
                    some "engines", "bin" and "funding";
                  * "dev", "optional" and "devOptional" computed from
                    reachability as npm does (dev: not needed by the
                    production tree; optional: only reached through
                    optional edges).
  wide            a star: the root depends directly on N leaf packages.
  deep            a chain of 5,000 packages (chain-0 -> chain-1 -> ...,
                  all hoisted), plus a lattice of the remaining packages
                  in layers of 8 where every package depends on 2 or 3 of
                  the next layer, so the number of distinct paths from the
                  root grows exponentially with depth.  A reader must cap
                  what it stores, not what it finds.
"""

import argparse
import base64
import json
import os
import random
import sys

REGISTRY = "https://registry.npm.test/"

WORDS = (
    "ansi array async babel base bind body buffer cache call camel case "
    "chalk char check chunk class clone color common compat concat config "
    "core cross css data date debug deep define delay diff dom dot emit "
    "encode env error escape event extend fast file fill find flat fn "
    "format fs func get glob graceful has hash http icon ignore inherits "
    "is iter js json key kind lazy lex list load lodash loose make map "
    "match merge mime min mkdir ms native next node normalize num object "
    "once opt os parse path picker pify pkg plugin pre pretty promise "
    "proxy punycode query queue range raw react read regex require resolve "
    "retry rimraf run safe schema semver set shell signal slash source "
    "split stable stream string strip style supports symbol tar temp "
    "through to tough trim type uri url util uuid validate value vary "
    "visit walk which wrap write xml yaml yargs zip"
).split()

SCOPES = ["@" + w for w in (
    "babel types jest aws-sdk angular vue emotion mui octokit rollup "
    "sentry storybook testing-library typescript-eslint vitest webpack "
    "apollo azure firebase google-cloud nestjs nx opentelemetry pnpm "
    "radix-ui reduxjs smithy swc tanstack trpc").split()]

LICENSES = ["MIT"] * 14 + ["ISC"] * 4 + ["Apache-2.0"] * 2 + [
    "BSD-3-Clause", "BSD-2-Clause", "0BSD", "BlueOak-1.0.0"]


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.used = set()

    def name(self, scoped_p=0.15):
        rng = self.rng
        tries = 0
        while True:
            tries += 1
            parts = [rng.choice(WORDS) for _ in range(rng.choice((1, 2, 2, 2, 2, 3)))]
            base = "-".join(parts)
            if rng.random() < 0.1:
                base += "-" + rng.choice(("js", "es", "lite", "core", "utils", "x"))
            scope = rng.choice(SCOPES) + "/" if rng.random() < scoped_p else ""
            name = scope + base
            if name in self.used and tries < 8:
                continue
            n = 2
            while name in self.used:
                name = "%s%s-%d" % (scope, base, n)
                n += 1
            self.used.add(name)
            return name

    def version(self, major=None):
        rng = self.rng
        if major is None:
            major = rng.choice((0, 1, 1, 1, 2, 2, 3, 4, 5, 7, 12))
        v = "%d.%d.%d" % (major, rng.randrange(30), rng.randrange(20))
        if rng.random() < 0.02:
            v += "-beta.%d" % rng.randrange(5)
        return v

    def integrity(self):
        return "sha512-" + base64.b64encode(
            self.rng.getrandbits(512).to_bytes(64, "big")).decode("ascii")

    def fanout(self):
        # A discrete Pareto: P(0) ~ 60% (about half once unreached packages
        # are attached below), mostly 1..5, ~1% at 30 or more.
        k = int(self.rng.paretovariate(1.3)) - 1
        return min(k, 80)


def tarball(name, version):
    base = name.rsplit("/", 1)[-1]
    return "%s%s/-/%s-%s.tgz" % (REGISTRY, name, base, version)


def entry_for(gen, node, deps_spec):
    """A "packages" entry for a node (without the flags)."""
    name, version = node["name"], node["version"]
    rng = gen.rng
    e = {
        "version": version,
        "resolved": tarball(name, version),
        "integrity": node["integrity"],
    }
    if deps_spec:
        e["dependencies"] = deps_spec.get("dependencies", {})
        if not e["dependencies"]:
            del e["dependencies"]
        if deps_spec.get("optionalDependencies"):
            e["optionalDependencies"] = deps_spec["optionalDependencies"]
    e["license"] = node["license"]
    if node.get("bin"):
        e["bin"] = {name.rsplit("/", 1)[-1]: "bin/cli.js"}
    if node.get("engines"):
        e["engines"] = {"node": node["engines"]}
    if node.get("funding"):
        e["funding"] = {"url": "https://example.test/sponsors/" +
                        name.rsplit("/", 1)[-1]}
    return e


def new_node(gen, name=None, major=None):
    rng = gen.rng
    node = {
        "name": name or gen.name(),
        "version": gen.version(major),
        "integrity": gen.integrity(),
        "license": rng.choice(LICENSES),
        "deps": [],  # [(node index, optional?)]
    }
    r = rng.random()
    if r < 0.25:
        node["engines"] = rng.choice((">=0.10.0", ">=4", ">=6", ">=8", ">=10",
                                      ">=12", ">=14", ">=16", "^12.20.0 || >=14",
                                      ">= 0.8"))
    if rng.random() < 0.06:
        node["bin"] = True
    if rng.random() < 0.08:
        node["funding"] = True
    return node


def range_for(gen, version):
    r = gen.rng.random()
    if r < 0.75:
        return "^" + version
    if r < 0.9:
        return "~" + version
    if r < 0.97:
        return version
    return ">=" + version


# ------------------------------------------------------------- real shape --

def build_real(gen, m):
    rng = gen.rng
    nodes = []
    for i in range(m):
        # About 8% of nodes are another major version of an earlier name.
        if i > 100 and rng.random() < 0.08:
            j = rng.randrange(i)
            other = nodes[j]
            if other.get("alt") is None:
                major = int(other["version"].split(".")[0]) + rng.choice((1, 2, 3))
                node = new_node(gen, other["name"], major)
                node["alt"] = j
                other["alt"] = i
                nodes.append(node)
                continue
        nodes.append(new_node(gen))

    # Edges i -> j with j > i (a DAG over the node order), plus a few back
    # edges (cycles) between packages whose name has a single version.
    popular_from = int(m * 0.95)
    for i in range(m):
        k = gen.fanout()
        if i + 1 >= m:
            k = 0
        seen_names = {nodes[i]["name"]}
        deps = []
        for _ in range(k):
            if rng.random() < 0.5 and popular_from > i + 1:
                j = rng.randrange(max(popular_from, i + 1), m)
            else:
                j = rng.randrange(i + 1, m)
            nm = nodes[j]["name"]
            if nm in seen_names:
                continue
            seen_names.add(nm)
            deps.append((j, rng.random() < 0.04))
        if (rng.random() < 0.002 and i > 10 and "alt" not in nodes[i]):
            j = rng.randrange(i)
            if "alt" not in nodes[j] and nodes[j]["name"] not in seen_names:
                deps.append((j, False))
        nodes[i]["deps"] = deps

    # The root: 40 dependencies, 8 devDependencies, 2 optionalDependencies,
    # drawn from the first nodes (the "top" of the DAG).
    top = list(range(min(m, 400)))
    rng.shuffle(top)
    root_names = set()
    root_deps = {"prod": [], "dev": [], "optional": []}
    for kind, count in (("prod", 40), ("dev", 8), ("optional", 2)):
        while len(root_deps[kind]) < count and top:
            j = top.pop()
            if nodes[j]["name"] in root_names:
                continue
            root_names.add(nodes[j]["name"])
            root_deps[kind].append(j)

    # Every node should be installed, and reached at a realistic depth:
    # walking the nodes in order (every forward edge goes from a smaller
    # index to a larger one), a node's depth is one more than its shallowest
    # parent's; a node with no parent is attached to a random earlier node
    # at depth 5 or less (or, before there is any, to the root's dev tree).
    # Real trees have no unreachable packages and shortest paths of a
    # handful of packages, rarely more than 15.
    parents = [[] for _ in range(m)]
    for x in range(m):
        for y, _opt in nodes[x]["deps"]:
            if y > x:
                parents[y].append(x)
    depth = [0] * m
    for kind in root_deps.values():
        for j in kind:
            depth[j] = 1
    shallow = []
    for j in range(m):
        if not depth[j]:
            ds = [depth[p] for p in parents[j] if depth[p]]
            if ds:
                depth[j] = min(ds) + 1
        if not depth[j]:
            name = nodes[j]["name"]
            for _try in range(20):
                if not shallow:
                    break
                p = shallow[rng.randrange(len(shallow))]
                if nodes[p]["name"] != name and name not in {
                        nodes[y]["name"] for y, _ in nodes[p]["deps"]}:
                    nodes[p]["deps"].append((j, False))
                    depth[j] = depth[p] + 1
                    break
            if not depth[j]:
                root_deps["dev"].append(j)
                root_names.add(name)
                depth[j] = 1
        if depth[j] <= 5:
            shallow.append(j)
    return nodes, root_deps


def place(nodes, root_deps, limit):
    """npm-style placement; returns (loc -> node, loc -> [(loc, optional)])."""
    loc_node = {}
    edges = {"": []}
    order = []
    queue = []
    for kind in ("prod", "dev", "optional"):
        for j in root_deps[kind]:
            loc = "node_modules/" + nodes[j]["name"]
            loc_node[loc] = j
            edges[""].append((loc, kind == "optional", kind))
            queue.append(loc)
            order.append(loc)
    qi = 0
    while qi < len(queue):
        loc = queue[qi]
        qi += 1
        x = loc_node[loc]
        out = edges.setdefault(loc, [])
        # Ancestors: loc, then each enclosing package, then the root.
        ancestors = [loc]
        a = loc
        while True:
            cut = a.rfind("/node_modules/")
            if cut < 0:
                break
            a = a[:cut]
            ancestors.append(a)
        ancestors.append("")
        for y, opt in nodes[x]["deps"]:
            name = nodes[y]["name"]
            target = None
            for anc in ancestors:
                key = (anc + "/" if anc else "") + "node_modules/" + name
                found = loc_node.get(key)
                if found is None:
                    continue
                if found == y:
                    target = key
                else:
                    target = loc + "/node_modules/" + name
                break
            else:
                target = "node_modules/" + name
            if target not in loc_node:
                if len(loc_node) >= limit:
                    continue  # a hard stop against runaway nesting
                loc_node[target] = y
                queue.append(target)
                order.append(target)
            out.append((target, opt, None))
    return loc_node, edges


def flags(loc_node, edges):
    """npm's dev / optional / devOptional from reachability over locations."""
    def reach(starts, skip_optional):
        seen = set(starts)
        stack = list(starts)
        while stack:
            x = stack.pop()
            for y, opt, _k in edges.get(x, ()):
                if skip_optional and opt:
                    continue
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
        return seen

    root = edges[""]
    prod = [l for l, _o, k in root if k in ("prod", "optional")]
    prod_req = [l for l, _o, k in root if k == "prod"]
    dev = [l for l, _o, k in root if k == "dev"]
    p_all = reach(prod, False)
    p_req = reach(prod_req, True)
    d_req = reach(dev, True)
    out = {}
    for loc in loc_node:
        f = {}
        if loc not in p_all:
            f["dev"] = True
            if loc not in d_req:
                f["optional"] = True
        elif loc not in p_req:
            if loc in d_req:
                f["devOptional"] = True
            else:
                f["optional"] = True
        out[loc] = f
    return out


def spec_of(gen, nodes, x):
    spec = {"dependencies": {}, "optionalDependencies": {}}
    for y, opt in nodes[x]["deps"]:
        r = range_for(gen, nodes[y]["version"])
        spec["dependencies"][nodes[y]["name"]] = r
        if opt:
            spec["optionalDependencies"][nodes[y]["name"]] = r
    # npm writes optional dependencies only under optionalDependencies.
    for k in spec["optionalDependencies"]:
        del spec["dependencies"][k]
    return spec


def emit(gen, nodes, loc_node, fl, root_entry):
    packages = {"": root_entry}
    specs = {}
    for loc in sorted(loc_node):
        x = loc_node[loc]
        if x not in specs:
            specs[x] = spec_of(gen, nodes, x)
        e = entry_for(gen, nodes[x], specs[x])
        name = nodes[x]["name"]
        if not loc.endswith("node_modules/" + name):
            e = dict(name=name, **e)
        for k in ("dev", "optional", "devOptional"):
            if fl.get(loc, {}).get(k):
                e[k] = True
        # npm puts the flags right after integrity; keep that order.
        ordered = {}
        for k in ("name", "version", "resolved", "integrity", "dev",
                  "optional", "devOptional"):
            if k in e:
                ordered[k] = e[k]
        for k, v in e.items():
            if k not in ordered:
                ordered[k] = v
        packages[loc] = ordered
    return packages


def root_entry_for(gen, nodes, root_deps, name):
    e = {"name": name, "version": "1.0.0", "license": "UNLICENSED"}
    for kind, key in (("prod", "dependencies"), ("dev", "devDependencies"),
                      ("optional", "optionalDependencies")):
        if root_deps[kind]:
            e[key] = {nodes[j]["name"]: range_for(gen, nodes[j]["version"])
                      for j in sorted(root_deps[kind],
                                      key=lambda j: nodes[j]["name"])}
    return e


def shape_real(seed, n):
    # Placement adds nested duplicates on top of the distinct nodes, so the
    # number of distinct nodes is calibrated (deterministically) until the
    # entry count is within 1% of n.
    m = max(60, int(n * 0.9))
    for _attempt in range(4):
        gen = Gen(seed)
        nodes, root_deps = build_real(gen, m)
        loc_node, edges = place(nodes, root_deps, limit=int(n * 1.5))
        if abs(len(loc_node) - n) <= n // 100:
            break
        m = max(60, int(m * n / max(len(loc_node), 1)))
    fl = flags(loc_node, edges)
    root = root_entry_for(gen, nodes, root_deps, "bench-real")
    return emit(gen, nodes, loc_node, fl, root), len(nodes)


# ------------------------------------------------------- wide/deep shapes --

def simple_lock(gen, nodes, root_deps, name):
    loc_node = {"node_modules/" + nd["name"]: i for i, nd in enumerate(nodes)}
    root = root_entry_for(gen, nodes, root_deps, name)
    return emit(gen, nodes, loc_node, {}, root)


def shape_wide(seed, n):
    gen = Gen(seed)
    nodes = [new_node(gen) for _ in range(n)]
    root_deps = {"prod": list(range(n)), "dev": [], "optional": []}
    return simple_lock(gen, nodes, root_deps, "bench-wide"), n


def shape_deep(seed, n):
    gen = Gen(seed)
    chain = min(5000, n)
    nodes = []
    for i in range(chain):
        nodes.append(new_node(gen, "chain-%d" % i))
        if i:
            nodes[i - 1]["deps"].append((i, False))
    width = 8
    rest = n - chain
    layers = []
    for li in range((rest + width - 1) // width):
        layer = []
        for k in range(min(width, rest - li * width)):
            layer.append(len(nodes))
            nodes.append(new_node(gen, "lattice-%d-%d" % (li, k)))
        layers.append(layer)
    for li in range(len(layers) - 1):
        nxt = layers[li + 1]
        for x in layers[li]:
            for y in gen.rng.sample(nxt, min(len(nxt), gen.rng.choice((2, 3)))):
                nodes[x]["deps"].append((y, False))
    root_deps = {"prod": [0] + (layers[0] if layers else []), "dev": [],
                 "optional": []}
    # The chain's end also leads into the lattice's top.
    if layers:
        nodes[chain - 1]["deps"].append((layers[0][0], False))
    return simple_lock(gen, nodes, root_deps, "bench-deep"), n


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Generate a large package-lock.json v3 for benchmarks.")
    ap.add_argument("-n", type=int, default=100000,
                    help="number of packages (default 100000)")
    ap.add_argument("--seed", type=int, default=20261204)
    shape = ap.add_mutually_exclusive_group()
    shape.add_argument("--shape", choices=("real", "wide", "deep"), default="real")
    shape.add_argument("--wide", dest="shape", action="store_const", const="wide",
                       help="same as --shape wide")
    shape.add_argument("--deep", dest="shape", action="store_const", const="deep",
                       help="same as --shape deep")
    ap.add_argument("-o", "--output", default="-",
                    help="output file (default: standard output)")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("-n must be at least 1")

    packages, distinct = {"real": shape_real, "wide": shape_wide,
                          "deep": shape_deep}[args.shape](args.seed, args.n)
    root = packages[""]
    doc = {"name": root["name"], "version": root["version"],
           "lockfileVersion": 3, "requires": True, "packages": packages}
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        tmp = args.output + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, args.output)
    entries = len(packages) - 1
    nested = sum(1 for k in packages if k.count("node_modules/") > 1)
    print("%s: %d entries, %d distinct name@version, %d nested (%.1f%%), "
          "%.1f MB" % (args.shape, entries, distinct, nested,
                       100.0 * nested / max(entries, 1),
                       len(text.encode("utf-8")) / 1e6), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
